"""The PDF summary: its text (via pdftotext), every page's marking and footer, hostile text, atomic writes."""

import re
import shutil
import subprocess
import unicodedata
from datetime import date

import pytest
from sqlmodel import select

from db.errors import UserError
from db.models import Actor, Event
from db.report_content import report_content
from gui.report_pdf import ExportCancelled, write_report

MARKING = "UNCLASSIFIED // FOR OFFICIAL USE ONLY"
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


def pages_text(path) -> list[str]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # NFKC turns Arabic presentation forms, which pdftotext reports, back into letters.
    text = unicodedata.normalize("NFKC", text)
    return [re.sub(r"\s+", " ", page) for page in text.split("\f") if page.strip()]


def _content(store, **kw):
    with store.reading() as session:
        return report_content(session, None, date(2021, 9, 1), **kw)


@pytest.fixture
def report(qapp, example_store, tmp_path):
    path = tmp_path / "summary.pdf"
    pages = write_report(_content(example_store, since=date(2020, 9, 1)), path, marking=MARKING)
    return path, pages


def test_sections_figures_and_statuses(report):
    path, pages = report
    text = pages_text(path)
    assert len(text) == pages >= 3
    whole = " ".join(text)
    for section in ("Agreement for Bringing Peace to Afghanistan", "Summary", "Obligations", "Trajectories",
                    "What changed since 2020-09-01", "Event chronology"):  # fmt: skip
        assert section in whole
    assert "As of 2021-09-01: 7 of 19 obligations met (4 late), 3 overdue, 9 unknown." in whole
    assert "four months after its deadline 2021-04-29" in whole
    assert (
        "US troops in Afghanistan" in whole and "8,600 (P1-A.1)" in whole
    )  # the figure's own text, as vectors
    assert "P1-B deadline" in whole
    assert re.search(r"P1-B .*Met late", whole)
    assert "Database fingerprint SHA-256 " in whole
    assert re.search(r"Audit chain head entry [0-9,]+, SHA-256 [0-9a-f]{12}", whole)
    assert "2021-08-30 Last US aircraft leaves Kabul" in whole


def test_every_page_has_the_marking_and_page_x_of_y(report):
    path, pages = report
    for number, page in enumerate(pages_text(path), start=1):
        assert page.count(MARKING) >= 2  # header and footer
        assert f"Page {number} of {pages}" in page


def test_letter_size(qapp, example_store, tmp_path):
    path = tmp_path / "letter.pdf"
    write_report(_content(example_store), path, page_size="letter")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "612 x 792 pts" in info


def test_user_text_is_never_interpreted_and_scripts_render(qapp, example_store, tmp_path):
    hostile = '<img src="file:///etc/hostname"> <b>bold</b> & "quoted"'
    with example_store.writing("Edit") as session:
        event = session.exec(select(Event).where(Event.occurred_on == date(2020, 9, 12))).first()
        event.notes = hostile
        session.exec(select(Actor).where(Actor.name == "Taliban")).one().name = "طالبان Талибан"
    path = tmp_path / "hostile.pdf"
    write_report(_content(example_store, since=date(2020, 9, 1)), path)
    whole = " ".join(pages_text(path))
    assert hostile in whole
    assert "Талибан" in whole
    assert "طالبان" in whole
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansArabic" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    assert b"/etc/hostname" not in path.read_bytes().replace(b"file:///etc/hostname", b"")  # nothing loaded


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_cancel_leaves_the_existing_file_untouched(qapp, example_store, out):
    path = out / "summary.pdf"
    path.write_bytes(b"the chief's copy")
    with pytest.raises(ExportCancelled):
        write_report(_content(example_store), path, progress=lambda done, total: done < 2)
    assert path.read_bytes() == b"the chief's copy"
    assert [p.name for p in out.iterdir()] == ["summary.pdf"]


def test_a_failure_midway_leaves_no_partial_file(qapp, example_store, out, monkeypatch):
    import gui.report_pdf as report_pdf

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_pdf, "_header_footer", broken)
    with pytest.raises(RuntimeError):
        write_report(_content(example_store), out / "new.pdf")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("where", ["missing folder", "folder"])
def test_unwritable_destination_gets_a_clear_message(qapp, example_store, tmp_path, where):
    target = tmp_path / "nowhere" / "x.pdf" if where == "missing folder" else tmp_path
    with pytest.raises(UserError, match="does not exist|is a folder"):
        write_report(_content(example_store), target)
