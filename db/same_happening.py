"""Several sources of one happening, kept as linked events: each source stays an event of its own,
with its grade, and names the happening's first recorded event (Event.same_happening_as).

Why linked events rather than one event with several sources: the record keeps a source and its
Admiralty grade on the event row, and so do everything that reads them — the compliance facts, the
log's grade filter, the CSV export and import, the PDF's chronology; an imported row is one event with
its own external id and import file (re-importing a file finds it by that id); the duplicate rule compares
event with event; and the audit trail records a second source as one inserted row, which an undo deletes.
Folding sources into one event would move every grade into a new table and make an import merge rows.

The happening's key is the first event's id. It is not a foreign key: deleting the first event leaves
the other sources one happening, and the count below then counts those that remain.
"""

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, select

from db.changes import Changes
from db.event_rules import EventFields
from db.events import create_event, delete_event, event_changes
from db.models import Event
from db.records import get_or_refuse


def source_count() -> ColumnElement:
    """How many events of the record report the happening of the event in the outer query (1 when alone);
    two index lookups per row (same_happening_as's index and the primary key)."""
    other = aliased(Event)
    key = func.coalesce(Event.same_happening_as, Event.id)
    sources = select(func.count()).where(other.same_happening_as == key).correlate(Event).scalar_subquery()
    first = select(func.count()).where(other.id == key, other.same_happening_as.is_(None)).correlate(Event)
    return sources + first.scalar_subquery()


def add_second_source(session: Session, values: EventFields, of_event_id: str, event_id: str) -> Changes:
    """A new event reporting the happening of `of_event_id` from another source; the happening's events
    are told so the log shows their count of sources anew."""
    first = get_or_refuse(session, Event, of_event_id, "event")
    create_event(session, values, event_id, same_happening_as=first.same_happening_as or first.id)
    return event_changes(session, [event_id])  # the happening's other events too


def remove_second_source(session: Session, event_id: str) -> Changes:
    """Undo of add_second_source: the event goes, the happening's other events are told."""
    changes = event_changes(session, [event_id])  # before its links go with it
    delete_event(session, event_id)
    return changes
