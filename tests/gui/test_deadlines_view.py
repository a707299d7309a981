"""The Deadlines ahead dock and the status bar's next deadline, on the example."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def shown(view) -> list[tuple[str, ...]]:
    model = view.model
    return [
        tuple(model.index(row, column).data() for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def test_the_model_passes_the_model_tester(window, qtmodeltester):
    window.desk.set_as_of(date(2020, 3, 1))
    qtmodeltester.check(window.deadlines.model)


def test_before_the_first_deadline_the_dock_lists_it_and_the_status_bar_names_it(window):
    window.desk.set_as_of(date(2020, 3, 1))
    view = window.deadlines
    view.window_choice.setCurrentIndex(view.window_choice.findData(30))
    assert [row[:4] for row in shown(view)] == [
        ("Intro-3", "Start intra-Afghan negotiations by 10 March 2020", "2020-03-10", "in 9 days"),
        ("P1-C.1", view.model.rows[1].title, "2020-03-10", "in 9 days"),
        ("P1-C.2", view.model.rows[2].title, "2020-03-10", "in 9 days"),
    ]
    assert view.heading.text() == "As of 2020-03-01: 3 due in the next 30 days, 0 overdue"
    assert window.next_deadline_label.text() == "Next deadline: Intro-3 on 2020-03-10 (in 9 days)"


def test_the_list_follows_the_as_of_date_and_the_window_of_days(window):
    """2020-07-01: the March deadlines missed, P1-E missed in May; P1-A.2 coming, P1-D within 90 days."""
    view = window.deadlines
    window.desk.set_as_of(date(2020, 7, 1))
    view.window_choice.setCurrentIndex(view.window_choice.findData(30))
    missed = [("Intro-3", "113 days overdue"), ("P1-C.1", "113 days overdue"), ("P1-C.2", "113 days overdue"),
              ("P1-E", "33 days overdue")]  # fmt: skip
    assert [(row[0], row[3]) for row in shown(view)] == [*missed, ("P1-A.2", "in 12 days")]
    view.window_choice.setCurrentIndex(view.window_choice.findData(90))
    assert [(row[0], row[3]) for row in shown(view)] == [*missed, ("P1-A.2", "in 12 days"), ("P1-D", "in 57 days")]
    assert view.heading.text() == "As of 2020-07-01: 2 due in the next 90 days, 4 overdue"
    window.desk.set_as_of(date(2026, 11, 28))  # long after: what is still not met
    assert all(row.overdue for row in view.model.rows)
    assert "Intro-3" not in [row.ref for row in view.model.rows]  # met late in September 2020


def test_enter_on_a_deadline_goes_to_its_obligation_even_when_the_filter_hides_it(window, qtbot):
    window.desk.set_as_of(date(2020, 3, 1))
    view = window.deadlines
    window.tree.filter_edit.setText("P1-A")  # hides P1-C.1
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(1, 0))
    QTest.keyClick(view.table, Qt.Key.Key_Return)
    node = window.tree.selected_node()
    assert node is not None and node.ref == "P1-C.1"
    assert window.tree.filter_edit.text() == ""


def test_the_dock_is_in_the_view_menu(window):
    assert window.deadlines_dock.toggleViewAction() in window.menuBar().actions()[2].menu().actions()
