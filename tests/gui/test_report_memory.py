"""The PDF summary of every event holds no more for more events (issue 15): its chronology is read as the
pages are laid out and painted, and each page is dropped once painted, so a million events print in the
memory of a thousand. Measured with tracemalloc (what Python holds: the entries, the cells, the pages'
blocks, the measured texts), the whole report written inside the reading as the command line does."""

import re
import subprocess
import tracemalloc
from datetime import date

from db.agreement_document import parse_document
from db.agreement_load import import_document
from db.report_content import EVENTS_ALL, report_content
from gui.report_pdf import write_report
from tests.synthetic import agreement_document

EVENTS = 1800  # on 900 days from 2020-01-01 (tests.synthetic), two a day
MIB = 1024 * 1024


def _written(store, agreement_id: str, as_of: date, path) -> tuple[int, int]:
    """The peak of what Python held while the report was read and written, and its page count."""
    tracemalloc.start()
    try:
        with store.reading() as session:
            pages = write_report(report_content(session, agreement_id, as_of, events=EVENTS_ALL), path)
        return tracemalloc.get_traced_memory()[1], pages
    finally:
        tracemalloc.stop()


def test_a_report_of_six_times_the_events_holds_no_more(qapp, empty_store, tmp_path):
    with empty_store.writing("Import generated agreement") as session:
        document = agreement_document(level_sizes=(3, 9), events=EVENTS)
        agreement_id = import_document(session, parse_document(document))
    few, few_pages = _written(empty_store, agreement_id, date(2020, 2, 29), tmp_path / "few.pdf")  # 120 events
    many, many_pages = _written(empty_store, agreement_id, date(2023, 1, 1), tmp_path / "many.pdf")  # all 1,800
    assert many_pages > 4 * few_pages
    # Holding the chronology, its cells and its pages took 0.7 MiB more for 1,500 more events; now none.
    assert many - few < 0.25 * MIB, f"{few / MIB:.1f} MiB for {few_pages} pages, {many / MIB:.1f} MiB for {many_pages}"
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "many.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    chronology = text[text.index("Event chronology (all events") : text.rindex("Provenance")]
    printed = [int(number) for number in re.findall(r"Clash (\d+) near", chronology)]
    assert sorted(printed) == list(range(EVENTS))  # every event once
    # in the order of their days (event i happened on day i % 900), whichever page each fell on
    assert [number % 900 for number in printed] == sorted(number % 900 for number in printed)
    assert f"Page {many_pages} of {many_pages}" in text
