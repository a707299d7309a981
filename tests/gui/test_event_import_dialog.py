"""Importing events in the window: the worker thread, progress, Cancel and errors leave the database
unchanged, and the desk is told afterwards; the dry run first and the officer's choice, in plain text."""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlmodel import select

from db.models import Event
from gui import file_dialog
from gui.event_import_dialog import EventImport, ImportChoice, import_events_interactively
from tests.gui.event_helpers import events_in

DATA = Path(__file__).parents[1] / "data"


def run_import(qtbot, desk, path, cancel: bool = False, **options) -> EventImport:
    running = EventImport(desk, path, interactive=False, **options)
    if cancel:
        running.cancel()  # the first progress callback already returns False
    with qtbot.waitSignal(running.finished, timeout=20_000):
        running.start()
    return running


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_import_runs_in_a_thread_and_reports(qtbot, desk):
    before = events_in(desk.store)
    with qtbot.waitSignal(desk.record_changed):
        running = run_import(qtbot, desk, DATA / "acled_afghanistan.csv")
    assert running.report is not None, running.message
    assert events_in(desk.store) == before + len(running.report.added) > before
    assert "Added" in running.message
    assert running.worker.told > 0  # the import reported its progress
    again = run_import(qtbot, desk, DATA / "acled_afghanistan.csv")
    assert again.report.added == [] and events_in(desk.store) == before + len(running.report.added)
    newer = run_import(qtbot, desk, DATA / "acled_afghanistan_newer.csv")
    assert newer.report.updated or newer.report.added or newer.report.missing


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_cancel_leaves_the_database_unchanged(qtbot, desk):
    before = events_in(desk.store)
    running = run_import(qtbot, desk, DATA / "acled_afghanistan_pre2023.csv", cancel=True)
    assert running.cancelled and running.report is None
    assert "cancelled" in running.message
    assert events_in(desk.store) == before


def test_quitting_the_application_cancels_the_import(qtbot, desk, qapp):
    before = events_in(desk.store)
    running = EventImport(desk, DATA / "acled_afghanistan.csv", interactive=False)
    qapp.aboutToQuit.emit()  # before the worker's first check, so the outcome does not race it
    with qtbot.waitSignal(running.finished, timeout=20_000):
        running.start()
    assert running.cancelled and running.report is None
    assert events_in(desk.store) == before


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_an_invalid_file_is_one_sentence_and_changes_nothing(qtbot, desk, tmp_path):
    good = (DATA / "acled_afghanistan.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "\n".join([good[0], good[1].replace("2020-03-03", "2020-02-30", 1)]) + "\n", encoding="utf-8"
    )
    before = events_in(desk.store)
    running = run_import(qtbot, desk, bad)
    assert running.report is None and not running.cancelled
    assert "2020-02-30" in running.message and "Traceback" not in running.message
    assert events_in(desk.store) == before


# In the window: a dry run first, then the officer's choice (ImportChoice), then the import.


def acled_file(folder: Path, name: str = "events.csv", **cells: str) -> Path:
    """The ACLED fixture under another name; `cells` maps a text of the file to what replaces it once."""
    text = (DATA / "acled_afghanistan.csv").read_text(encoding="utf-8")
    for old, new in cells.items():
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def external_ids(store) -> set[str]:
    with store.reading() as session:
        return set(session.exec(select(Event.external_id)).all())


def choose_file(qtbot, desk, monkeypatch, path: Path) -> EventImport:
    """File ▸ Import events… with `path` picked in the (OS) file dialog; returns once the choice shows."""
    monkeypatch.setattr(file_dialog, "open_file_name", lambda *args: str(path))
    running = import_events_interactively(desk)
    qtbot.waitUntil(lambda: running.choice is not None and running.choice.isVisible(), timeout=20_000)
    return running


