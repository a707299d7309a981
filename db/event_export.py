"""Exporting events as Accord Desk's CSV (db/event_csv.py): what the event log's filter shows.

UTF-8 with a byte-order mark, which Excel needs to read UTF-8 and the importer accepts; every cell
quoted (RFC 4180); text that a spreadsheet would run as a formula protected. The file is written
beside its destination and renamed over it (db/atomic_file.py): a failed export leaves no half file.
"""

import csv
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import String, case, cast, func, literal, select, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import Session

from db.atomic_file import write_atomically
from db.dialects import is_sqlite
from db.errors import ExportCancelled
from db.event_csv import (
    COLUMNS,
    FORMULA_STARTS,
    LIST_SEPARATOR,
    ROLE_COLUMNS,
    TEXT_COLUMNS,
    links_cell,
    protect,
)
from db.event_log import ALL_EVENTS, EventFilter, conditions
from db.models import Actor, Event, EventActor, EventObligation, Obligation

_ROWS_AT_ONCE = 5_000  # rows written between two words to `progress`
# SQLite's sorter keeps as many bytes of rows in memory as the page cache may hold before it spills them to
# a temporary file, and the export's ORDER BY sorts every row: with the store's 32 MB cache, a 100,000-event
# export peaked at 145 MiB; with 8 MB, at 95 MiB for 7% more CPU (tests/bench_million.py).
SORTING_CACHE_SIZE = -8192  # KiB, as PRAGMA cache_size takes it
_DATES = frozenset({"occurred_on", "occurred_until", "source_accessed_on"})
# Between the items of a list as SQL joins them, and between a link's clause and bearing: characters the
# record's text seldom holds. Each list comes with its count, so an item holding one is noticed.
_ITEM, _PAIR = "\x1f", "\x1e"
_ROLE_OF = {column: role for role, column in ROLE_COLUMNS.items()}
_NAMES = [at for at, name in enumerate(COLUMNS) if name in _ROLE_OF]
_LINKS = COLUMNS.index("links")
_NAMED, _EVENT = len(COLUMNS), len(COLUMNS) + 1  # after the cells: how many names the roles hold, the event


def _protected(text):
    """db.event_csv.protect in SQL, so the rows go from SQLite to csv.writer untouched by Python."""
    return case((func.substr(text, 1, 1).in_(FORMULA_STARTS), literal("'") + text), else_=text)


def _query(wanted: EventFilter):
    """Every cell of the filtered events, oldest first, then how many names the roles hold and the event's id.

    Each event's actors come from one join grouped by event, a role's names in one aggregate: four
    correlated subqueries, one a role, took twice as long, each reading every actor link of the event again
    (tests/bench_million.py). The links come from a correlated subquery, as "count, links" (few events have
    any). Neither aggregate orders its items (SQLite before 3.44, Debian 12's, cannot be told to), so
    `_Lister` sorts them."""
    link, actor = aliased(EventActor), aliased(Actor)  # not the filter's own, which its subqueries name
    cells = []
    for name in COLUMNS:
        if name in _ROLE_OF:
            cell = func.aggregate_strings(case((link.role == str(_ROLE_OF[name]), actor.name)), _ITEM)
        elif name == "links":
            pairs = func.aggregate_strings(Obligation.ref + _PAIR + EventObligation.bearing, _ITEM)
            cell = (
                select(cast(func.count(), String) + _ITEM + pairs)
                .where(EventObligation.event_id == Event.id, Obligation.id == EventObligation.obligation_id)
                .scalar_subquery()
            )  # NULL for none
        elif name in _DATES:  # as SQLite holds them, ISO text
            cell = type_coerce(getattr(Event, name), String)
        else:
            cell = getattr(Event, name)
        # Floats come as floats, which csv.writer writes with repr, so they read back exactly; None is empty.
        cells.append(_protected(cell) if name in TEXT_COLUMNS and name not in ("links", *_ROLE_OF) else cell)
    named = func.count(case((link.role.in_([str(role) for role in ROLE_COLUMNS]), link.actor_id)))
    return (
        select(*cells, named, Event.id)
        .select_from(Event)
        .outerjoin(link, link.event_id == Event.id)
        .outerjoin(actor, actor.id == link.actor_id)
        .where(*conditions(wanted))
        .group_by(Event.id)
        .order_by(Event.occurred_on, Event.id)
    )


