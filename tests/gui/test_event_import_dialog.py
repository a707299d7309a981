"""Importing events in the window: the worker thread, progress, Cancel and errors leave the database
unchanged, and the desk is told afterwards."""

from pathlib import Path

import pytest

from gui.event_import_dialog import EventImport
from tests.gui.event_helpers import events_in

DATA = Path(__file__).parents[1] / "data"


def run_import(qtbot, desk, path, cancel: bool = False) -> EventImport:
    running = EventImport(desk, path, interactive=False)
    progressed = []
    running.worker.progressed.connect(lambda done, total: progressed.append((done, total)))
    if cancel:
        running.cancel()  # the first progress callback already returns False
    with qtbot.waitSignal(running.finished, timeout=20_000):
        running.start()
    running.progressed_calls = progressed
    return running


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_import_runs_in_a_thread_and_reports(qtbot, desk):
    before = events_in(desk.store)
    with qtbot.waitSignal(desk.record_changed):
        running = run_import(qtbot, desk, DATA / "acled_afghanistan.csv")
    assert running.report is not None, running.message
    assert events_in(desk.store) == before + len(running.report.added) > before
    assert "Added" in running.message
    assert running.progressed_calls
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
