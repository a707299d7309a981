"""The PDF compliance summary: paints db.report_content's ReportContent with QPdfWriter.

The file is written beside its destination under a temporary name and moved into place only when
complete (db.atomic_file), so a failed or cancelled export leaves no partial file and never replaces
an existing one. QPdfWriter says nothing when the disk fills (DESIGN.md): QPainter.end()'s result
and the file's own ending (a PDF ends with %%EOF) tell whether it was written whole.
"""

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from db.atomic_file import atomic_path, framed, not_written
from db.metrics import MetricSeries
from db.report_content import EVENTS_ALL, ReportContent
from db.vocabulary import STATUS_SEVERITY, Status
from gui.pdf_layout import INK, MUTED, WRAP, Column, Flow, font, table
from gui.status_badge import STATUS_STYLES, badge_text
from gui.trajectory_plot import TrajectoryPlot

DPI = 96  # pyqtgraph scenes paint true to size only at 96 dpi (DESIGN.md)
MARGIN, HEADER, FOOTER = 48, 28, 28
PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
FIGURE_HEIGHT = 330

Progress = Callable[[int, int], bool]  # (done, total) → False to cancel


class ExportCancelled(Exception):
    """The officer cancelled; nothing was written."""


def _badge(status: Status, computed: Status | None = None) -> Callable[[QPainter, QRectF], None]:
    def paint(painter: QPainter, rect: QRectF) -> None:
        style = STATUS_STYLES[status]
        colour = QColor(style.colour)
        cell_font = font(10, bold=True)
        painter.setFont(cell_font)
        text = badge_text(status)
        width = painter.fontMetrics().horizontalAdvance(text) + 10
        pill = QRectF(rect.left(), rect.top(), min(width, rect.width()), 16)
        tint = QColor(colour)
        tint.setAlpha(30)
        painter.setPen(QPen(colour, 1))
        painter.setBrush(tint)
        painter.drawRoundedRect(pill, 4, 4)
        painter.setPen(colour)
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text)
        if computed is not None and computed != status:
            painter.setFont(font(9))
            painter.setPen(MUTED)
            painter.drawText(
                QRectF(rect.left(), rect.top() + 18, rect.width(), 28),
                WRAP,
                f"computed: {computed.label.lower()}",
            )
        painter.setBrush(Qt.BrushStyle.NoBrush)

    return paint


def _figure(flow: Flow, series: MetricSeries, as_of: date) -> None:
    """The window's trajectory plot, painted as vectors into the page."""
    width, height = flow.width, FIGURE_HEIGHT
    left = flow.left

    def paint(painter: QPainter, y: float) -> None:
        plot = TrajectoryPlot()
        plot.show_series(series)
        plot.set_as_of(as_of)
        # Lay the plot out at the figure's size without showing a window.
        plot.plot.plotItem.setGeometry(QRectF(0, 0, width, height))
        plot.plot.plotItem.layout.activate()
        plot._frame(plot.data, series.direction)
        scene = plot.plot.scene()
        source = plot.plot.plotItem.sceneBoundingRect()
        options = {"antialias": True, "background": None, "painter": painter, "resolutionScale": 1.0}
        items = [item for item in scene.items() if hasattr(item, "setExportMode")]
        for item in items:
            item.setExportMode(True, options)
        painter.save()
        scene.render(painter, QRectF(left, y, width, source.height() * width / source.width()), source)
        painter.restore()
        for item in items:
            item.setExportMode(False, options)
        plot.deleteLater()

    flow.place(height + 12, paint)


