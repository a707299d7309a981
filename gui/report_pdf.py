"""The PDF compliance summary: paints db.report_content's ReportContent with QPdfWriter.

The file is written beside its destination under a temporary name and moved into place only when
complete (db.atomic_file), so a failed or cancelled export leaves no partial file and never replaces
an existing one. QPdfWriter says nothing when the disk fills (DESIGN.md): QPainter.end()'s result
and the file's own ending (a PDF ends with %%EOF) tell whether it was written whole.
"""

from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from db.atomic_file import atomic_path, framed, not_written
from db.errors import ExportCancelled
from db.report_content import EVENTS_ALL, ReportContent, chronology_rows
from db.vocabulary import STATUS_SEVERITY, Status
from gui.pdf_layout import MUTED, Column, Flow, Page, Painted, Texts, font, table
from gui.status_badge import STATUS_STYLES, badge_text
from gui.trajectory_plot import FigurePictures

DPI = 96  # pyqtgraph scenes paint true to size only at 96 dpi (DESIGN.md)
MARGIN, HEADER, FOOTER = 48, 28, 28
PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
FIGURE_HEIGHT = 330

Progress = Callable[[int, int], bool]  # (done, total) → False to cancel


def _badge(status: Status, computed: Status | None = None) -> Painted:
    """The status pill as the tree shows it; an assessed status also says what the record alone gives."""
    label = badge_text(status)
    note = f"computed: {computed.label.lower()}" if computed is not None and computed != status else ""
    label_font = font(9, bold=True)

    def pill_height(texts: Texts) -> float:
        return texts.metrics(label_font).height()

    def height(texts: Texts, width: float) -> float:
        return pill_height(texts) + (2 + texts.height(note, font(9), width) if note else 0)

    def paint(painter: QPainter, texts: Texts, rect: QRectF) -> None:
        colour = QColor(STATUS_STYLES[status].colour)
        tall = pill_height(texts)
        pill = QRectF(rect.left(), rect.top(), min(texts.width(label, label_font) + 10, rect.width()), tall)
        tint = QColor(colour)
        tint.setAlpha(30)
        painter.setPen(QPen(colour, 1))
        painter.setBrush(tint)
        painter.drawRoundedRect(pill, 4, 4)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        texts.draw_aligned(painter, label, label_font, pill, Qt.AlignmentFlag.AlignCenter, colour)
        if note:
            below = QRectF(rect.left(), rect.top() + tall + 2, rect.width(), rect.height() - tall - 2)
            texts.draw(painter, note, font(9), below, MUTED)

    return Painted(height, paint)


def _figure(flow: Flow, figures: FigurePictures, index: int) -> None:
    """The window's trajectory plot, painted as vectors into the page (recorded before the pages are painted)."""
    left = flow.left
    flow.place(FIGURE_HEIGHT + 12, lambda painter, y: figures.paint(painter, index, left, y))


def _title_block(flow: Flow, content: ReportContent) -> None:
    flow.paragraph(content.agreement_title, font(22, bold=True), after=2)
    if content.short_title:
        flow.paragraph(content.short_title, font(13), MUTED, after=8)
    parties = content.parties_text()
    since = content.since.isoformat() if content.since else "—"
    lines = [
        ("Signed", content.signed or "—"),
        ("Parties", parties or "—"),
        ("Status as of", content.as_of.isoformat()),
        ("Changes since", since),
        ("Prepared by", content.prepared_by),
    ]
    table(flow, [Column("", 1.4), Column("", 4)], [[key, value] for key, value in lines], font(10), header=False)


def _findings(flow: Flow, content: ReportContent) -> None:
    flow.heading("Key findings from the record")
    flow.paragraph(
        f"Computed by Accord Desk from the record as of {content.as_of.isoformat()}. These are findings, "
        "not judgements: the officer's own assessment follows.",
        font(9), MUTED, after=6,
    )  # fmt: skip
    for number, finding in enumerate(content.findings, start=1):
        flow.paragraph(f"Finding {number}. {finding.headline}", font(12, bold=True), after=4)
        for line in finding.evidence:
            flow.paragraph(f"• {line}", font(10), indent=14, after=3)
        flow.space(6)


def _officer_summary(flow: Flow, content: ReportContent) -> None:
    flow.heading("The officer's assessment")
    if not content.officer_summary.strip():
        flow.paragraph("No assessment in words was given for this report.", font(10), MUTED)
        return
    flow.paragraph(f"In the words of {content.prepared_by}:", font(9), MUTED, after=4)
    for line in content.officer_summary.splitlines():
        flow.paragraph(line, font(11.5), after=5) if line.strip() else flow.space(6)


def _summary(flow: Flow, content: ReportContent) -> None:
    flow.heading("Summary")
    for sentence in content.summary:
        flow.paragraph(sentence, font(11))
    statuses = [s for s in STATUS_SEVERITY if any(counts.get(s) for _, counts in content.counts_by_party)]
    if statuses:
        flow.space(4)
        columns = [Column("Obligor", 2.2)] + [Column(s.label, 1) for s in statuses]
        rows = [
            [name] + [str(counts.get(s, "")) for s in statuses] for name, counts in content.counts_by_party
        ]
        table(flow, columns, rows, font(10))


