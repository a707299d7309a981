"""Undoable changes to the event log, for the event log view and the event form.

Each is one DeskCommand (gui/commands.py): one audited transaction calling db/events.py. Commands
that create an event choose its id up front, so a redo after an undo brings back the same UUID.
"""

from dataclasses import replace
from typing import Any

from db.changes import Changes
from db.errors import RecordError
from db.event_rules import EventFields
from db.events import (
    DeletedEvent,
    create_event,
    delete_event,
    duplicate_event,
    edit_event,
    event_changes,
    event_fields,
    link_changes,
    link_obligation,
    restore_event,
    unlink_obligation,
    unlinked_events,
    update_event,
)
from db.ids import new_id
from db.same_happening import add_second_source, remove_second_source
from db.vocabulary import Bearing
from gui.commands import DeskCommand
from gui.desk import Desk


def _with_figure_id(fields: EventFields) -> EventFields:
    """The fields with the figure's observation id fixed, so a redo recreates the same observation."""
    if fields.figure is None or fields.figure.observation_id:
        return fields
    return replace(fields, figure=replace(fields.figure, observation_id=new_id()))


class AddEvent(DeskCommand):
    def __init__(self, desk: Desk, fields: EventFields):
        super().__init__(desk, "Add event")
        self.event_id = new_id()
        self.fields = _with_figure_id(fields)

    def apply(self, session) -> Changes:
        create_event(session, self.fields, event_id=self.event_id)
        return event_changes(session, [self.event_id])

    def revert(self, session) -> Changes:
        changes = event_changes(session, [self.event_id])  # before its links and figure go with it
        delete_event(session, self.event_id)
        return changes


class AddSecondSource(DeskCommand):
    """A new event linked to one in the record as another source of the same happening."""

    def __init__(self, desk: Desk, fields: EventFields, of_event_id: str):
        super().__init__(desk, "Add a second source")
        self.event_id, self.of_event_id = new_id(), of_event_id
        self.fields = _with_figure_id(fields)

    def apply(self, session) -> Changes:
        return add_second_source(session, self.fields, self.of_event_id, self.event_id)

    def revert(self, session) -> Changes:
        return remove_second_source(session, self.event_id)


class EditEvent(DeskCommand):
    def __init__(self, desk: Desk, event_id: str, fields: EventFields):
        super().__init__(desk, "Edit event")
        with desk.store.reading() as session:
            self.before = event_fields(session, event_id)
        self.event_id, self.after = event_id, _with_figure_id(fields)

    def apply(self, session) -> Changes:
        return self._write(session, self.after)

    def revert(self, session) -> Changes:
        return self._write(session, self.before)

    def _write(self, session, fields: EventFields) -> Changes:
        before = event_changes(session, [self.event_id])  # the links and figure it leaves, and those it gets
        update_event(session, self.event_id, fields)
        return before | event_changes(session, [self.event_id])


class InlineEditEvent(DeskCommand):
    """An edit of some fields in the table ("Edit fatalities"); undo puts back the values it replaced."""

    def __init__(self, desk: Desk, event_id: str, changes: dict[str, Any], text: str = "Edit event"):
        super().__init__(desk, text)
        self.event_id, self.changes = event_id, dict(changes)
        self.previous: dict[str, Any] = {}

    def apply(self, session) -> Changes:
        self.previous = edit_event(session, self.event_id, self.changes)
        return event_changes(session, [self.event_id], set(self.changes))

    def revert(self, session) -> Changes:
        edit_event(session, self.event_id, self.previous)
        return event_changes(session, [self.event_id], set(self.changes))


class DuplicateEvent(DeskCommand):
    def __init__(self, desk: Desk, event_id: str):
        super().__init__(desk, "Duplicate event")
        self.source_id, self.event_id = event_id, new_id()

    def apply(self, session) -> Changes:
        duplicate_event(session, self.source_id, self.event_id)
        return event_changes(session, [self.event_id])

    def revert(self, session) -> Changes:
        changes = event_changes(session, [self.event_id])
        delete_event(session, self.event_id)
        return changes


class DeleteEvents(DeskCommand):
    """Delete events with their actors' roles, links and figures; undo restores them exactly."""

    def __init__(self, desk: Desk, event_ids: list[str]):
        self.event_ids = list(dict.fromkeys(event_ids))
        count = len(self.event_ids)
        super().__init__(desk, "Delete event" if count == 1 else f"Delete {count:,} events")
        self.deleted: list[DeletedEvent] = []

    def apply(self, session) -> Changes:
        changes = event_changes(session, self.event_ids)
        self.deleted = [delete_event(session, event_id) for event_id in self.event_ids]
        return changes

    def revert(self, session) -> Changes:
        for deleted in reversed(self.deleted):
            restore_event(session, deleted)
        return event_changes(session, self.event_ids)


class LinkEvent(DeskCommand):
    """Link an event to an obligation with a bearing (or change the bearing of an existing link)."""

    def __init__(self, desk: Desk, event_id: str, obligation_id: str, bearing: str):
        super().__init__(desk, "Link event")
        self.event_id, self.obligation_id, self.bearing = event_id, obligation_id, bearing
        self.previous: str | None = None

    def apply(self, session) -> Changes:
        self.previous = link_obligation(session, self.event_id, self.obligation_id, self.bearing)
        return link_changes([self.event_id], self.obligation_id)

    def revert(self, session) -> Changes:
        if self.previous is None:
            unlink_obligation(session, self.event_id, self.obligation_id)
        else:
            link_obligation(session, self.event_id, self.obligation_id, self.previous)
        return link_changes([self.event_id], self.obligation_id)


class UnlinkEvent(DeskCommand):
    def __init__(self, desk: Desk, event_id: str, obligation_id: str):
        super().__init__(desk, "Unlink event")
        self.event_id, self.obligation_id = event_id, obligation_id
        self.previous: str | None = None

    def apply(self, session) -> Changes:
        self.previous = unlink_obligation(session, self.event_id, self.obligation_id)
        return link_changes([self.event_id], self.obligation_id)

    def revert(self, session) -> Changes:
        if self.previous is not None:
            link_obligation(session, self.event_id, self.obligation_id, self.previous)
        return link_changes([self.event_id], self.obligation_id)


class LinkEvents(DeskCommand):
    """Link several events to one obligation (dropped on it in the tree), as one undoable change.

    Events already linked keep their link and bearing; when every one is, the command is refused.
    """

    def __init__(
        self, desk: Desk, event_ids: list[str], obligation_id: str, ref: str, bearing: str = Bearing.CONTEXT
    ):
        with desk.store.reading() as session:
            new = unlinked_events(session, event_ids, obligation_id)
        count = f"{len(new)} events" if len(new) != 1 else "event"
        super().__init__(desk, f"Link {count} to {ref}")
        self.event_ids, self.obligation_id, self.ref, self.bearing = new, obligation_id, ref, str(bearing)

    def apply(self, session) -> Changes:
        if not self.event_ids:
            raise RecordError(f"The events are already linked to {self.ref}.")
        for event_id in self.event_ids:
            link_obligation(session, event_id, self.obligation_id, self.bearing)
        return link_changes(self.event_ids, self.obligation_id)

    def revert(self, session) -> Changes:
        for event_id in self.event_ids:
            unlink_obligation(session, event_id, self.obligation_id)
        return link_changes(self.event_ids, self.obligation_id)