def press(qtbot, running: EventImport, button) -> None:
    with qtbot.waitSignal(running.finished, timeout=20_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def buttons_of(choice: ImportChoice) -> list[str]:
    return [button.text() for button in choice.findChildren(QPushButton)]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_a_dry_run_writes_nothing(qtbot, desk):
    before = events_in(desk.store)
    with qtbot.assertNotEmitted(desk.record_changed, wait=100):
        running = run_import(qtbot, desk, DATA / "acled_afghanistan.csv", dry_run=True, skip_invalid=True)
    assert running.report.dry_run and running.report.added, running.message
    assert f"Would add {len(running.report.added)}," in running.message
    assert events_in(desk.store) == before


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_choice_shows_what_would_be_added_and_writes_nothing_yet(qtbot, desk, monkeypatch):
    before = events_in(desk.store)
    running = choose_file(qtbot, desk, monkeypatch, DATA / "acled_afghanistan.csv")
    added = len(running.report.added)
    assert added > 0 and running.report.dry_run
    choice = running.choice
    assert f"would add {added} and update 0 events" in choice.heading.text()
    assert f"Would add {added}, would update 0, unchanged" in choice.details.toPlainText()
    assert buttons_of(choice) == ["Import", "Cancel"] and choice.go_button.isDefault()
    assert events_in(desk.store) == before
    press(qtbot, running, choice.findChildren(QPushButton)[1])  # Cancel, so the test leaves no thread


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_choosing_import_writes_the_events(qtbot, desk, monkeypatch):
    from db import event_file

    before = events_in(desk.store)
    running = choose_file(qtbot, desk, monkeypatch, DATA / "acled_afghanistan.csv")
    would_add = list(running.report.added)
    passes = []  # over the file's rows
    real = event_file._Rows.chunks
    monkeypatch.setattr(event_file._Rows, "chunks", lambda rows: passes.append(1) or real(rows))
    with qtbot.waitSignal(desk.record_changed):
        press(qtbot, running, running.choice.go_button)
    assert passes == [1]  # read, checked and written in one pass
    assert not running.report.dry_run and running.report.added == would_add
    assert running.worker.checked is None and running.report.checked is None  # let go
    assert events_in(desk.store) == before + len(would_add)
    assert f"Added {len(would_add)}," in running.outcome.text()
    running.outcome.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_cancel_in_the_choice_writes_nothing(qtbot, desk, monkeypatch):
    before = events_in(desk.store)
    running = choose_file(qtbot, desk, monkeypatch, DATA / "acled_afghanistan.csv")
    cancel = next(b for b in running.choice.findChildren(QPushButton) if b.text() == "Cancel")
    with qtbot.assertNotEmitted(desk.record_changed, wait=100):
        press(qtbot, running, cancel)
    assert running.report.dry_run and running.outcome is None
    assert events_in(desk.store) == before


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_invalid_rows_are_listed_and_only_the_valid_rows_imported(qtbot, desk, monkeypatch, tmp_path):
    broken = acled_file(tmp_path, **{"2020-03-03": "2020-02-30"})  # AFG40001's event_date
    before, ids_before = events_in(desk.store), external_ids(desk.store)
    running = choose_file(qtbot, desk, monkeypatch, broken)
    choice, report = running.choice, running.report
    assert [problem.line for problem in report.skipped] == [2]
    assert "events.csv has 1 invalid row, listed below" in choice.heading.text()
    assert "line 2" in choice.details.toPlainText() and "2020-02-30" in choice.details.toPlainText()
    assert buttons_of(choice) == ["Import the valid rows", "Cancel"] and choice.go_button.isDefault()
    would_add = set(report.added)
    assert would_add and "AFG40001" not in would_add
    press(qtbot, running, choice.go_button)
    assert set(running.report.added) == would_add
    assert events_in(desk.store) == before + len(would_add)
    assert external_ids(desk.store) - ids_before == would_add
    running.outcome.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_nothing_to_import_offers_close_only(qtbot, desk, monkeypatch):
    run_import(qtbot, desk, DATA / "acled_afghanistan.csv")
    before = events_in(desk.store)
    running = choose_file(qtbot, desk, monkeypatch, DATA / "acled_afghanistan.csv")
    assert running.choice.go_button is None and buttons_of(running.choice) == ["Close"]
    assert running.choice.heading.text().startswith("Nothing to import: every event in acled_afghanistan.csv")
    press(qtbot, running, running.choice.findChildren(QPushButton)[0])
    assert events_in(desk.store) == before


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_a_refused_file_is_explained_with_close_only(qtbot, desk, monkeypatch, tmp_path):
    refused = tmp_path / "notes.csv"
    refused.write_text("name,remark\nKabul,not an event file\n", encoding="utf-8")
    running = choose_file(qtbot, desk, monkeypatch, refused)
    assert running.report is None and "notes.csv, line 1" in running.message
    assert running.choice.heading.text() == "notes.csv cannot be imported:"
    assert running.choice.details.toPlainText() == running.message
    assert buttons_of(running.choice) == ["Close"]
    press(qtbot, running, running.choice.findChildren(QPushButton)[0])


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_hostile_text_shows_literally(qtbot, desk, monkeypatch, tmp_path):
    hostile = '<img src="file:///etc/hostname">'
    name = '<b>events<img src="hostname">.csv'
    path = acled_file(tmp_path, name, Taliban=hostile, **{"2020-03-04": "<i>4 March</i>"})
    running = choose_file(qtbot, desk, monkeypatch, path)
    choice = running.choice
    assert choice.heading.textFormat() == Qt.TextFormat.PlainText
    assert choice.heading.text().startswith(f"{name} has 1 invalid row")
    assert f"New actors: {hostile}" in choice.details.toPlainText()
    assert "<i>4 March</i>" in choice.details.toPlainText()
    assert running.progress.findChild(QLabel).textFormat() == Qt.TextFormat.PlainText
    press(qtbot, running, choice.go_button)
    assert running.outcome.textFormat() == Qt.TextFormat.PlainText and name in running.outcome.text()
    running.outcome.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_dates_that_read_either_way_are_asked_for_and_read_so(qtbot, desk, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(file_dialog, "open_file_name", lambda *args: str(DATA / "acled_excel_dates.csv"))
    running = import_events_interactively(desk)
    qtbot.waitUntil(lambda: running.question is not None and running.question.isVisible(), timeout=20_000)
    question = running.question
    assert question.textFormat() == Qt.TextFormat.PlainText
    assert "dates such as '05/09/2020' read as day/month or month/day" in question.text()
    assert [b.text() for b in question.buttons() if question.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole] == [
        "&Day first (31/12/2019)", "&Month first (12/31/2019)",
    ]  # fmt: skip
    qtbot.mouseClick(running.order_buttons["mdy"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: running.choice is not None and running.choice.isVisible(), timeout=20_000)
    assert "Dates read month first, as given." in running.choice.details.toPlainText()
    before = events_in(desk.store)
    press(qtbot, running, running.choice.go_button)
    assert events_in(desk.store) == before + 5
    with desk.store.reading() as session:
        on = session.exec(select(Event.occurred_on).where(Event.external_id == "AFG60004")).one()
    assert on.isoformat() == "2020-06-10"
    running.outcome.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_cancelling_the_date_question_writes_nothing(qtbot, desk, monkeypatch):
    monkeypatch.setattr(file_dialog, "open_file_name", lambda *args: str(DATA / "acled_excel_dates.csv"))
    before = events_in(desk.store)
    running = import_events_interactively(desk)
    qtbot.waitUntil(lambda: running.question is not None and running.question.isVisible(), timeout=20_000)
    with qtbot.waitSignal(running.finished, timeout=20_000):
        running.question.reject()
    assert running.cancelled and events_in(desk.store) == before
    running.outcome.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_choice_lists_likely_duplicates_of_the_record_apart(qtbot, desk, monkeypatch, tmp_path):
    """Issue 13: the import's check named no event of the file that the record already held."""
    from tests.db.test_import_duplicates import AMBUSH, ROWS, _file

    running = choose_file(qtbot, desk, monkeypatch, _file(tmp_path, ROWS))
    choice = running.choice
    assert "would add 3 and update 0 events, 1 of the added looking like events already in the record" in (
        choice.heading.text()
    )
    details = choice.details.toPlainText().splitlines()
    at = details.index("Of the events to add, 2 new events and 1 likely duplicate of events already in the record:")
    assert details[at + 1] == f"  AFG50001 looks like {AMBUSH}"
    press(qtbot, running, choice.findChildren(QPushButton)[1])  # Cancel


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_window_puts_imported_events_under_the_current_agreement_and_says_so(qtbot, desk):
    running = run_import(qtbot, desk, DATA / "acled_afghanistan.csv")
    assert running.report is not None, running.message
    with desk.store.reading() as session:
        placed = set(session.exec(select(Event.agreement_id).where(Event.external_id.like("AFG4%"))))
    assert placed == {desk.agreement_id} and desk.agreement_id is not None
    assert "Put 7 new events under US–Taliban agreement." in running.message


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_new_events_from_a_source_file_leave_every_standing_as_it_was(qtbot, desk):
    """A source's file carries no links (they are the officer's), so its new events change no standing:
    the desk says so, and the window evaluates nothing again on the UI thread (issue 15: the refresh after
    an import stalled the window). Events it updates may be linked: then everything is read again."""
    told = []
    desk.record_changed.connect(lambda changes, _initiator: told.append(changes))
    added = run_import(qtbot, desk, DATA / "acled_afghanistan.csv")
    assert added.report.added and not added.report.updated
    (changes,) = told
    assert changes.log and changes.actors and not changes.statuses and not changes.everything
    told.clear()
    updating = run_import(qtbot, desk, DATA / "acled_afghanistan_newer.csv")
    assert updating.report.updated
    assert [changes.everything for changes in told] == [True]
