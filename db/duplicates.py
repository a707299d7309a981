"""Does a new event look like one already in the record? A pure rule over event sketches.

Two events are taken for the same happening when all of these hold:
- their dates can be the same day: the periods their dates stand for at their precision overlap
  (db.as_of.period: a week-dated event may be any day of its week);
- the same type of event;
- the same place: the same location, or, where one has no location, the same first and second
  administrative areas;
- their actors overlap (or one names none);
- their notes read alike: rapidfuzz's token-set ratio, which ignores word order and extra words (a
  fuller report of the same attack), at least THRESHOLD — or both have no notes.
The threshold was chosen on the table of true and false cases in tests/db/test_duplicates.py, which
measures its false-positive and false-negative rates there (both 0 at 75; at 60 one other clash in the
same place on the same day is taken for the ambush, at 95 reworded reports are missed).
"""

import json
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, partial

from rapidfuzz import fuzz, utils
from sqlalchemy import text
from sqlmodel import Session

from db.as_of import period
from db.dialects import ascii_folded
from db.event_file import Chunk
from db.event_rules import EventFields, date_label
from db.parties import COUNTED_TOGETHER

THRESHOLD = 75  # token-set ratio, 0–100: the table's same happenings score 86 and more, the others 62 at most


@dataclass(frozen=True)
class EventSketch:
    """What the rule compares: an event as the form or a file row has it."""

    occurred_on: date
    date_precision: str
    event_type: str
    location: str = ""
    admin1: str = ""
    admin2: str = ""
    actors: frozenset[str] = frozenset()  # casefolded names
    notes: str = ""
    id: str = ""
    label: str = ""  # how the form names it: "2020-04-07 Sholgara, Balkh — ambush of security forces"
    until: date | None = None  # the end of a range (UCDP's date_end)


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _same_place(a: EventSketch, b: EventSketch) -> bool:
    if a.location and b.location:
        return _same(a.location, b.location)
    return bool(a.admin1) and _same(a.admin1, b.admin1) and (not a.admin2 or not b.admin2 or _same(a.admin2, b.admin2))


def _dates_meet(a: EventSketch, b: EventSketch) -> bool:
    first, last = period(a.occurred_on, a.date_precision, a.until)
    other_first, other_last = period(b.occurred_on, b.date_precision, b.until)
    return first <= other_last and other_first <= last


def notes_likeness(a: str, b: str) -> float:
    """0–100: how alike two notes read, case, punctuation and word order aside."""
    if not a.strip() and not b.strip():
        return 100.0
    return fuzz.token_set_ratio(a, b, processor=utils.default_process)


def likeness(a: EventSketch, b: EventSketch) -> float | None:
    """The notes' likeness when everything else says one happening, else None."""
    if not (_dates_meet(a, b) and _same(a.event_type, b.event_type) and _same_place(a, b)):
        return None
    if a.actors and b.actors and not a.actors & b.actors:
        return None
    return notes_likeness(a.notes, b.notes)


def likely_duplicates(candidate: EventSketch, existing: Iterable[EventSketch], threshold: float = THRESHOLD) -> list[EventSketch]:
    """The existing events the candidate looks like, the most alike first; never itself."""
    scored = [
        (score, other) for other in existing
        if not (candidate.id and other.id == candidate.id)
        if (score := likeness(candidate, other)) is not None and score >= threshold
    ]  # fmt: skip
    return [other for _score, other in sorted(scored, key=lambda pair: -pair[0])]


# --- against the record ------------------------------------------------------------------------------------

_NEAR = timedelta(days=62)  # a month-dated event and one dated to a day of it can be this far apart
_CHUNK = 5_000  # sketches per statement

