"""Help > Check the record: the check runs in the background and its finding is shown as plain text."""

import pytest

from gui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _check_from_the_menu(qtbot, desk) -> str:
    window = MainWindow(desk)
    qtbot.addWidget(window)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text() == "&Check the record…").trigger()
    dialog = window.check_dialog
    qtbot.waitUntil(lambda: dialog.whole is not None)
    return dialog.text.toPlainText()


def test_a_whole_record_says_so(qtbot, desk, settings_folder):
    assert _check_from_the_menu(qtbot, desk).startswith("The record is whole: ")


def test_a_tampered_record_names_what_is_wrong(qtbot, desk, settings_folder):
    with desk.store.engine.connect() as connection:  # SQL past the desk, as another program would
        connection.exec_driver_sql("UPDATE obligation SET title = '<b>Nothing</b>' WHERE ref = 'P1-A.1'")
        connection.commit()
    text = _check_from_the_menu(qtbot, desk)
    assert text.startswith("The record is not whole: 2 problems.")
    assert "Obligation P1-A.1 differs from audit entry " in text
    assert "The content digest kept in the record does not match its rows in obligation: " in text
