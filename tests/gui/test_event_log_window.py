"""The event log as part of the main window: its dock beside the trajectory, the File menu's import
and export, Ctrl+E in the Edit menu, and the evidence filter following the tree's selection."""

import pytest

from gui.event_log_model import OBLIGATIONS
from gui.main_window import MainWindow
from tests.gui.helpers import find


@pytest.fixture
def window(qtbot, desk, settings_folder):
    widget = MainWindow(desk)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: not widget.event_log.filtering)  # the first read runs off the UI thread
    return widget


def _menu_texts(window, title):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == title)
    return [a.text() for a in menu.actions()]


def test_the_event_log_dock_is_tabified_with_the_trajectory(window):
    assert window.event_log_dock in window.tabifiedDockWidgets(window.trajectory_dock)
    assert window.event_log_dock.widget() is window.event_log
    assert window.event_log.count_label.text() == "23 of 23 events"


def test_file_menu_imports_and_exports_events(window):
    texts = _menu_texts(window, "&File")
    assert "&Import events…" in texts and "Export e&vents…" in texts
    assert "&New event…" in _menu_texts(window, "&Edit")
    assert window.event_log.new_action.shortcut().toString() == "Ctrl+E"


def test_the_evidence_filter_follows_the_tree(qtbot, window):
    window.event_log.evidence.setChecked(True)
    window.tree.select(find(window.desk, "Intro-4").id)
    qtbot.waitUntil(lambda: not window.event_log.filtering)  # read off the UI thread
    shown = window.event_log.model
    assert 0 < shown.total < 23
    assert all("Intro-4" in shown.index(r, OBLIGATIONS).data() for r in range(shown.rowCount()))


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_keys_in_the_event_log_never_act_on_the_selected_obligation(qtbot, window, monkeypatch):
    """Found under Xvfb: F2 in the event table opened the obligation form and renamed Intro-3."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView

    asked = []
    monkeypatch.setattr(window.obligation_actions, "ask_obligation", lambda *a, **k: asked.append(a))
    monkeypatch.setattr("gui.obligation_actions.confirm", lambda *a, **k: asked.append(a) or False)
    monkeypatch.setattr("gui.event_log_view.confirm", lambda *a, **k: False)  # no modal box in a test
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts fire only in the active window
    window.event_log_dock.raise_()
    table = window.event_log.table
    qtbot.waitUntil(lambda: window.event_log.model.rowCount() > 0)
    column = next(
        c for c in range(window.event_log.model.columnCount())
        if window.event_log.model.headerData(c, Qt.Orientation.Horizontal) == "Fatalities"
    )  # fmt: skip
    table.setFocus()
    table.setCurrentIndex(window.event_log.model.index(0, column))
    qtbot.keyClick(table, Qt.Key.Key_F2)
    assert table.state() == QAbstractItemView.State.EditingState  # the cell's editor, not the obligation form
    qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Escape)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert asked == []
    window.tree.view.setFocus()
    qtbot.keyClick(window.tree.view, Qt.Key.Key_F2)
    assert len(asked) == 1  # in the tree, F2 still edits the obligation


def test_the_count_of_every_event_survives_a_read_overtaken_by_a_sort(qtbot, desk, settings_folder):
    """A second window on the desk restores its columns (and sort) while its first read runs: "23 of 0"."""
    first = MainWindow(desk)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: not first.event_log.filtering)
    first.close()
    second = MainWindow(desk)
    qtbot.addWidget(second)
    qtbot.waitUntil(lambda: not second.event_log.filtering)
    assert second.event_log.count_label.text() == "23 of 23 events"