# The events that can be the same happening as each sketch, found through the indexes rather than
# by reading every event of the type near the date (at 100,000 events that was about a thousand a row):
# the same location, as ix_event_location_occurred_on compares it (NOCASE, see db/models.py), in the
# date window; events with no location, by admin area in the window; and, for a sketch with no location,
# the events of its type in the window by admin area. `likeness` then decides, casefolded.
# The record as it was before an import began: its own rows have higher rowids (SQLite hands a new row the
# highest rowid + 1), and each index entry carries the rowid, so the rows an import wrote from earlier chunks
# are passed over in the index, never read. Excluding them by import file read each of them (it grew with
# the square of the file: the import's own rows near a place and date are more, chunk by chunk). A server
# has no rowid: there the rows the import's own transaction inserted are passed over (version 1; an event it
# updated, now of a later version, was in the record as it was).
_AS_IT_WAS = {
    "sqlite": "e.rowid <= :last_before",
    "postgresql": "NOT (e.xmin = CAST(pg_current_xact_id() AS xid) AND e.version = 1)",
}


@cache
def _statements(dialect_name: str) -> tuple:
    """(near events, sketched events, actor names) in the dialect's spelling of JSON and of NOCASE."""
    if dialect_name == "sqlite":
        wanted = "json_each(:{}) w CROSS JOIN event e"  # CROSS JOIN: SQLite then seeks the events for each sketch
        low, high, location, admin1, kind, n = (f"json_extract(w.value, '$[{n}]')" for n in range(6))
        ids = "SELECT value FROM json_each(:ids)"
    else:
        wanted = "json_array_elements(CAST(:{} AS json)) w(value) JOIN event e"
        low, high = (f"CAST(w.value->>{n} AS date)" for n in range(2))
        location, admin1, kind = (f"w.value->>{n}" for n in range(2, 5))
        n = "CAST(w.value->>5 AS integer)"
        ids = "SELECT json_array_elements_text(CAST(:ids AS json))"
    fold, as_it_was = partial(ascii_folded, dialect_name), _AS_IT_WAS[dialect_name]
    near = text(f"""
SELECT {n}, e.id FROM {wanted.format("placed")}
    ON {fold("e.location")} = {fold(location)} AND e.occurred_on BETWEEN {low} AND {high} AND {as_it_was}
UNION
SELECT {n}, e.id FROM {wanted.format("placed")}
    ON e.location IS NULL AND e.occurred_on BETWEEN {low} AND {high} AND {fold("e.admin1")} = {fold(admin1)}
    AND {as_it_was}
UNION
SELECT {n}, e.id FROM {wanted.format("unplaced")}
    ON e.event_type = {kind} AND e.occurred_on BETWEEN {low} AND {high} AND {fold("e.admin1")} = {fold(admin1)}
    AND {as_it_was}
""")
    sketched = text(f"""
SELECT e.id, CAST(e.occurred_on AS TEXT), e.date_precision, e.event_type, e.location, e.admin1, e.admin2, e.notes,
    CAST(e.occurred_until AS TEXT)
FROM event e WHERE e.id IN ({ids})
""")
    # An event's actors by their names and aliases, casefolded, with those of the actors counted together with
    # them under a party (db.parties): a file names "Police Forces of Afghanistan (2014-2021)" where the record's
    # event names "Afghan government", the party that groups them.
    actor_names = text(f"""
WITH named AS (
  SELECT ea.event_id, ea.actor_id FROM eventactor ea WHERE ea.event_id IN ({ids})
  UNION
  SELECT ea.event_id, together.fellow FROM eventactor ea JOIN ({COUNTED_TOGETHER}) together ON together.actor_id = ea.actor_id
  WHERE ea.event_id IN ({ids})
)
SELECT n.event_id, a.name FROM named n JOIN actor a ON a.id = n.actor_id
UNION ALL
SELECT n.event_id, aa.alias FROM named n JOIN actoralias aa ON aa.actor_id = n.actor_id
""")
    return near, sketched, actor_names


