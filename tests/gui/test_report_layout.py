"""Clean pages: every text painted into the PDF fits the cell it is painted in, and no table leaves its
last row alone on a page."""

from datetime import date

import pytest
from PySide6.QtCore import QMarginsF, QRectF
from PySide6.QtGui import QFontMetricsF, QPageLayout, QPageSize, QPdfWriter
from sqlmodel import select

from db.ids import new_id
from db.models import Actor, Event, Obligation
from db.obligations import add_assessment
from gui import pdf_layout
from gui.pdf_layout import Column, Flow, font, table
from gui.report_pdf import write_report
from tests.reports import content_read

SLACK = 0.5  # of a pixel: rounding of glyph advances


@pytest.fixture
def painted(monkeypatch):
    """Every text the report paints, with the rectangle it is painted in and the painter's device."""
    seen = []
    draw, draw_aligned = pdf_layout.Texts.draw, pdf_layout.Texts.draw_aligned

    def recording_draw(self, painter, text, text_font, cell, colour=pdf_layout.INK):
        _, flags, _, used = self._measure(text, text_font, cell.width())  # the font of the text's script
        seen.append((text, used, QRectF(cell), flags, painter.device()))
        draw(self, painter, text, text_font, cell, colour)

    def recording_aligned(self, painter, text, text_font, rect, alignment, colour=pdf_layout.INK):
        seen.append((text, pdf_layout.script_font(text, text_font), QRectF(rect), int(alignment), painter.device()))
        draw_aligned(self, painter, text, text_font, rect, alignment, colour)

    monkeypatch.setattr(pdf_layout.Texts, "draw", recording_draw)
    monkeypatch.setattr(pdf_layout.Texts, "draw_aligned", recording_aligned)
    return seen


def _overflowing(seen) -> list[str]:
    """Texts whose own measure, taken afresh, needs more room than the rectangle they were painted in."""
    wrong = []
    for text, text_font, rect, flags, device in seen:
        needed = QFontMetricsF(text_font, device).boundingRect(QRectF(0, 0, rect.width(), 1e7), flags, text)
        if needed.width() > rect.width() + SLACK or needed.height() > rect.height() + SLACK:
            wrong.append(f"{text[:40]!r}: needs {needed.width():.1f}×{needed.height():.1f} in {rect.width():.1f}×{rect.height():.1f}")
    return wrong


def _make_it_hard(store) -> None:
    """What a real record holds: an assessed status over another computed one, a word wider than any
    column, a long obligor's name, and a long marking-sized source name."""
    with store.writing("Edit") as session:
        event = session.exec(select(Event).where(Event.occurred_on == date(2020, 9, 12))).first()
        event.notes = "https://example.org/" + "x" * 300
        event.source_name = "Ministry-of-Foreign-Affairs-press-office-daily-bulletin-number-1234567"
        session.exec(select(Actor).where(Actor.name == "Taliban")).one().name = (
            "Islamic Emirate of Afghanistan (Taliban), as it calls itself in the agreement's own text"
        )
        obligation = session.exec(select(Obligation).where(Obligation.ref == "P1-C.3")).one()
        obligation.title = "Release " + "all remaining prisoners " * 6
        overdue = session.exec(select(Obligation.id).where(Obligation.ref == "P1-E")).one()
        add_assessment(session, overdue, date(2020, 6, 2), "met", 2, "low", "Reported, not confirmed", "tester", new_id())


@pytest.mark.parametrize("page_size", ["a4", "letter"])
def test_every_painted_text_fits_its_cell(qapp, example_store, tmp_path, painted, page_size):
    _make_it_hard(example_store)
    content = content_read(example_store, None, date(2020, 9, 20), since=date(2020, 6, 1),
                           prepared_by="Farida Rahimi, Afghanistan desk", officer_summary="word " * 3000 + "y" * 900)  # fmt: skip
    marking = "UNCLASSIFIED // FOR OFFICIAL USE ONLY // RELEASABLE TO THE MINISTRY"
    pages = write_report(content, tmp_path / "hard.pdf", marking=marking, page_size=page_size)
    assert pages > 3 and len(painted) > 300
    assert any("computed: " in text for text, *_ in painted)  # the badge's note, once clipped
    wrong = _overflowing(painted)
    assert not wrong, "\n".join(wrong)


def test_the_measure_sees_a_cell_too_small(qapp, tmp_path, painted):
    """The check above can fail: a text painted in less room than it needs is reported."""
    writer = QPdfWriter(str(tmp_path / "x.pdf"))
    writer.setResolution(96)
    from PySide6.QtGui import QPainter

    painter = QPainter(writer)
    pdf_layout.Texts(writer).draw(painter, "computed: overdue", font(9), QRectF(0, 0, 40, 10))
    painter.end()
    assert len(_overflowing(painted)) == 1


def _flow(tmp_path) -> Flow:
    writer = QPdfWriter(str(tmp_path / "flow.pdf"))
    writer.setResolution(96)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF()))  # fmt: skip
    return Flow(writer, writer.width(), writer.height(), 48, 28, 28)


def _rows_by_page(flow: Flow, number: int) -> list[list[int]]:
    return [[b.tag[2] for b in page.blocks if b.tag[:2] == ("row", number)] for page in flow.pages]


@pytest.mark.parametrize("rows", range(40, 60))
def test_the_last_row_never_stands_alone_on_a_page(qapp, tmp_path, rows):
    flow = _flow(tmp_path)
    flow.paragraph("Intro", font(11))
    table(flow, [Column("Ref", 1), Column("Text", 4)], [[str(i), f"row {i}"] for i in range(rows)], font(9))
    placed = [found for found in _rows_by_page(flow, 1) if found]
    assert sum(placed, []) == list(range(rows))
    assert all(len(found) > 1 for found in placed), placed
    for page in flow.pages[1:]:  # the header repeats, and never ends a page without a row under it
        tags = [b.tag[0] for b in page.blocks if b.tag]
        assert tags[0] == "header" and tags[-1] == "row"


def test_no_table_of_the_example_report_leaves_a_row_alone(qapp, example_store, tmp_path):
    from gui.report_pdf import _layout

    content = content_read(example_store, None, date(2021, 9, 1), since=date(2020, 9, 1))
    writer = QPdfWriter(str(tmp_path / "layout.pdf"))
    writer.setResolution(96)
    flow = _layout(content, writer, "")
    for number in range(1, flow.tables + 1):
        placed = [found for found in _rows_by_page(flow, number) if found]
        if sum(map(len, placed)) > 1:
            assert all(len(found) > 1 for found in placed), (number, placed)