def _provenance(flow: Flow, content: ReportContent) -> None:
    flow.heading("Provenance")
    lines = [
        ("Prepared by", content.prepared_by),
        ("Generated", content.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Database fingerprint", f"SHA-256 {content.fingerprint}"),
        ("Audit chain head", content.chain_head),
        ("Statuses", "computed from the record as of the date; an officer's assessment, where one stands, "
                     "is shown over the computed status, and both are given"),
    ]  # fmt: skip
    table(flow, [Column("", 1.4), Column("", 4)], [[key, value] for key, value in lines], font(9), header=False)


def _obligations(flow: Flow, content: ReportContent) -> None:
    flow.heading("Obligations")
    columns = [Column("Ref", 0.9), Column("Obligation", 2.4), Column("Obligors", 1.4), Column("Deadline", 1),
               Column("Status", 1.25), Column("Reason", 3.2)]  # fmt: skip
    rows = [
        [("   " * row.depth) + row.ref, row.title, row.obligors, row.deadline, _badge(row.status, row.computed),
         row.reason]
        for row in content.rows
    ]  # fmt: skip
    table(flow, columns, rows, font(9))


def _changes(flow: Flow, content: ReportContent) -> None:
    flow.heading(f"What changed since {content.since.isoformat()}")
    if not content.changes:
        flow.paragraph("No obligation changed status in the period.", font(11), MUTED)
        return
    columns = [
        Column("Ref", 0.8),
        Column("Obligation", 2.2),
        Column("Was", 1.2),
        Column("Now", 1.2),
        Column("Evidence", 4),
    ]
    rows = [
        [c.ref, c.title, _badge(c.before), _badge(c.after), "\n".join(c.evidence) or c.reason]
        for c in content.changes
    ]
    table(flow, columns, rows, font(9))


def _chronology(flow: Flow, content: ReportContent) -> None:
    scope = "all events" if content.events_scope == EVENTS_ALL else "events linked to obligations"
    period = (
        f"{content.since.isoformat()} to {content.as_of.isoformat()}"
        if content.since
        else f"to {content.as_of.isoformat()}"
    )
    flow.heading(f"Event chronology ({scope}, {period})")
    rows = chronology_rows(content.chronology)  # read as the rows are placed: a million events are never held
    if rows is None:
        flow.paragraph("No events in the period.", font(11), MUTED)
        return
    columns = [Column("When", 1), Column("What", 1.4), Column("Where", 1.2), Column("Notes", 3.4),
               Column("Source", 1.3), Column("Obligations", 1.4)]  # fmt: skip
    table(flow, columns, rows, font(9))


def _layout(
    content: ReportContent, writer: QPdfWriter, figures: FigurePictures, stop: Callable[[], bool] | None = None,
    on_page: Callable[[Page], None] | None = None,
) -> Flow:
    flow = Flow(writer, writer.width(), writer.height(), MARGIN, HEADER, FOOTER, stop, on_page)
    _title_block(flow, content)
    _findings(flow, content)
    _officer_summary(flow, content)
    flow.new_page()  # page 1 is the brief; the record follows
    _summary(flow, content)
    _obligations(flow, content)
    if content.metrics:
        flow.heading("Trajectories")
        for index in range(len(content.metrics)):
            _figure(flow, figures, index)
    if content.since is not None:
        _changes(flow, content)
    _chronology(flow, content)
    _provenance(flow, content)
    flow.end()
    return flow


def _header_footer(
    painter: QPainter, texts: Texts, writer: QPdfWriter, content: ReportContent, marking: str, page: int, pages: int
):  # fmt: skip
    """The marking above; below, the report's name, the marking and "Page X of Y", side by side and
    never over each other: the name gives way (elided) before the marking or the page number does."""
    width, height = writer.width(), writer.height()
    gap, red = 12, QColor("#b3141f")
    mark_font, foot_font = font(9, bold=True), font(9)
    if marking:
        top = QRectF(MARGIN, MARGIN / 2, width - 2 * MARGIN, HEADER)
        texts.draw_aligned(painter, marking, mark_font, top, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, red)
    line = max(texts.metrics(mark_font).height(), texts.metrics(foot_font).height())
    bottom = height - MARGIN / 2 - line
    middle = Qt.AlignmentFlag.AlignVCenter
    number = f"Page {page} of {pages}"
    number_width = texts.width(number, foot_font)
    right = QRectF(width - MARGIN - number_width, bottom, number_width, line)
    texts.draw_aligned(painter, number, foot_font, right, middle | Qt.AlignmentFlag.AlignRight, MUTED)
    name_end = right.left() - gap
    if marking:
        mark_width = min(texts.width(marking, mark_font), name_end - MARGIN)
        centre = QRectF(min((width - mark_width) / 2, name_end - mark_width), bottom, mark_width, line)
        texts.draw_aligned(painter, marking, mark_font, centre, middle | Qt.AlignmentFlag.AlignHCenter, red)
        name_end = centre.left() - gap
    label = f"{content.short_title or content.agreement_title} — status as of {content.as_of.isoformat()}"
    name = QRectF(MARGIN, bottom, max(0.0, name_end - MARGIN), line)
    texts.draw_aligned(painter, texts.elided(label, foot_font, name.width()), foot_font, name,
                       middle | Qt.AlignmentFlag.AlignLeft, MUTED)  # fmt: skip


class PdfReport:
    """A PDF being written, in steps, so the window can keep the slow ones off its thread: opening it (the
    UI thread: the temporary file and its QPdfWriter), `lay_out` (measures every text and places every block
    to count the pages, making no QObject: a worker thread), `figure_steps` (the UI thread: the figures are
    the window's pyqtgraph plot, recorded a step at a time), `paint_pages` (a worker thread: lays the pages out
    again and paints each as it fills, the figures replayed from their recording) and `finish` (the check,
    fsync and rename). `abandon` at any point removes the temporary file; the destination is replaced only
    once every page is painted and the file is whole.

    No page is kept, so memory stays flat however many events the chronology holds; the price is laying
    the pages out twice, since every footer says "Page X of Y". Both walks read the content's chronology,
    so its reading stays open from `lay_out` to the end of `paint_pages` (one snapshot: the same pages)."""

    def __init__(self, path: Path, marking: str = "", page_size: str = "a4"):
        self.path, self.marking = path, marking
        self._target = atomic_path(path, whole=framed(b"%PDF-", b"%%EOF"))
        partial = self._target.__enter__()
        self._open = True
        self.writer = QPdfWriter(str(partial))
        self.writer.setResolution(DPI)
        self.writer.setPageLayout(
            QPageLayout(QPageSize(PAGE_SIZES[page_size]), QPageLayout.Orientation.Portrait, QMarginsF())
        )
        self.writer.setCreator("Accord Desk")
        self.content: ReportContent | None = None
        self.pages = 0
        self.figures: FigurePictures | None = None

    def lay_out(self, content: ReportContent, stop: Callable[[], bool] | None = None) -> int:
        """Measure and place everything, keeping no page (ExportCancelled as soon as `stop()` says so); the
        page count."""
        width = self.writer.width() - 2 * MARGIN
        self.figures = FigurePictures(content.metrics, content.as_of, width, FIGURE_HEIGHT)
        self.pages = _layout(content, self.writer, self.figures, stop, on_page=lambda _page: None).page_count
        self.content = content
        return self.pages

    def figure_steps(self) -> Iterator[int]:
        """On the UI thread: record the figures a step at a time (gui.trajectory_plot.FigurePictures)."""
        return self.figures.steps()

    def paint_pages(self, progress: Progress | None = None) -> int:
        """Paint every page and close the file (any thread, once the figures are recorded); the page count.
        `progress(done, total)` after each page; False cancels (ExportCancelled). Cancelled or failing, it
        leaves no file and the destination as it was; `finish` puts the file in place."""
        try:
            content, total = self.content, self.pages
            self.writer.setTitle(f"{content.agreement_title} — compliance summary as of {content.as_of.isoformat()}")
            painter = QPainter(self.writer)
            if not painter.isActive():  # the temporary file could not be opened for writing
                raise not_written(self.path)
            texts, numbers = Texts(self.writer), count(1)

            def paint(page: Page) -> None:  # each page as it fills; then it is dropped
                number = next(numbers)
                if number > 1:
                    self.writer.newPage()
                _header_footer(painter, texts, self.writer, content, self.marking, number, total)
                for block in page.blocks:
                    block.paint(painter, block.y)
                if progress is not None and progress(number, total) is False:
                    raise ExportCancelled()

            try:
                _layout(content, self.writer, self.figures, on_page=paint)
            finally:
                ended = painter.end()
            self.__dict__.pop("writer")  # closes the file
            if not ended:
                raise not_written(self.path)
        except BaseException as error:
            self._close(error)
            raise
        return total

    def finish(self) -> None:
        """Check the painted file whole, sync it and move it over the destination (no Qt: any thread);
        UserError, and no file left behind, when it is not whole."""
        self._close(None)

    def abandon(self) -> None:
        """Stop before the end (Cancel): the temporary file goes, the destination stays as it was."""
        self._close(ExportCancelled())

    def _close(self, error: BaseException | None) -> None:
        if self._open:
            self._open = False
            self.__dict__.pop("writer", None)
            if error is None:
                self._target.__exit__(None, None, None)
            else:
                self._target.__exit__(type(error), error, error.__traceback__)


def write_report(
    content: ReportContent,
    path: Path,
    *,
    marking: str = "",
    page_size: str = "a4",
    progress: Progress | None = None,
) -> int:
    """Write the PDF atomically in one go (the command line); returns the page count. Raises
    ExportCancelled or UserError. `progress(done, total)` is asked after each page; False cancels."""
    report = PdfReport(path, marking, page_size)
    try:
        report.lay_out(content)
        for _count in report.figure_steps():
            pass
    except BaseException:
        report.abandon()
        raise
    pages = report.paint_pages(progress)
    report.finish()
    return pages
