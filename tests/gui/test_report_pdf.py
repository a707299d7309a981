"""The PDF summary: its text (via pdftotext), every page's marking and footer, hostile text, atomic writes."""

import re
import shutil
import subprocess
import unicodedata
from datetime import date

import pytest
from sqlmodel import select

from db.errors import ExportCancelled, UserError
from db.models import Actor, Event
from db.report_content import report_content
from gui.report_pdf import write_report
from tests.reports import content_read

MARKING = "UNCLASSIFIED // FOR OFFICIAL USE ONLY"
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


def pages_text(path) -> list[str]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # NFKC turns Arabic presentation forms, which pdftotext reports, back into letters.
    text = unicodedata.normalize("NFKC", text)
    return [re.sub(r"\s+", " ", page) for page in text.split("\f") if page.strip()]


def _content(store, **kw):
    return content_read(store, None, date(2021, 9, 1), **kw)


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
    assert "2021-08-30 Last US aircraft leaves Kabul" in whole


HOSTILE_SUMMARY = (
    "The drawdown is done; the prisoner track lagged six months.\n"
    '<b>not bold</b> & <img src="file:///etc/hostname"> %s {0} \\n stays as typed.\n'
    "\n"
    "Recommend: keep P1-C.3 on the agenda — Талибан"
)


@pytest.fixture
def brief(qapp, example_store, tmp_path):
    path = tmp_path / "brief.pdf"
    content = _content(example_store, since=date(2020, 9, 1), prepared_by="Farida Rahimi, Afghanistan desk",
                       officer_summary=HOSTILE_SUMMARY)  # fmt: skip
    write_report(content, path)
    return pages_text(path)


def test_page_one_is_the_brief_with_key_findings_and_their_figures(brief):
    first = brief[0]
    assert "Agreement for Bringing Peace to Afghanistan" in first and "Status as of 2021-09-01" in first
    assert "Key findings from the record" in first
    assert "These are findings, not judgements" in first
    assert "Finding 1. 7 of 19 obligations met (4 late) as of 2021-09-01; 3 overdue, 9 unknown." in first
    assert "Finding 2. 3 obligations overdue; the longest, P1-E, by 460 days." in first
    assert "due 2020-05-29, 460 days late" in first
    assert "Finding 3. 3 obligations met since 2020-09-01, 3 of them late." in first
    assert "2020-09-12 Intra-Afghan negotiations open in Doha (B2)" in first
    assert "Finding 4. 9 obligations cannot be judged from the record" in first
    assert "Obligations" not in first.replace("9 obligations", "")  # the record's detail starts on page 2
    # the party list names the actors each party groups (db.parties)
    assert (
        "Afghan government (non-signatory, counting Government of Afghanistan (2014-2021), Military Forces of "
        "Afghanistan (2014-2021), Police Forces of Afghanistan (2014-2021))" in first
    )
    assert "Qatar (mediator);" in first


def test_the_officers_words_are_on_page_one_verbatim(brief):
    first = brief[0]
    assert "The officer's assessment" in first and "In the words of Farida Rahimi, Afghanistan desk:" in first
    for line in filter(None, HOSTILE_SUMMARY.splitlines()):
        assert re.sub(r"\s+", " ", line) in first


def test_no_login_name_where_an_officer_is_named(brief):
    whole = " ".join(brief)
    assert "Prepared by Farida Rahimi, Afghanistan desk" in whole
    assert not re.search(r"\broot\b", whole)


def test_provenance_is_on_the_last_page_only(brief):
    last = brief[-1]
    assert "Provenance" in last
    assert re.search(r"Database fingerprint SHA-256 [0-9a-f]{64}", last)
    assert re.search(r"Audit chain head entry [0-9,]+, SHA-256 [0-9a-f]{64}", last)
    assert not any("fingerprint" in page or "chain head" in page for page in brief[:-1])


def test_no_words_given_says_so(qapp, example_store, tmp_path):
    path = tmp_path / "plain.pdf"
    write_report(_content(example_store), path)
    assert "No assessment in words was given for this report." in pages_text(path)[0]


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


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
@pytest.mark.parametrize("as_of", [date(2020, 3, 1), date(2020, 3, 10), date(2021, 9, 1)])
def test_poppler_renders_every_page_without_a_complaint(qapp, example_store, tmp_path, as_of):
    """As of a date before any observation the figures have no gap to shade: nothing is painted for it
    (an empty path made Qt write a closepath that poppler calls a syntax error)."""
    path = tmp_path / "summary.pdf"
    with example_store.reading() as session:
        write_report(report_content(session, None, as_of), path)
    done = subprocess.run(["pdftoppm", "-png", "-r", "20", str(path), str(tmp_path / "page")], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")


def test_the_chronology_shows_a_ucdp_range_as_a_range(qapp, example_store, tmp_path):
    from pathlib import Path

    from db.event_import import import_events
    from db.report_content import EVENTS_ALL

    import_events(example_store, Path(__file__).parents[1] / "data" / "ucdp_ged_afghanistan.csv")
    path = tmp_path / "ranges.pdf"
    write_report(_content(example_store, since=date(2020, 2, 29), events=EVENTS_ALL), path, marking=MARKING)
    text = " ".join(pages_text(path))
    assert "2020-03-02 to 2020-03-06" in text and "2020-04-01 to 2020-04-30" in text