def sketch_of(fields: EventFields, event_id: str = "") -> EventSketch:
    return EventSketch(
        fields.occurred_on, fields.date_precision, fields.event_type, fields.location or "", fields.admin1 or "",
        fields.admin2 or "", frozenset(name.casefold() for name in fields.actors), fields.notes or "", event_id,
        until=fields.occurred_until,
    )  # fmt: skip


def events_like(session: Session, fields: EventFields, event_id: str = "") -> list[EventSketch]:
    """The events of the record that `fields` looks like (db/duplicates.py's rule), most alike first."""
    return likely_in_record(session, [sketch_of(fields, event_id)])[0]


_ALL = 2**63 - 1  # SQLite's highest rowid


def last_rowid(session: Session) -> int:
    """The highest rowid of the events: the events at most this are the record as it is now."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return 0  # unused on a server (_AS_IT_WAS)
    return connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM event").scalar()


def likely_in_record(
    session: Session, sketches: Sequence[EventSketch], last_before: int | None = None
) -> list[list[EventSketch]]:
    """For each sketch, the events of the record it looks like, most alike first: a statement per chunk of
    sketches, each row's candidates found through the indexes on place and date; with
    `last_before` (`last_rowid` before an import wrote anything), among the events the record held then."""
    return _alike(session, [_where(s) for s in sketches], sketches.__getitem__, last_before)


# Where and when a sketch may have happened, what _NEAR_EVENTS looks for: its first and last day, location,
# first administrative area and type.
Where = tuple[date, date, str | None, str | None, str]


def _where(sketch: EventSketch) -> Where:
    first, last = period(sketch.occurred_on, sketch.date_precision, sketch.until)
    return first, last, sketch.location or None, sketch.admin1 or None, sketch.event_type


def _alike(
    session: Session, wheres: list[Where], sketch: Callable[[int], EventSketch], last_before: int | None
) -> list[list[EventSketch]]:
    """The events each `wheres` may be, compared by `likeness` with the sketch of it, made only for those
    that have candidates (most rows of a big import have none, and a sketch costs more than its query)."""
    found: list[list[EventSketch]] = []
    connection = session.connection()
    as_it_was = {"last_before": _ALL if last_before is None else last_before}
    for start in range(0, len(wheres), _CHUNK):
        part = wheres[start : start + _CHUNK]
        near: dict[int, list[str]] = {}
        for n, found_id in connection.execute(_statements(connection.dialect.name)[0], {**_near(part), **as_it_was}):
            near.setdefault(n, []).append(found_id)
        existing = _sketches(connection, sorted({i for ids in near.values() for i in ids}))
        found.extend(
            likely_duplicates(sketch(start + n), [existing[i] for i in near[n]]) if n in near else []
            for n in range(len(part))
        )
    return found


def near_parameters(sketches: Sequence[EventSketch]) -> dict[str, str]:
    """The near events' parameters for these sketches."""
    return _near([_where(s) for s in sketches])


def _near(wheres: Sequence[Where]) -> dict[str, str]:
    """The near events' parameters: each row's date window, place, type and number, those with a location
    apart from those without."""
    wanted = [
        [(first - _NEAR).isoformat(), (last + _NEAR).isoformat(), location, admin1, kind, n]
        for n, (first, last, location, admin1, kind) in enumerate(wheres)
    ]
    return {
        "placed": json.dumps([w for w in wanted if w[2] is not None]),
        "unplaced": json.dumps([w for w in wanted if w[2] is None]),
    }


def _sketches(connection, event_ids: list[str]) -> dict[str, EventSketch]:
    ids = json.dumps(event_ids)
    actors: dict[str, set[str]] = {}
    for found_id, name in connection.execute(_statements(connection.dialect.name)[2], {"ids": ids}):
        actors.setdefault(found_id, set()).add(name.casefold())
    return {
        found_id: EventSketch(
            date.fromisoformat(on), precision, kind, location or "", admin1 or "", admin2 or "",
            frozenset(actors.get(found_id, ())), notes or "", found_id, _label(on, precision, until, location, admin1, notes),
            date.fromisoformat(until) if until else None,
        )  # fmt: skip
        for found_id, on, precision, kind, location, admin1, admin2, notes, until in connection.execute(
            _statements(connection.dialect.name)[1], {"ids": ids}
        )
    }


