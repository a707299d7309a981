"""The trajectory and summary docks, and the status filter, as parts of the main window."""

import pytest

from db.vocabulary import Status
from gui.main_window import MainWindow
from tests.gui.helpers import find


@pytest.fixture
def window(qtbot, desk, settings_folder):
    widget = MainWindow(desk)
    qtbot.addWidget(widget)
    return widget


def _visible_refs(window):
    proxy, refs = window.tree.proxy, []

    def walk(parent):
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            refs.append(proxy.data(index))
            walk(index)

    from PySide6.QtCore import QModelIndex

    walk(QModelIndex())
    return refs


def test_selecting_an_obligation_shows_its_metric(window):
    window.tree.select(find(window.desk, "P1-C.2").id)
    assert window.trajectory.series.name == "Afghan government personnel released by the Taliban"
    window.tree.select(find(window.desk, "P1-B").id)
    assert window.trajectory.series.name == "US troops in Afghanistan"


def test_status_filter_keeps_matching_obligations_and_their_sections(window):
    window.status_filter.setCurrentIndex(window.status_filter.findData(Status.MET_LATE))
    assert _visible_refs(window) == ["Intro", "Intro-3", "P1", "P1-B", "P1-C", "P1-C.1", "P1-C.2"]
    window.status_filter.setCurrentIndex(0)
    assert len(_visible_refs(window)) == 25


def test_summary_and_export_are_in_reach(window):
    assert window.summary.cell(0, 0) == f"As of {window.desk.as_of.isoformat()}"
    assert window.export_summary_action.shortcut().toString() == "Ctrl+P"
    assert window.trajectory_dock.toggleViewAction() in window.menuBar().actions()[2].menu().actions()
