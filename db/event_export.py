"""Exporting events as Accord Desk's CSV (db/event_csv.py): what the event log's filter shows.

UTF-8 with a byte-order mark, which Excel needs to read UTF-8 and the importer accepts; every cell
quoted (RFC 4180); text that a spreadsheet would run as a formula protected. The file is written
beside its destination and renamed over it (db/atomic_file.py): a failed export leaves no half file.
"""

import csv
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from sqlmodel import Session, select

from db.atomic_file import write_atomically
from db.bulk import select_matching
from db.errors import ExportCancelled
from db.event_csv import COLUMNS, LIST_SEPARATOR, ROLE_COLUMNS, TEXT_COLUMNS, links_cell, protect
from db.event_log import ALL_EVENTS, EventFilter, conditions
from db.models import Actor, Event, EventActor, EventObligation, Obligation

_EVENT_COLUMNS = [name for name in COLUMNS if name not in ROLE_COLUMNS.values() and name != "links"]
_TEXT = frozenset(TEXT_COLUMNS)


def _number(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)  # repr: floats read back exactly


def _converter(column: str) -> Callable[[Any], str]:
    if column in _TEXT:
        return protect
    return date.isoformat if column in ("occurred_on", "occurred_until", "source_accessed_on") else _number


_CONVERTERS = [_converter(name) for name in _EVENT_COLUMNS]
# COLUMNS: some of the event's own, its actors by role, the rest of its own, its links
_ROLES_AT = COLUMNS.index(next(iter(ROLE_COLUMNS.values())))
assert (*_EVENT_COLUMNS[:_ROLES_AT], *ROLE_COLUMNS.values(), *_EVENT_COLUMNS[_ROLES_AT:], "links") == COLUMNS


_ROWS_AT_ONCE = 5_000  # events written between two reads of their actors and links


def _by_event(connection, columns, event_id, event_ids: list[str], *where) -> dict[str, list[tuple]]:
    """The rest of each row of `columns` by its event (the first column), sorted."""
    found = defaultdict(list)
    for row in select_matching(connection, columns, event_id, event_ids, *where):
        found[row[0]].append(tuple(row[1:]))
    return {key: sorted(rows) for key, rows in found.items()}


def write_events_csv(
    session: Session, handle: TextIO, wanted: EventFilter = ALL_EVENTS, progress=None
) -> int:
    """Write the filtered events, oldest first, to an open text file; returns how many.

    The rows are written as they are read, with the actors and links of every few thousand events
    read for them, so memory stays flat however many events there are. `progress(done)` is told after
    each few thousand; returning False stops the export (ExportCancelled)."""
    connection = session.connection()
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    query = select(*(getattr(Event, name) for name in _EVENT_COLUMNS)).where(*conditions(wanted))
    count = 0
    rows = connection.execute(query.order_by(Event.occurred_on, Event.id))
    while part := rows.fetchmany(_ROWS_AT_ONCE):
        ids = [row[0] for row in part]
        named = _by_event(connection, (EventActor.event_id, Actor.name, EventActor.role), EventActor.event_id, ids,
                          Actor.id == EventActor.actor_id)  # fmt: skip
        linked = _by_event(connection, (EventObligation.event_id, Obligation.ref, EventObligation.bearing),
                           EventObligation.event_id, ids, Obligation.id == EventObligation.obligation_id)  # fmt: skip
        for row in part:
            cells = ["" if value is None else convert(value) for convert, value in zip(_CONVERTERS, row, strict=True)]
            by_role = defaultdict(list)
            for name, role in named.get(row[0], ()):
                by_role[ROLE_COLUMNS.get(role, ROLE_COLUMNS["actor2"])].append(name)
            roles = [protect(LIST_SEPARATOR.join(by_role.get(column, ()))) for column in ROLE_COLUMNS.values()]
            links = protect(links_cell(linked.get(row[0], [])))
            writer.writerow([*cells[:_ROLES_AT], *roles, *cells[_ROLES_AT:], links])
        count += len(part)
        if progress is not None and progress(count) is False:
            raise ExportCancelled()
    return count


def export_events(session: Session, path: Path | str, wanted: EventFilter = ALL_EVENTS, progress=None) -> int:
    """Write the filtered events to `path` atomically; returns how many. UserError if it cannot;
    ExportCancelled, with nothing written, when `progress` returns False."""
    return write_atomically(
        Path(path), lambda handle: write_events_csv(session, handle, wanted, progress), "utf-8-sig"
    )