def _title_block(flow: Flow, content: ReportContent, marking: str) -> None:
    flow.paragraph(content.agreement_title, font(22, bold=True), after=2)
    if content.short_title:
        flow.paragraph(content.short_title, font(13), MUTED, after=8)
    parties = "; ".join(f"{name} ({role.replace('_', '-')})" for name, role in content.parties)
    since = content.since.isoformat() if content.since else "—"
    lines = [
        ("Signed", content.signed or "—"),
        ("Parties", parties or "—"),
        ("Status as of", content.as_of.isoformat()),
        ("Changes since", since),
        ("Prepared by", content.prepared_by),
        ("Generated", content.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Database fingerprint", f"SHA-256 {content.fingerprint}"),
        ("Audit chain head", content.chain_head),
    ]
    if marking:
        lines.insert(0, ("Marking", marking))
    table(
        flow, [Column("", 1.4), Column("", 4)], [[key, value] for key, value in lines], font(10), header=False
    )


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


def _obligations(flow: Flow, content: ReportContent) -> None:
    flow.heading("Obligations")
    columns = [Column("Ref", 0.9), Column("Obligation", 2.4), Column("Obligors", 1.4), Column("Deadline", 1),
               Column("Status", 1.25), Column("Reason", 3.2)]  # fmt: skip
    rows, heights = [], []
    for row in content.rows:
        rows.append([("   " * row.depth) + row.ref, row.title, row.obligors, row.deadline,
                     _badge(row.status, row.computed), row.reason])  # fmt: skip
        heights.append(16 if row.computed == row.status else 44)
    table(flow, columns, rows, font(9), heights)


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
    if not content.chronology:
        flow.paragraph("No events in the period.", font(11), MUTED)
        return
    columns = [Column("When", 1), Column("What", 1.4), Column("Where", 1.2), Column("Notes", 3.4),
               Column("Source", 1.3), Column("Obligations", 1.4)]  # fmt: skip
    rows = [
        [e.when, e.what, e.place, e.notes, f"{e.source} ({e.grade})" if e.grade else e.source, e.obligations]
        for e in content.chronology
    ]
    table(flow, columns, rows, font(9))


def _layout(content: ReportContent, writer: QPdfWriter, marking: str) -> Flow:
    flow = Flow(writer, writer.width(), writer.height(), MARGIN, HEADER, FOOTER)
    _title_block(flow, content, marking)
    _summary(flow, content)
    _obligations(flow, content)
    if content.metrics:
        flow.heading("Trajectories")
        for series in content.metrics:
            _figure(flow, series, content.as_of)
    if content.since is not None:
        _changes(flow, content)
    _chronology(flow, content)
    return flow


def _header_footer(
    painter: QPainter, writer: QPdfWriter, content: ReportContent, marking: str, page: int, pages: int
):
    width, height = writer.width(), writer.height()
    painter.setFont(font(9, bold=True))
    painter.setPen(QColor("#b3141f") if marking else INK)
    top = QRectF(MARGIN, MARGIN / 2, width - 2 * MARGIN, HEADER)
    painter.drawText(top, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), marking)
    painter.setFont(font(9))
    painter.setPen(MUTED)
    bottom = QRectF(MARGIN, height - MARGIN / 2 - FOOTER / 2, width - 2 * MARGIN, FOOTER / 2 + 4)
    label = f"{content.short_title or content.agreement_title} — status as of {content.as_of.isoformat()}"
    painter.drawText(bottom, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label)
    painter.drawText(
        bottom, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"Page {page} of {pages}"
    )
    if marking:
        painter.setFont(font(9, bold=True))
        painter.setPen(QColor("#b3141f"))
        painter.drawText(bottom, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), marking)


def write_report(
    content: ReportContent,
    path: Path,
    *,
    marking: str = "",
    page_size: str = "a4",
    progress: Progress | None = None,
) -> int:
    """Write the PDF atomically; returns the page count. Raises ExportCancelled or UserError."""
    with atomic_path(path, whole=framed(b"%PDF-", b"%%EOF")) as partial:
        writer = QPdfWriter(str(partial))
        writer.setResolution(DPI)
        writer.setPageLayout(
            QPageLayout(QPageSize(PAGE_SIZES[page_size]), QPageLayout.Orientation.Portrait, QMarginsF())
        )
        writer.setTitle(f"{content.agreement_title} — compliance summary as of {content.as_of.isoformat()}")
        writer.setCreator("Accord Desk")
        flow = _layout(content, writer, marking)
        pages = len(flow.pages)
        painter = QPainter(writer)
        if not painter.isActive():  # the temporary file could not be opened for writing
            raise not_written(path)
        try:
            for number, page in enumerate(flow.pages, start=1):
                if progress is not None and not progress(number - 1, pages):
                    raise ExportCancelled()
                if number > 1:
                    writer.newPage()
                _header_footer(painter, writer, content, marking, number, pages)
                for y, paint in page.blocks:
                    paint(painter, y)
        finally:
            ended = painter.end()
        del writer  # closes the file
        if not ended:
            raise not_written(path)
        if progress is not None and not progress(pages, pages):
            raise ExportCancelled()
    return pages
