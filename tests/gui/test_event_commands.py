"""The event log's undo commands: redo writes the record, undo restores it, redo keeps the ids."""

from dataclasses import replace
from datetime import date

from sqlmodel import select

from db.event_log import count_events
from db.event_rules import EventFields
from db.events import event_fields
from db.models import AuditEntry, Event, EventObligation
from gui.event_commands import AddEvent, DeleteEvents, DuplicateEvent, EditEvent, LinkEvent, UnlinkEvent
from tests.gui.helpers import find

FIELDS = EventFields(
    occurred_on=date(2020, 9, 12),
    event_type="Negotiation",
    source_name="Reuters",
    actors=["Taliban", "Islamic Republic of Afghanistan"],
    location="Doha",
    country="Qatar",
    notes="Intra-Afghan negotiations open",
    reliability="B",
    credibility="2",
)


def run(qtbot, desk, command) -> None:
    with qtbot.waitSignal(desk.record_changed):
        assert desk.execute(command)


def fields(desk, event_id):
    with desk.store.reading() as session:
        return event_fields(session, event_id)


def exists(desk, event_id) -> bool:
    with desk.store.reading() as session:
        return session.get(Event, event_id) is not None


def events(desk) -> int:
    with desk.store.reading() as session:
        return count_events(session)


def any_event(desk) -> str:
    with desk.store.reading() as session:
        return session.exec(select(Event.id).order_by(Event.occurred_on)).first()


def test_add_event_undo_redo_keeps_the_id(qtbot, desk):
    before = events(desk)
    command = AddEvent(desk, FIELDS)
    run(qtbot, desk, command)
    assert fields(desk, command.event_id).notes == "Intra-Afghan negotiations open"
    assert fields(desk, command.event_id).actors == ["Taliban", "Afghan government"]  # by alias
    desk.undo_stack.undo()
    assert not exists(desk, command.event_id) and events(desk) == before
    desk.undo_stack.redo()
    assert exists(desk, command.event_id) and events(desk) == before + 1
    with desk.store.reading() as session:
        assert "Add event" in session.exec(select(AuditEntry.action)).all()


def test_edit_event_undo_redo(qtbot, desk):
    event_id = any_event(desk)
    before = fields(desk, event_id)
    run(qtbot, desk, EditEvent(desk, event_id, replace(before, notes="Changed", fatalities=3)))
    assert (fields(desk, event_id).notes, fields(desk, event_id).fatalities) == ("Changed", 3)
    desk.undo_stack.undo()
    assert fields(desk, event_id) == before
    desk.undo_stack.redo()
    assert fields(desk, event_id).notes == "Changed"


def test_duplicate_event_undo_redo_keeps_the_id(qtbot, desk):
    event_id = any_event(desk)
    command = DuplicateEvent(desk, event_id)
    run(qtbot, desk, command)
    copy = fields(desk, command.event_id)
    assert copy.notes == fields(desk, event_id).notes and copy.links == fields(desk, event_id).links
    desk.undo_stack.undo()
    assert not exists(desk, command.event_id)
    desk.undo_stack.redo()
    assert exists(desk, command.event_id)


def test_delete_event_undo_restores_it_with_its_links(qtbot, desk):
    event_id = any_event(desk)
    before = fields(desk, event_id)
    assert before.links
    run(qtbot, desk, DeleteEvents(desk, [event_id]))
    assert not exists(desk, event_id)
    desk.undo_stack.undo()
    assert fields(desk, event_id) == before
    desk.undo_stack.redo()
    assert not exists(desk, event_id)


def test_deleting_several_events_is_one_step_undone_whole(qtbot, desk):
    with desk.store.reading() as session:
        chosen = list(session.exec(select(Event.id).order_by(Event.occurred_on).limit(3)))
    before = {event_id: fields(desk, event_id) for event_id in chosen}
    command = DeleteEvents(desk, chosen)
    assert command.text() == "Delete 3 events"
    run(qtbot, desk, command)
    assert not any(exists(desk, event_id) for event_id in chosen)
    with desk.store.reading() as session:
        audited = session.exec(select(AuditEntry).where(AuditEntry.action == "Delete 3 events")).all()
    assert {entry.row_id for entry in audited if entry.table_name == "event"} == set(chosen)
    desk.undo_stack.undo()
    assert {event_id: fields(desk, event_id) for event_id in chosen} == before


def test_link_and_unlink_undo_redo(qtbot, desk):
    event_id = any_event(desk)
    obligation_id = find(desk, "P2-1").id

    def bearing():
        with desk.store.reading() as session:
            link = session.get(EventObligation, (event_id, obligation_id))
            return link and link.bearing

    run(qtbot, desk, LinkEvent(desk, event_id, obligation_id, "breach"))
    assert bearing() == "breach"
    desk.undo_stack.undo()
    assert bearing() is None
    desk.undo_stack.redo()
    assert bearing() == "breach"
    run(qtbot, desk, UnlinkEvent(desk, event_id, obligation_id))
    assert bearing() is None
    desk.undo_stack.undo()
    assert bearing() == "breach"
    desk.undo_stack.redo()
    assert bearing() is None
