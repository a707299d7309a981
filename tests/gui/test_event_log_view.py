"""The event log view: the count, the filter row (text after a pause, grade, evidence of the selected
obligation), delete and undo, export of what is shown, and hostile text shown literally."""

import csv
import threading
from datetime import date

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from db.actors import find_actor
from db.event_log import Col, EventFilter
from gui.event_log_model import ACTORS, COLUMNS, NOTES, OBLIGATIONS, SOURCES
from gui.event_log_view import EventLogView
from tests.gui.event_helpers import events_in, make_events
from tests.gui.helpers import find


def view_of(qtbot, desk) -> EventLogView:
    view = EventLogView(desk)
    qtbot.addWidget(view)
    shown(qtbot, view)
    return view


def apply(qtbot, view: EventLogView) -> None:
    """Apply the filter row now, and wait for the worker's result."""
    view.apply_filter()
    shown(qtbot, view)


def shown(qtbot, view: EventLogView) -> None:
    qtbot.waitUntil(lambda: not view.filtering)


def test_a_count_column_is_as_wide_as_its_heading_and_the_obligations_get_the_room(qtbot, desk):
    view = view_of(qtbot, desk)
    header = view.table.horizontalHeader()
    heading = view.table.fontMetrics().horizontalAdvance(COLUMNS[SOURCES][0])
    assert heading < header.sectionSize(SOURCES) <= heading + 30
    assert header.sectionSize(OBLIGATIONS) >= 150


def test_count_and_text_filter_after_a_pause(qtbot, desk):
    make_events(desk.store, 40)
    view = view_of(qtbot, desk)
    assert view.count_label.text() == "63 of 63 events"
    view.text.setText("generated 3")
    assert view.model.total == 63  # not yet: the typing pauses first
    qtbot.waitUntil(lambda: view.model.total == 11)
    assert view.count_label.text() == "11 of 63 events"


def test_grade_and_date_filters(qtbot, desk):
    make_events(desk.store, 12)
    view = view_of(qtbot, desk)
    view.grade.setText("C3")
    view.date_from.setText("2021-01-01")
    apply(qtbot, view)
    assert view.model.total == 2
    view.grade.setText("Z9")  # invalid: marked, and the grade left out of the filter
    apply(qtbot, view)
    assert "is not a source reliability" in view.grade.toolTip()
    assert view.model.total == events_in(desk.store, EventFilter(date_from=date(2021, 1, 1)))


def test_evidence_filter_follows_the_selected_obligation(qtbot, desk):
    view = view_of(qtbot, desk)
    view.evidence.setChecked(True)
    view.follow_obligation(find(desk, "Intro-4").id)
    shown(qtbot, view)
    assert 0 < view.model.total < 23
    assert all("Intro-4" in view.model.index(r, OBLIGATIONS).data() for r in range(view.model.rowCount()))
    view.evidence.setChecked(False)
    shown(qtbot, view)
    assert view.model.total == 23


def test_delete_then_undo(qtbot, desk):
    view = view_of(qtbot, desk)
    view.table.selectRow(0)
    event_id = view.selected_id()
    view.delete_selected(ask=False)
    shown(qtbot, view)
    assert events_in(desk.store) == 22 and view.model.row_of(event_id) == -1
    desk.undo_stack.undo()
    shown(qtbot, view)
    assert events_in(desk.store) == 23 and view.model.row_of(event_id) >= 0


def test_duplicate_selects_the_copy(qtbot, desk):
    view = view_of(qtbot, desk)
    view.table.selectRow(0)
    original = view.selected_id()
    view.duplicate_selected()
    shown(qtbot, view)
    assert events_in(desk.store) == 24 and view.selected_id() not in (None, original)


def test_export_writes_what_is_shown(qtbot, desk, tmp_path):
    view = view_of(qtbot, desk)
    view.evidence.setChecked(True)
    view.follow_obligation(find(desk, "Intro-4").id)
    shown(qtbot, view)
    path = tmp_path / "shown.csv"
    running = view.export_shown(path)  # off the UI thread (issue 15)
    qtbot.waitUntil(lambda: running.over, timeout=20_000)
    assert running.count == view.model.total
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == view.model.total + 1


def test_a_cancelled_export_leaves_no_file(qtbot, desk, tmp_path, monkeypatch):
    from db import event_export
    from gui.export_shown import ExportShown

    monkeypatch.setattr(event_export, "_ROWS_AT_ONCE", 2)
    cancelled, report = threading.Event(), ExportShown.report
    monkeypatch.setattr(ExportShown, "report", lambda self, *told: cancelled.wait(10) and report(self, *told))
    view = view_of(qtbot, desk)
    shown(qtbot, view)
    (tmp_path / "out").mkdir()
    running = view.export_shown(tmp_path / "out" / "shown.csv")
    running.progress.canceled.emit()  # the officer's Cancel, while the first rows are being written
    cancelled.set()
    qtbot.waitUntil(lambda: running.over, timeout=20_000)
    assert running.count is None and "cancelled" in running.message
    assert list((tmp_path / "out").iterdir()) == []


