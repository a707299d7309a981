"""Exporting events as Accord Desk's CSV (db/event_csv.py): what the event log's filter shows.

UTF-8 with a byte-order mark, which Excel needs to read UTF-8 and the importer accepts; every cell
quoted (RFC 4180); text that a spreadsheet would run as a formula protected. The file is written
beside its destination and renamed over it (db/atomic_file.py): a failed export leaves no half file.
"""

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlmodel import Session, col, select

from db.atomic_file import write_atomically
from db.event_csv import COLUMNS, LIST_SEPARATOR, ROLE_COLUMNS, TEXT_COLUMNS, links_cell, protect
from db.event_log import ALL_EVENTS, EventFilter, conditions
from db.models import Actor, Event, EventActor, EventObligation, Obligation

_EVENT_COLUMNS = [name for name in COLUMNS if name not in ROLE_COLUMNS.values() and name != "links"]
_TEXT = frozenset(TEXT_COLUMNS)


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column in _TEXT:
        return protect(value)
    if isinstance(value, date):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)  # repr: floats read back exactly


def _by_event(session: Session, query, event_id, chosen, order) -> list[tuple[str, tuple]]:
    """(event id, the rest of the row) for the chosen events' linked rows, in `order`."""
    rows = session.exec(query.where(col(event_id).in_(chosen)).order_by(order))
    return [(row[0], tuple(row[1:])) for row in rows]


def write_events_csv(session: Session, handle: TextIO, wanted: EventFilter = ALL_EVENTS) -> int:
    """Write the filtered events, oldest first, to an open text file; returns how many."""
    where = conditions(wanted)
    chosen = select(Event.id).where(*where)
    actors = defaultdict(lambda: defaultdict(list))
    for event_id, (role, name) in _by_event(
        session, select(EventActor.event_id, EventActor.role, Actor.name).join(Actor, Actor.id == EventActor.actor_id),
        EventActor.event_id, chosen, Actor.name,
    ):  # fmt: skip
        actors[event_id][ROLE_COLUMNS.get(role, ROLE_COLUMNS["actor2"])].append(name)
    links = defaultdict(list)
    for event_id, link in _by_event(
        session, select(EventObligation.event_id, Obligation.ref, EventObligation.bearing).join(Obligation),
        EventObligation.event_id, chosen, Obligation.ref,
    ):  # fmt: skip
        links[event_id].append(link)
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    query = select(*(getattr(Event, name) for name in _EVENT_COLUMNS)).where(*where)
    for row in session.connection().execute(query.order_by(Event.occurred_on, Event.id)):
        cells = {name: _cell(name, value) for name, value in zip(_EVENT_COLUMNS, row, strict=True)}
        named = actors.get(row[0], {})
        for column in ROLE_COLUMNS.values():
            cells[column] = protect(LIST_SEPARATOR.join(named.get(column, ())))
        cells["links"] = protect(links_cell(links.get(row[0], [])))
        writer.writerow([cells[name] for name in COLUMNS])
        count += 1
    return count


def export_events(session: Session, path: Path | str, wanted: EventFilter = ALL_EVENTS) -> int:
    """Write the filtered events to `path` atomically; returns how many. UserError if it cannot."""
    return write_atomically(Path(path), lambda handle: write_events_csv(session, handle, wanted), "utf-8-sig")
