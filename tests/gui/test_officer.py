"""One identity for the officer: asked once, kept in the settings, shown by reports, the lock and the audit."""

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlmodel import col, select

from db.models import Actor, AuditEntry
from db.officer import Officer, officer, officer_file, saved_officer
from db.writer_lock import lock_path
from gui.officer import OfficerDialog, ask_once
from tests.gui.conftest import OFFICER

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _answer(fill):
    def answer():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, OfficerDialog) and w.isVisible())
        fill(dialog)

    QTimer.singleShot(0, answer)


def test_asked_once_with_the_os_full_name_as_default(qtbot, settings_folder, monkeypatch):
    officer_file().unlink()
    monkeypatch.setattr("gui.officer.full_name", lambda: "Farida Rahimi")
    seen = []

    def fill(dialog):
        seen.append(dialog.name.text())
        dialog.unit.setText("Afghanistan desk")
        dialog.accept()

    _answer(fill)
    assert ask_once() == Officer("Farida Rahimi", "Afghanistan desk")
    assert seen == ["Farida Rahimi"]
    assert ask_once() == Officer("Farida Rahimi", "Afghanistan desk")  # not asked again
    assert seen == ["Farida Rahimi"]


def test_a_cancelled_question_keeps_the_default_and_is_not_asked_again(qtbot, settings_folder, monkeypatch):
    officer_file().unlink()
    monkeypatch.setattr("gui.officer.full_name", lambda: "Farida Rahimi")
    _answer(lambda dialog: dialog.reject())
    assert ask_once() == Officer("Farida Rahimi")
    assert saved_officer() == Officer("Farida Rahimi")


def test_ok_waits_for_a_name(qtbot):
    dialog = OfficerDialog(Officer(""))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.problem.text().startswith("Give your name")
    dialog.name.setText("Farida Rahimi")
    assert ok.isEnabled() and not dialog.problem.isVisibleTo(dialog)


def test_the_window_signs_the_lock_and_the_audit_with_the_officer(qtbot, qapp, settings_folder, example_store):
    from gui.app import run_window

    example_store.close()
    seen = {}

    def look():
        seen["holder"] = json.loads(lock_path(example_store.path).read_text())["user"]
        window = next(w for w in QApplication.topLevelWidgets() if w.inherits("QMainWindow") and w.isVisible())
        seen["user"] = window.desk.store.user
        window.close()

    QTimer.singleShot(0, look)
    assert run_window(example_store.path) == 0
    assert seen == {"holder": OFFICER.label, "user": OFFICER.label}


def _rename_to_jawad(window) -> None:
    """Edit > Officer's name and unit…, answered "Jawad Karimi, Political section"."""

    def fill(dialog):
        dialog.name.setText("Jawad Karimi")
        dialog.unit.setText("Political section")
        dialog.accept()

    _answer(fill)
    window.edit_officer()


def test_edit_officer_changes_who_signs_from_then_on(qtbot, window, monkeypatch):
    _rename_to_jawad(window)
    assert saved_officer() == Officer("Jawad Karimi", "Political section")
    assert officer().label == window.desk.store.user == "Jawad Karimi, Political section"
    with window.desk.store.writing("Rename") as session:
        session.exec(select(Actor).where(Actor.name == "Qatar")).one().name = "State of Qatar"
    with window.desk.store.reading() as session:
        newest = session.exec(select(AuditEntry.who, AuditEntry.action).order_by(col(AuditEntry.id).desc())).first()
    assert tuple(newest) == ("Jawad Karimi, Political section", "Rename")


def test_a_new_name_reaches_the_lock_file_at_once(qtbot, window):
    """The lock file names the new officer as soon as they change their name, not at the next opening."""
    from db.errors import DatabaseInUseError
    from db.store import Store

    path = window.desk.store.path
    before = json.loads(lock_path(path).read_text())
    _rename_to_jawad(window)
    after = json.loads(lock_path(path).read_text())
    assert after == {**before, "user": "Jawad Karimi, Political section"}  # same process, same since
    with pytest.raises(DatabaseInUseError, match="is open in Accord Desk by Jawad Karimi, Political section on "):
        Store.open(path, user="ana")
