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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz, utils
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.as_of import period
from db.event_rules import EventFields, date_label
from db.models import Actor, Event, EventActor

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


def sketch_of(fields: EventFields, event_id: str = "") -> EventSketch:
    return EventSketch(
        fields.occurred_on, fields.date_precision, fields.event_type, fields.location or "", fields.admin1 or "",
        fields.admin2 or "", frozenset(name.casefold() for name in fields.actors), fields.notes or "", event_id,
        until=fields.occurred_until,
    )  # fmt: skip


def events_like(session: Session, fields: EventFields, event_id: str = "") -> list[EventSketch]:
    """The events of the record that `fields` looks like (db/duplicates.py's rule), most alike first."""
    near = session.exec(
        select(Event.id, Event.occurred_on, Event.date_precision, Event.event_type, Event.location, Event.admin1,
               Event.admin2, Event.notes, Event.occurred_until)  # fmt: skip
        .where(func.lower(Event.event_type) == fields.event_type.strip().lower())
        .where(Event.occurred_on.between(fields.occurred_on - _NEAR, fields.occurred_on + _NEAR))
    ).all()
    actors: dict[str, set[str]] = {}
    for found_id, name in session.exec(
        select(EventActor.event_id, Actor.name).join(Actor).where(col(EventActor.event_id).in_([r[0] for r in near]))
    ):
        actors.setdefault(found_id, set()).add(name.casefold())
    existing = [
        EventSketch(on, precision, kind, location or "", admin1 or "", admin2 or "",
                    frozenset(actors.get(found_id, ())), notes or "", found_id,
                    _label(on, precision, until, location, admin1, notes), until)  # fmt: skip
        for found_id, on, precision, kind, location, admin1, admin2, notes, until in near
    ]
    return likely_duplicates(sketch_of(fields, event_id), existing)


def _label(
    on: date, precision: str, until: date | None, location: str | None, admin1: str | None, notes: str | None
) -> str:
    place = ", ".join(part for part in (location, admin1) if part)
    text = (notes or "").strip()
    return f"{date_label(on, precision, until)} {place} — {text[:80]}{'…' if len(text) > 80 else ''}".replace("  ", " ")
