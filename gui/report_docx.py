"""The summary as a Word document (python-docx), for officers who must add their ministry's template
text: the same content and sections as the PDF (db.report_content), editable.

Text goes in as runs of plain text, so nothing a user typed is read as markup; the figures are the
window's plots as images (recorded on the UI thread, gui.trajectory_plot.FigurePictures; everything here
runs in any thread). Written through db.atomic_file like every file the application writes.
"""

import re
from collections.abc import Callable, Iterable
from copy import deepcopy
from io import BytesIO
from itertools import chain
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from db.atomic_file import atomic_path, framed
from db.errors import ExportCancelled
from db.report_content import EVENTS_ALL, ReportContent, chronology_rows
from db.vocabulary import STATUS_SEVERITY
from gui.report_pdf import FIGURE_HEIGHT
from gui.trajectory_plot import FigurePictures

PAGE_SIZES = {"a4": (Mm(210), Mm(297)), "letter": (Mm(215.9), Mm(279.4))}
MUTED = RGBColor(0x57, 0x60, 0x6A)
RED = RGBColor(0xB3, 0x14, 0x1F)
FIGURE_WIDTH = 698  # points of the PDF's figure: the same drawing, scaled to the text width


# Characters XML 1.0 cannot hold (the record keeps them; python-docx refuses them): shown as "�".
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _run(paragraph, text: str):
    return paragraph.add_run(_NOT_XML.sub("\ufffd", text))


