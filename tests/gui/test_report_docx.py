"""The Word summary's tables: made from copies of one blank row (gui.report_docx._table), they hold what
python-docx makes cell by cell, and the chronology streams into them from the reading."""

from datetime import date

from docx import Document
from docx.shared import Pt
from lxml import etree

from db.report_content import EVENTS_ALL, report_content
from gui.report_docx import _NOT_XML, _table, write_docx

HEADER = ["Ref", "Obligation", "Notes"]
ROWS = [
    ["   P1-A.1", "Withdraw\nall forces", "tab\there"],
    [" lead and trail ", "", "a bell\x07 and <b>markup</b> & more"],
    ["P2", "Release prisoners", "2020-09-12 Intra-Afghan negotiations open in Doha (B2)\n2020-11-17 Troops"],
]


def _cell_by_cell(document, header, rows, size):
    """python-docx's own way, row by row and cell by cell: what the copies must equal."""
    table = document.add_table(rows=0, cols=len(header or rows[0]))
    table.style = "Table Grid"
    for cells, bold in ([(header, True)] if header else []) + [(row, False) for row in rows]:
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            run = cell.paragraphs[0].add_run(_NOT_XML.sub("\ufffd", text))
            run.bold, run.font.size = bold, Pt(size)
    return table


def test_a_table_holds_what_python_docx_makes_cell_by_cell():
    for header in (HEADER, None):
        ours, theirs = Document(), Document()
        made = _table(ours, header, iter(ROWS), 9)
        expected = _cell_by_cell(theirs, header, ROWS, 9)
        assert etree.tostring(made._tbl) == etree.tostring(expected._tbl)
        assert [[c.text for c in row.cells] for row in made.rows][-1][2].startswith("2020-09-12 Intra")


def test_the_word_chronology_of_all_events_is_read_from_the_reading(qapp, example_store, tmp_path):
    path = tmp_path / "all.docx"
    with example_store.reading() as session:
        content = report_content(session, None, date(2021, 9, 1), events=EVENTS_ALL)
        write_docx(content, path)
        expected = [row[0] for row in session.connection().exec_driver_sql(
            "SELECT count(*) FROM event WHERE occurred_on <= '2021-09-01'")][0]  # fmt: skip
    chronology = Document(str(path)).tables[-2]  # before the provenance
    assert [c.text for c in chronology.rows[0].cells] == ["When", "What", "Where", "Notes", "Source", "Obligations"]
    assert len(chronology.rows) - 1 == expected
    assert chronology.rows[-1].cells[3].text == "United States: Last US aircraft leaves Kabul at 15:29 EDT; US withdrawal complete"


def test_a_period_without_events_says_so_in_word(qapp, example_store, tmp_path):
    path = tmp_path / "none.docx"
    with example_store.reading() as session:
        write_docx(report_content(session, None, date(2020, 2, 21)), path)  # before the first event
    assert "No events in the period." in [p.text for p in Document(str(path)).paragraphs]