def test_hostile_text_shows_literally(qtbot, desk):
    hostile = '<img src="file:///etc/hostname">'
    make_events(desk.store, 1, note=hostile)
    view = view_of(qtbot, desk)
    view.text.setText("<img")
    apply(qtbot, view)
    assert view.model.index(0, NOTES).data(Qt.ItemDataRole.DisplayRole).startswith(hostile)


def test_actor_filter_by_name_or_alias_with_completion(qtbot, desk):
    view = view_of(qtbot, desk)
    with desk.store.reading() as session:
        taliban = find_actor(session, "Taliban")
    typed = view.actor.completer().model().stringList()
    assert "Taliban" in typed and "Afghan Taliban" in typed  # names and aliases
    view.actor.setText("afghan taliban")  # an alias, in any case
    apply(qtbot, view)
    assert view.model.event_filter.actor_id == taliban
    assert view.model.total == events_in(desk.store, EventFilter(actor_id=taliban)) > 0
    assert all("Taliban" in view.model.index(r, ACTORS).data() for r in range(view.model.rowCount()))
    assert not view.actor_hint.isVisibleTo(view)


def test_unknown_actor_shows_nothing_and_says_why(qtbot, desk):
    view = view_of(qtbot, desk)
    view.actor.setText("<b>Nobody</b>")
    qtbot.waitUntil(lambda: view.model.total == 0)  # after the typing pause
    assert view.actor_hint.isVisibleTo(view)
    assert view.actor_hint.textFormat() == Qt.TextFormat.PlainText
    assert "<b>Nobody</b>" in view.actor_hint.text()
    view.actor.clear()
    qtbot.waitUntil(lambda: view.model.total == 23)
    assert not view.actor_hint.isVisibleTo(view)


@pytest.fixture
def gates(monkeypatch):
    """The worker's page query waits until the test opens the gate of its filter's text."""
    import gui.event_log_model as module

    opened: dict[str, threading.Event] = {}
    real = module.event_rows

    def slow_rows(session, wanted, *args, **kwargs):
        if wanted.text:  # the view's first read passes
            opened.setdefault(wanted.text, threading.Event()).wait(5)
        return real(session, wanted, *args, **kwargs)

    monkeypatch.setattr(module, "event_rows", slow_rows)
    yield lambda text: opened.setdefault(text, threading.Event()).set()
    for gate in opened.values():
        gate.set()


def test_a_filter_change_is_read_off_the_ui_thread(qtbot, desk, gates):
    make_events(desk.store, 40)
    view = view_of(qtbot, desk)
    view.text.setText("generated 3")
    view.apply_filter()  # returns while the query waits
    assert view.filtering and view.model.total == 63 and view.model.rowCount() == 63
    assert view.count_label.text() == "63 of 63 events (filtering…)"
    view.table.selectRow(2)  # the table stays usable meanwhile
    assert view.selected_id() == view.model.event_id(2)
    gates("generated 3")
    qtbot.waitUntil(lambda: not view.filtering)
    assert view.model.total == 11 and view.model.event_filter.text == "generated 3"
    assert view.count_label.text() == "11 of 63 events"


def test_a_stale_result_is_dropped(qtbot, desk, gates):
    make_events(desk.store, 40)
    view = view_of(qtbot, desk)
    shown_filters = []
    view.filter_changed.connect(shown_filters.append)
    view.text.setText("generated 3")
    view.apply_filter()
    view.text.setText("generated 1")
    view.apply_filter()  # overtakes the first
    gates("generated 1")
    qtbot.waitUntil(lambda: not view.filtering)
    assert view.model.total == 11 and view.model.event_filter.text == "generated 1"
    gates("generated 3")  # the older result arrives last
    qtbot.waitUntil(lambda: not view.background.busy)
    qtbot.wait(50)
    assert view.model.event_filter.text == "generated 1" and view.model.total == 11
    assert [f.text for f in shown_filters] == ["generated 1"]


@pytest.fixture
def held(monkeypatch):
    """While `held.closed` is set, the worker's reads wait for `held.gate` (at most 5 s)."""
    import gui.event_log_model as module

    class Held:
        closed = False
        gate = threading.Event()

    real = module.event_rows

    def slow_rows(*args, **kwargs):
        if Held.closed:
            Held.gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "event_rows", slow_rows)
    yield Held
    Held.gate.set()