def _field(paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the document out."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _page_furniture(document, content: ReportContent, marking: str, page_size: str) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_SIZES[page_size]
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    if marking:
        top = section.header.paragraphs[0]
        top.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = _run(top, marking)
        run.bold, run.font.color.rgb = True, RED
    bottom = section.footer.paragraphs[0]
    label = f"{content.short_title or content.agreement_title} — status as of {content.as_of.isoformat()}"
    _run(bottom, label + ("   " + marking if marking else "") + "   Page ")
    _field(bottom, "PAGE")
    bottom.add_run(" of ")
    _field(bottom, "NUMPAGES")


def _table(document, header: list[str] | None, rows: Iterable[list[str]], size: float = 8.5):
    """Each row a copy of a blank one made once through python-docx (its cells' widths, its runs' weight and
    size), its runs then given their text: made through python-docx cell by cell, each run's properties cost a
    search of every element that may follow them, 4 ms a row (a chronology of 20,000 events ran for minutes)."""
    rows = iter(rows)
    first = header or next(rows)
    table = document.add_table(rows=0, cols=len(first))
    table.style = "Table Grid"
    blanks = {}
    for cells, bold in chain([(first, header is not None)], ((row, False) for row in rows)):
        if bold not in blanks:
            blank = table.add_row()
            for cell in blank.cells:
                run = cell.paragraphs[0].add_run()
                run.bold, run.font.size = bold, Pt(size)
            blanks[bold] = blank._tr
            table._tbl.remove(blank._tr)
        row = deepcopy(blanks[bold])
        table._tbl.append(row)
        for run, text in zip(row.iter(qn("w:r")), cells, strict=True):
            run.text = _NOT_XML.sub("\ufffd", text)  # tabs and line breaks as Word's own (python-docx)
    return table


def _paragraph(document, text: str, size: float = 10, bold: bool = False, colour: RGBColor | None = None,
               style: str | None = None):  # fmt: skip
    paragraph = document.add_paragraph(style=style)
    run = _run(paragraph, text)
    run.bold, run.font.size = bold, Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    return paragraph


def _brief(document, content: ReportContent) -> None:
    _run(document.add_heading(level=0), content.agreement_title)
    if content.short_title:
        _paragraph(document, content.short_title, 12, colour=MUTED)
    parties = content.parties_text()
    lines = [("Signed", content.signed or "—"), ("Parties", parties or "—"),
              ("Status as of", content.as_of.isoformat()),
              ("Changes since", content.since.isoformat() if content.since else "—"),
              ("Prepared by", content.prepared_by)]  # fmt: skip
    _table(document, None, [list(line) for line in lines], 9.5)
    document.add_heading("Key findings from the record", level=1)
    _paragraph(
        document,
        f"Computed by Accord Desk from the record as of {content.as_of.isoformat()}. These are findings, "
        "not judgements: the officer's own assessment follows.",
        8.5, colour=MUTED,
    )  # fmt: skip
    for number, finding in enumerate(content.findings, start=1):
        _paragraph(document, f"Finding {number}. {finding.headline}", 10.5, bold=True)
        for line in finding.evidence:
            _paragraph(document, line, 9, style="List Bullet")
    document.add_heading("The officer's assessment", level=1)
    if not content.officer_summary.strip():
        _paragraph(document, "No assessment in words was given for this report.", 10, colour=MUTED)
    else:
        _paragraph(document, f"In the words of {content.prepared_by}:", 8.5, colour=MUTED)
        for line in content.officer_summary.splitlines():
            _paragraph(document, line, 10.5)
    document.add_page_break()


def _record(document, content: ReportContent, figures: FigurePictures) -> None:
    document.add_heading("Summary", level=1)
    for sentence in content.summary:
        _paragraph(document, sentence)
    statuses = [s for s in STATUS_SEVERITY if any(counts.get(s) for _, counts in content.counts_by_party)]
    if statuses:
        rows = [[name] + [str(counts.get(s, "")) for s in statuses] for name, counts in content.counts_by_party]
        _table(document, ["Obligor"] + [s.label for s in statuses], rows, 9)
    document.add_heading("Obligations", level=1)
    rows = [
        [("   " * r.depth) + r.ref, r.title, r.obligors, r.deadline,
         r.status.label + (f" (computed: {r.computed.label.lower()})" if r.computed != r.status else ""), r.reason]
        for r in content.rows
    ]  # fmt: skip
    _table(document, ["Ref", "Obligation", "Obligors", "Deadline", "Status", "Reason"], rows)
    if content.metrics:
        document.add_heading("Trajectories", level=1)
        for index in range(len(content.metrics)):
            document.add_picture(BytesIO(figures.png(index)), width=Mm(180))
    if content.since is not None:
        document.add_heading(f"What changed since {content.since.isoformat()}", level=1)
        if content.changes:
            rows = [[c.ref, c.title, c.before.label, c.after.label, "\n".join(c.evidence) or c.reason]
                    for c in content.changes]  # fmt: skip
            _table(document, ["Ref", "Obligation", "Was", "Now", "Evidence"], rows)
        else:
            _paragraph(document, "No obligation changed status in the period.", colour=MUTED)
    scope = "all events" if content.events_scope == EVENTS_ALL else "events linked to obligations"
    period = f"{content.since.isoformat()} to " if content.since else "to "
    document.add_heading(f"Event chronology ({scope}, {period}{content.as_of.isoformat()})", level=1)
    rows = chronology_rows(content.chronology)
    if rows is None:
        _paragraph(document, "No events in the period.", colour=MUTED)
    else:
        _table(document, ["When", "What", "Where", "Notes", "Source", "Obligations"], rows)
    document.add_heading("Provenance", level=1)
    _table(document, None, [
        ["Prepared by", content.prepared_by],
        ["Generated", content.generated_at.strftime("%Y-%m-%d %H:%M UTC")],
        ["Database fingerprint", f"SHA-256 {content.fingerprint}"],
        ["Audit chain head", content.chain_head],
    ], 8.5)  # fmt: skip


def docx_figures(content: ReportContent) -> FigurePictures:
    """The figures write_docx needs, to be recorded on the UI thread first (FigurePictures.steps)."""
    return FigurePictures(content.metrics, content.as_of, FIGURE_WIDTH, FIGURE_HEIGHT)


def write_docx(
    content: ReportContent, path: Path, *, marking: str = "", page_size: str = "a4",
    figures: FigurePictures | None = None, stop: Callable[[], bool] | None = None,
) -> None:  # fmt: skip
    """Write the Word copy atomically. Raises UserError when it cannot be written whole, ExportCancelled
    (and no file) when `stop()` says so before the file is in place. Without recorded `figures`, they are
    recorded here, which only the UI thread may do (the command line)."""
    figures = figures or docx_figures(content).record_all()
    document = Document()
    document.core_properties.title = (
        f"{content.agreement_title} — compliance summary as of {content.as_of.isoformat()}"
    )
    document.core_properties.author = content.prepared_by
    _page_furniture(document, content, marking, page_size)
    _brief(document, content)
    _record(document, content, figures)
    with atomic_path(path, whole=framed(b"PK\x03\x04", b"PK\x05\x06")) as partial:
        document.save(str(partial))
        if stop is not None and stop():  # the temporary file goes; the destination stays as it was
            raise ExportCancelled()
