"""A UCDP event's range in the window (issue 12): the log's Date column, the obligation panel, and the
event form's last day — shown, edited, checked, kept through undo and redo, and unchanged when the form
is saved as it was opened."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QLabel
from sqlmodel import func, select

from db.errors import RecordError
from db.event_import import import_events
from db.event_log import EventFilter
from db.events import edit_event, event_fields
from db.models import AuditEntry, Event, EventObligation
from gui.event_commands import EditEvent
from gui.event_dialog import EventDialog
from gui.event_log_model import DATE
from gui.event_log_view import EventLogView
from gui.obligation_panel import ObligationPanel
from tests.gui.event_helpers import loaded_model
from tests.gui.helpers import find
from tests.record_digest import content_digest

DATA = Path(__file__).parent.parent / "data"
RANGED = "ucdp-ged:330002"  # 2020-03-02 to 2020-03-06


@pytest.fixture
def ranged(desk) -> str:
    """The id of a UCDP event dated 2020-03-02 to 2020-03-06."""
    import_events(desk.store, DATA / "ucdp_ged_afghanistan.csv")
    with desk.store.reading() as session:
        return session.exec(select(Event.id).where(Event.external_id == RANGED)).one()


def _fields(desk, event_id):
    with desk.store.reading() as session:
        return event_fields(session, event_id)


def _entries(desk) -> int:
    with desk.store.reading() as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


def test_the_log_shows_the_range_in_its_date_column(qtbot, desk, ranged):
    model = loaded_model(qtbot, desk.store, EventFilter(text="ucdp-ged:33000"))
    dates = {model.index(row, DATE).data() for row in range(model.rowCount())}
    assert {"2020-03-02 to 2020-03-06", "2020-04-01 to 2020-04-30", "2020-03-04"} <= dates


def test_the_obligation_panel_shows_dates_through_the_one_label(qtbot, desk, ranged):
    clause = find(desk, "P1-F").id
    with desk.store.writing("Link") as session:
        session.add(EventObligation(event_id=ranged, obligation_id=clause, bearing="breach"))
        week = session.exec(select(Event).where(Event.external_id == "ucdp-ged:330001")).one()
        week.date_precision = "week"
        session.add(EventObligation(event_id=week.id, obligation_id=clause, bearing="context"))
    panel = ObligationPanel(desk)
    qtbot.addWidget(panel)
    panel.show_obligation(clause)
    texts = [label.text() for label in panel.findChildren(QLabel)]
    assert any(text.startswith("2020-03-02 to 2020-03-06 · ") for text in texts)
    assert any(text.startswith("week of 2020-03-04 · ") for text in texts)


def test_the_form_shows_and_reads_the_last_day(qtbot, desk, ranged):
    fields = _fields(desk, ranged)
    dialog = EventDialog(desk, fields=fields, heading="Edit event")
    qtbot.addWidget(dialog)
    assert dialog.edits["occurred_until"].text() == "2020-03-06"
    assert dialog.edits["occurred_until"].placeholderText() == "single day"
    assert dialog.fields() == fields
    dialog.edits["occurred_until"].setText("2020-03-05")
    assert dialog.fields().occurred_until == date(2020, 3, 5)
    dialog.edits["occurred_until"].setText("2020-03-02")  # the first day again: one day
    assert dialog.fields().occurred_until is None
    dialog.edits["occurred_until"].setText("")
    assert dialog.ok_button.isEnabled() and dialog.fields().occurred_until is None


@pytest.mark.parametrize(
    ("name", "text"), [("occurred_until", "2020-03-01"), ("occurred_on", "2020-03-10")]
)
def test_a_last_day_before_the_first_disables_ok_with_one_sentence(qtbot, desk, ranged, name, text):
    dialog = EventDialog(desk, fields=_fields(desk, ranged), heading="Edit event")
    qtbot.addWidget(dialog)
    dialog.edits[name].setText(text)
    assert not dialog.ok_button.isEnabled()
    problem = dialog.problems["occurred_until"]
    assert not problem.isHidden()
    first, last = ("2020-03-02", text) if name == "occurred_until" else (text, "2020-03-06")
    assert problem.text() == (
        f"The last day {last} is before the first, {first}; give a last day on or after the first, or none for a "
        "single day."
    )


def test_a_ranged_event_saved_unchanged_changes_nothing(qtbot, desk, ranged, monkeypatch):
    view = EventLogView(desk)
    qtbot.addWidget(view)
    before, entries = content_digest(desk.store.path), _entries(desk)
    monkeypatch.setattr(EventDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    view.edit_event(ranged)
    assert content_digest(desk.store.path) == before and _entries(desk) == entries
    assert desk.undo_stack.count() == 0
    assert _fields(desk, ranged).agreement_id is None  # an import's event stays under no agreement


def test_the_last_day_is_kept_through_undo_and_redo(qtbot, desk, ranged):
    before = _fields(desk, ranged)
    with qtbot.waitSignal(desk.record_changed):
        assert desk.execute(EditEvent(desk, ranged, replace(before, occurred_until=date(2020, 3, 9))))
    assert _fields(desk, ranged).occurred_until == date(2020, 3, 9)
    desk.undo_stack.undo()
    assert _fields(desk, ranged) == before
    desk.undo_stack.redo()
    assert _fields(desk, ranged).occurred_until == date(2020, 3, 9)


def test_moving_a_ranged_event_never_leaves_its_end_before_its_start(qtbot, desk, ranged):
    before = content_digest(desk.store.path)
    later = replace(_fields(desk, ranged), occurred_on=date(2020, 3, 10))
    assert not desk.execute(EditEvent(desk, ranged, later))  # refused by the service, said in one sentence
    with (
        pytest.raises(RecordError, match="The last day 2020-03-06 is before the first, 2020-03-10"),
        desk.store.writing("Move") as session,
    ):
        edit_event(session, ranged, {"occurred_on": date(2020, 3, 10)})
    assert content_digest(desk.store.path) == before
    with desk.store.writing("Move") as session:  # moved with its end, it keeps its length
        edit_event(session, ranged, {"occurred_on": date(2020, 3, 10), "occurred_until": date(2020, 3, 14)})
    assert (_fields(desk, ranged).occurred_on, _fields(desk, ranged).occurred_until) == (date(2020, 3, 10), date(2020, 3, 14))


def test_the_date_column_is_wide_enough_for_a_range(qtbot, desk, ranged):
    """At 130 pixels it showed "2020-03-02 to 20…", the end of the range cut off."""
    view = EventLogView(desk)
    qtbot.addWidget(view)
    header, metrics = view.table.horizontalHeader(), view.table.fontMetrics()
    assert header.sectionSize(DATE) > metrics.horizontalAdvance("2020-03-02 to 2020-03-06")