def _label(
    on: str, precision: str, until: str | None, location: str | None, admin1: str | None, notes: str | None
) -> str:
    place = ", ".join(part for part in (location, admin1) if part)
    said = (notes or "").strip()
    return f"{date_label(on, precision, until)} {place} — {said[:80]}{'…' if len(said) > 80 else ''}".replace("  ", " ")


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def ascii_fold(text: str) -> str:
    """The text as SQLite's NOCASE (and a server's lower() in the C collation) compares it: ASCII letters
    lower-cased, nothing else."""
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class Places:
    """Where the record's events are: their locations, and the first administrative areas of those with
    none, folded as the near events' statement compares them. A row with a location that is neither has
    no candidate, so an import does not look it up: a big import into a record that lacks its places
    (most rows of most imports) read, chunk by chunk, the index entries of its own rows there, and passed
    over each (97 s of an import of 1,000,000 rows; tests/bench_million.py)."""

    locations: frozenset[str]
    unlocated_areas: frozenset[str]

    def may_meet(self, location: str | None, admin1: str | None) -> bool:
        if not location:
            return True  # looked up by type and area
        return ascii_fold(location) in self.locations or bool(admin1) and ascii_fold(admin1) in self.unlocated_areas


def record_places(session: Session) -> Places:
    """The record's places now (each distinct value once, read from the index on location and date)."""
    connection = session.connection()
    fold = partial(ascii_folded, connection.dialect.name)

    def folded(statement: str) -> frozenset[str]:
        return frozenset(ascii_fold(value) for (value,) in connection.exec_driver_sql(statement) if value)

    return Places(
        folded(f"SELECT DISTINCT {fold('location')} FROM event"),
        folded(f"SELECT DISTINCT {fold('admin1')} FROM event WHERE location IS NULL"),
    )


def rows_like_record(
    session: Session, chunk: Chunk, rows: Sequence[int], last_before: int | None = None, places: Places | None = None
) -> dict[int, EventSketch]:
    """Of a chunk of an event file's rows (by index), those that look like an event already in the record
    (with `last_before`, as it was then: see likely_in_record), each with the one it is most like: the import's check lists them
    apart from the new events (db/event_import.py). `places` (record_places before the import wrote anything)
    leaves out the rows that cannot be like any event of the record as it was."""
    start, blank = chunk.rows.start, [None] * len(chunk.rows)

    def whole(name: str) -> list:
        return chunk.columns[chunk.sets.index(name)] if name in chunk.sets else blank

    if places is not None:
        location, admin1 = whole("location"), whole("admin1")
        rows = [row for row in rows if places.may_meet(location[row - start], admin1[row - start])]

    def column(name: str) -> list:
        wanted = whole(name)
        return [wanted[row - start] for row in rows]

    on, precision, kind, location, admin1, admin2, notes, until = map(column, _ROW_COLUMNS)
    precision = [given or "day" for given in precision]
    wheres = [
        (*period(day, given, end), place or None, area or None, what or "")
        for day, given, end, place, area, what in zip(on, precision, until, location, admin1, kind, strict=True)
    ]

    def sketch(n: int) -> EventSketch:
        named = chunk.actors[rows[n] - start]
        return EventSketch(
            on[n], precision[n], kind[n] or "", location[n] or "", admin1[n] or "", admin2[n] or "",
            frozenset(name.casefold() for group in named for _role, name in group), notes[n] or "", until=until[n],
        )  # fmt: skip

    found = _alike(session, wheres, sketch, last_before)
    return {row: like[0] for row, like in zip(rows, found, strict=True) if like}


_ROW_COLUMNS = ("occurred_on", "date_precision", "event_type", "location", "admin1", "admin2", "notes", "occurred_until")