class _Lister:
    """The rows of `_query` as the CSV's: each role's names by name, the links by clause then bearing,
    both protected (db.event_csv.protect)."""

    def __init__(self, connection):
        self.connection = connection

    def __call__(self, row) -> list:
        cells = list(row[:_NAMED])
        found = 0
        for at in _NAMES:
            if (text := cells[at]) is not None:
                if _ITEM in text:
                    names = text.split(_ITEM)
                    found += len(names)
                    text = LIST_SEPARATOR.join(sorted(names))
                else:
                    found += 1
                cells[at] = "'" + text if text.startswith(FORMULA_STARTS) else text
        if found != row[_NAMED]:  # a name holds _ITEM: read them apart
            self._names(cells, row[_EVENT])
        if (text := cells[_LINKS]) is not None:
            count, _, text = text.partition(_ITEM)
            links = [pair.split(_PAIR) for pair in text.split(_ITEM)]
            if len(links) != int(count) or any(len(link) != 2 for link in links):
                links = self._links(row[_EVENT])  # a clause reference holds _ITEM or _PAIR
            cells[_LINKS] = protect(links_cell(sorted(map(tuple, links))))
        return cells

    def _names(self, cells: list, event_id: str) -> None:
        by_role = {str(role): [] for role in ROLE_COLUMNS}
        for role, name in self.connection.execute(
            select(EventActor.role, Actor.name)
            .join(Actor, Actor.id == EventActor.actor_id)
            .where(EventActor.event_id == event_id, EventActor.role.in_(list(by_role)))
        ):
            by_role[role].append(name)
        for at, names in zip(_NAMES, by_role.values(), strict=True):
            cells[at] = protect(LIST_SEPARATOR.join(sorted(names))) if names else None

    def _links(self, event_id: str) -> list:
        return self.connection.execute(
            select(Obligation.ref, EventObligation.bearing)
            .join(EventObligation, EventObligation.obligation_id == Obligation.id)
            .where(EventObligation.event_id == event_id)
        ).all()


def write_events_csv(
    session: Session, handle: TextIO, wanted: EventFilter = ALL_EVENTS, progress=None
) -> int:
    """Write the filtered events, oldest first, to an open text file; returns how many.

    One statement reads every cell, the actors and links of each event included (an event whose names or
    clause references hold the characters that statement joins them with is read again on its own), and the
    rows are written as they come, so memory stays flat however many events there are. `progress(done)` is
    told after each few thousand; returning False stops the export (ExportCancelled)."""
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count, connection = 0, session.connection()
    listed = _Lister(connection)
    with _sorting_cache(connection):
        for part in connection.execute(_query(wanted)).partitions(_ROWS_AT_ONCE):
            writer.writerows(map(listed, part))
            count += len(part)
            if progress is not None and progress(count) is False:
                raise ExportCancelled()
    return count


@contextmanager
def _sorting_cache(connection):
    """The connection's page cache at SORTING_CACHE_SIZE while the export reads; its own again after."""
    if not is_sqlite(connection):
        yield
        return
    own = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = {SORTING_CACHE_SIZE}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(own)}")


def export_events(session: Session, path: Path | str, wanted: EventFilter = ALL_EVENTS, progress=None) -> int:
    """Write the filtered events to `path` atomically; returns how many. UserError if it cannot;
    ExportCancelled, with nothing written, when `progress` returns False."""
    return write_atomically(
        Path(path), lambda handle: write_events_csv(session, handle, wanted, progress), "utf-8-sig"
    )
