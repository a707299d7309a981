"""Exporting events as Accord Desk's CSV (db/event_csv.py): what the event log's filter shows.

UTF-8 with a byte-order mark, which Excel needs to read UTF-8 and the importer accepts; every cell
quoted (RFC 4180); text that a spreadsheet would run as a formula protected. The file is written
beside its destination and renamed over it (db/atomic_file.py): a failed export leaves no half file.
"""

import csv
from pathlib import Path
from typing import TextIO

from sqlalchemy import String, case, func, literal, select, type_coerce
from sqlmodel import Session

from db.atomic_file import write_atomically
from db.errors import ExportCancelled
from db.event_csv import COLUMNS, FORMULA_STARTS, LIST_SEPARATOR, ROLE_COLUMNS, TEXT_COLUMNS
from db.event_log import ALL_EVENTS, EventFilter, conditions
from db.models import Actor, Event, EventActor, EventObligation, Obligation

_ROWS_AT_ONCE = 5_000  # rows written between two words to `progress`
_DATES = frozenset({"occurred_on", "occurred_until", "source_accessed_on"})


def _protected(text):
    """db.event_csv.protect in SQL, so the rows go from SQLite to csv.writer untouched by Python."""
    return case((func.substr(text, 1, 1).in_(FORMULA_STARTS), literal("'") + text), else_=text)


def _aggregated(value, *where, order_by) -> object:
    """Each event's values of `value`, in order, as one text (NULL for none): a correlated subquery."""
    listed = select(value.label("value")).where(*where).order_by(*order_by).correlate(Event).subquery()
    return select(func.aggregate_strings(listed.c.value, LIST_SEPARATOR)).scalar_subquery()


_ROLE_OF = {column: role for role, column in ROLE_COLUMNS.items()}
_LISTS = [at for at, name in enumerate(COLUMNS) if name in _ROLE_OF or name == "links"]


def _cells() -> list:
    """The CSV's columns as SQL. Dates come as SQLite holds them (ISO text) and floats as floats, which
    csv.writer writes with repr, so they read back exactly; None is written empty. The lists (actors,
    links) are protected in Python (`_listed`): a CASE would run their subqueries twice."""
    cells = []
    for name in COLUMNS:
        if name in _ROLE_OF:
            cell = _aggregated(
                Actor.name, EventActor.event_id == Event.id, EventActor.role == str(_ROLE_OF[name]),
                Actor.id == EventActor.actor_id, order_by=(Actor.name,),
            )  # fmt: skip
        elif name == "links":
            cell = _aggregated(
                Obligation.ref + " (" + EventObligation.bearing + ")", EventObligation.event_id == Event.id,
                Obligation.id == EventObligation.obligation_id, order_by=(Obligation.ref, EventObligation.bearing),
            )  # fmt: skip
        else:
            cell = type_coerce(getattr(Event, name), String) if name in _DATES else getattr(Event, name)
        cells.append(_protected(cell) if name in TEXT_COLUMNS and name not in _LIST_NAMES else cell)
    return cells


_LIST_NAMES = frozenset(COLUMNS[at] for at in _LISTS)


def _listed(row) -> list:
    """The row with its lists protected (db.event_csv.protect)."""
    cells = list(row)
    for at in _LISTS:
        if (text := cells[at]) is not None and text.startswith(FORMULA_STARTS):
            cells[at] = "'" + text
    return cells


def write_events_csv(
    session: Session, handle: TextIO, wanted: EventFilter = ALL_EVENTS, progress=None
) -> int:
    """Write the filtered events, oldest first, to an open text file; returns how many.

    One statement reads every cell, the actors and links of each event included, and the rows are written
    as they come, so memory stays flat however many events there are. `progress(done)` is told after each
    few thousand; returning False stops the export (ExportCancelled)."""
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    query = select(*_cells()).where(*conditions(wanted)).order_by(Event.occurred_on, Event.id)
    count = 0
    for part in session.connection().execute(query).partitions(_ROWS_AT_ONCE):
        writer.writerows(map(_listed, part))
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
