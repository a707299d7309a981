"""The event log as part of the main window: its dock beside the trajectory, the File menu's import
and export, Ctrl+E in the Edit menu, and the evidence filter following the tree's selection."""

import pytest

from gui.main_window import MainWindow
from tests.gui.helpers import find


@pytest.fixture
def window(qtbot, desk, settings_folder):
    widget = MainWindow(desk)
    qtbot.addWidget(widget)
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
    assert all("Intro-4" in shown.index(r, 7).data() for r in range(shown.rowCount()))