def _dates(view) -> list[str]:
    return [view.model.raw_row(row)[Col.OCCURRED_ON] for row in range(view.model.rowCount())]


def test_a_sort_is_read_off_the_ui_thread_and_keeps_the_selection(qtbot, desk, held):
    view = view_of(qtbot, desk)
    ascending = _dates(view)
    view.table.selectRow(3)
    chosen = view.selected_id()
    held.closed = True
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # returns while the read waits
    assert view.filtering and _dates(view) == ascending
    assert view.count_label.text().endswith("(sorting…)")
    held.gate.set()
    shown(qtbot, view)
    assert _dates(view) == sorted(ascending, reverse=True)
    assert view.selected_ids() == [chosen]


def test_pages_come_from_the_worker_and_a_stale_page_is_dropped(qtbot, desk, held):
    from gui.event_log_model import PAGE_ROWS

    make_events(desk.store, PAGE_ROWS + 100)
    view = view_of(qtbot, desk)
    assert view.model.rowCount() == PAGE_ROWS and view.model.canFetchMore()
    held.closed = True
    view.model.fetchMore()
    view.model.fetchMore()  # asked again while the first is read: no second query
    assert view.model.rowCount() == PAGE_ROWS
    held.gate.set()
    qtbot.waitUntil(lambda: view.model.rowCount() == view.model.total == PAGE_ROWS + 123)
    assert len({view.model.event_id(row) for row in range(view.model.rowCount())}) == PAGE_ROWS + 123

    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    shown(qtbot, view)
    held.gate.clear()
    view.model.fetchMore()  # a page of the descending order, overtaken by a new filter below
    view.text.setText("generated 1")
    view.apply_filter()
    held.gate.set()
    shown(qtbot, view)
    qtbot.waitUntil(lambda: not view.background.busy)
    assert view.model.total == view.model.rowCount() == events_in(desk.store, EventFilter(text="generated 1"))


def test_an_edit_is_shown_after_a_read_off_the_ui_thread(qtbot, desk, held):
    from gui.event_commands import InlineEditEvent

    view = view_of(qtbot, desk)
    view.table.selectRow(5)
    chosen = view.selected_id()
    held.closed = True
    desk.execute(InlineEditEvent(desk, chosen, {"fatalities": 4321}, "Edit fatalities"))
    assert view.filtering and view.count_label.text().endswith("(updating…)")
    held.gate.set()
    shown(qtbot, view)
    assert view.selected_id() == chosen
    assert view.model.index(view.model.row_of(chosen), 4).data() == "4,321"


def test_several_selected_events_are_deleted_as_one_undo_step(qtbot, desk):
    view = view_of(qtbot, desk)
    view.table.selectRow(1)
    for row in (2, 4):
        view.table.selectionModel().select(
            view.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    chosen = view.selected_ids()
    assert len(chosen) == 3
    assert not view.edit_action.isEnabled() and not view.duplicate_action.isEnabled()
    assert view.delete_action.isEnabled() and view.delete_action.text() == "Delete e&vents…"
    view.delete_selected(ask=False)
    shown(qtbot, view)
    assert events_in(desk.store) == 20 and all(view.model.row_of(e) == -1 for e in chosen)
    assert desk.undo_stack.undoText() == "Delete 3 events"
    desk.undo_stack.undo()
    shown(qtbot, view)
    assert events_in(desk.store) == 23 and all(view.model.row_of(e) >= 0 for e in chosen)


def test_the_count_follows_the_record_under_a_filter(qtbot, desk):
    make_events(desk.store, 40)
    view = view_of(qtbot, desk)
    view.text.setText("generated 3")
    apply(qtbot, view)
    assert view.count_label.text() == "11 of 63 events"
    view.table.selectRow(0)
    view.delete_selected(ask=False)
    shown(qtbot, view)
    assert view.count_label.text() == "10 of 62 events"


def test_a_new_type_and_actor_are_offered_after_the_edit_that_names_them(qtbot, desk):
    from db.event_rules import EventFields
    from gui.event_commands import AddEvent

    view = view_of(qtbot, desk)
    assert view.type_combo.findData("Ceasefire monitoring report") == -1
    fields = EventFields(
        occurred_on=date(2020, 6, 1), event_type="Ceasefire monitoring report", source_name="UNAMA",
        actors=["Joint Monitoring Commission"],
    )  # fmt: skip
    desk.execute(AddEvent(desk, fields))
    shown(qtbot, view)
    assert view.type_combo.findData("Ceasefire monitoring report") > 0
    assert "Joint Monitoring Commission" in view._actor_names.stringList()
