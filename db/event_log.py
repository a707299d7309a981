"""The event log table: plain tuples filtered and sorted in SQL, for 100,000 events and more.

The window's model holds these tuples (ORM objects cost 15× more to load, DESIGN.md) and shows them
through db.event_rules' labels; `Col` names the place of each value in a row. The filters use the
indexes of migration 0002 (type and date, grade and date) and those on the link tables' foreign keys.
Free text is matched with LIKE ignoring case for ASCII letters only, as SQLite compares (on a server too:
db.dialects.contains_any_case).
"""

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from sqlalchemy import case, func, or_
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col, select

from db.dialects import contains_any_case, date_text
from db.event_rules import EVENT_TYPES, ROLE_ORDER
from db.models import Actor, ActorAlias, Event, EventActor, EventObligation, Obligation
from db.parties import events_concerning
from db.same_happening import source_count

NAME_SEPARATOR = "; "


@dataclass(frozen=True)
class EventFilter:
    """What the officer narrowed the log to; the defaults show every event."""

    text: str = ""  # in notes, places, source, external id and actors' names or aliases
    date_from: date | None = None
    date_to: date | None = None
    event_type: str | None = None
    actor_id: str | None = None  # its events; within an agreement, those of the actors counted as it too
    obligation_ids: tuple[str, ...] = ()  # linked to any of these
    reliability: str | None = None
    credibility: str | None = None
    agreement_id: str | None = None  # the events of this agreement's view (`agreement_events`)


ALL_EVENTS = EventFilter()


class Col(IntEnum):
    """Where each value sits in a row of `event_rows`."""

    ID = 0
    OCCURRED_ON = 1  # "YYYY-MM-DD"
    DATE_PRECISION = 2
    EVENT_TYPE = 3
    SUB_EVENT_TYPE = 4
    ACTORS = 5  # names joined by "; ", actor 1 first
    LOCATION = 6
    ADMIN1 = 7
    COUNTRY = 8
    FATALITIES = 9
    SOURCE_NAME = 10
    RELIABILITY = 11
    CREDIBILITY = 12
    OBLIGATIONS = 13  # "P1-A.1 (breach); P3-2 (context)"
    NOTES = 14
    EXTERNAL_ID = 15
    SOURCES = 16  # how many events report its happening (db/same_happening.py), 1 when alone
    OCCURRED_UNTIL = 17  # "YYYY-MM-DD", the last day of a range (UCDP); None for one day or period


def _role_rank() -> ColumnElement:
    return case(ROLE_ORDER, value=EventActor.role, else_=len(ROLE_ORDER))


def _actors(value: ColumnElement = Actor.name, separator: str = NAME_SEPARATOR) -> ColumnElement:
    """A value of each of the event's actors, actor 1 first, joined: their names by default."""
    values = (
        select(value.label("value"))
        .select_from(Actor)
        .join(EventActor, EventActor.actor_id == Actor.id)
        .where(EventActor.event_id == Event.id)
        .correlate(Event)
        .order_by(_role_rank(), Actor.name)
        .subquery()
    )
    return select(func.aggregate_strings(values.c.value, separator)).scalar_subquery()


ROLE_SEPARATOR, PAIR_SEPARATOR = "\x1f", "\x1e"  # within and between (role, name) pairs of actor_roles()


def actor_roles() -> ColumnElement:
    """The event's actors as "role\x1fname" pairs joined by \x1e, actor 1 first (db.event_rules.actors_in_roles)."""
    return _actors(EventActor.role + ROLE_SEPARATOR + Actor.name, PAIR_SEPARATOR)


def obligation_refs() -> ColumnElement:
    """The event's linked obligations: "P1-A.1 (breach); P3-2 (context)"."""
    refs = (
        select((Obligation.ref + " (" + EventObligation.bearing + ")").label("ref"))
        .join(EventObligation, EventObligation.obligation_id == Obligation.id)
        .where(EventObligation.event_id == Event.id)
        .correlate(Event)
        .order_by(Obligation.ref)
        .subquery()
    )
    return select(func.aggregate_strings(refs.c.ref, NAME_SEPARATOR)).scalar_subquery()


def _columns() -> list[ColumnElement]:
    # The date as text ("YYYY-MM-DD"), as SQLite stores it: no conversion to date objects for every row.
    return [
        Event.id, date_text(Event.occurred_on), Event.date_precision, Event.event_type,
        Event.sub_event_type, _actors(), Event.location, Event.admin1, Event.country, Event.fatalities,
        Event.source_name, Event.reliability, Event.credibility, obligation_refs(), Event.notes, Event.external_id,
        source_count(),
        date_text(Event.occurred_until),
    ]  # fmt: skip


SORTS = {
    "date": lambda: [Event.occurred_on],
    "type": lambda: [Event.event_type, Event.sub_event_type],
    "actors": lambda: [_actors()],
    "location": lambda: [Event.location, Event.admin1, Event.country],
    "fatalities": lambda: [Event.fatalities],
    "source": lambda: [Event.source_name],
    "grade": lambda: [Event.reliability, Event.credibility],
    "obligations": lambda: [obligation_refs()],
    "notes": lambda: [Event.notes],
    "sources": lambda: [source_count()],
}


def conditions(wanted: EventFilter) -> list[ColumnElement]:
    """The WHERE clause of the filter, shared by the table, its count and the CSV export."""
    found = []
    if wanted.text.strip():
        pattern = wanted.text.strip()
        named = select(ActorAlias.actor_id).where(contains_any_case(ActorAlias.alias, pattern))
        named = named.union(select(Actor.id).where(contains_any_case(Actor.name, pattern)))
        found.append(
            or_(
                *(
                    contains_any_case(column, pattern)
                    for column in (
                        Event.notes,
                        Event.location,
                        Event.admin1,
                        Event.admin2,
                        Event.admin3,
                        Event.country,
                        Event.source_name,
                        Event.source_reference,
                        Event.external_id,
                    )
                ),
                col(Event.id).in_(select(EventActor.event_id).where(col(EventActor.actor_id).in_(named))),
            )  # fmt: skip
        )
    if wanted.date_from is not None:
        found.append(Event.occurred_on >= wanted.date_from)
    if wanted.date_to is not None:
        found.append(Event.occurred_on <= wanted.date_to)
    if wanted.event_type:
        found.append(Event.event_type == wanted.event_type)
    if wanted.actor_id:  # within an agreement, a party's events are also those of the actors it groups
        found.append(col(Event.id).in_(events_concerning(wanted.agreement_id, wanted.actor_id)))
    if wanted.obligation_ids:
        linked = select(EventObligation.event_id).where(
            col(EventObligation.obligation_id).in_(wanted.obligation_ids)
        )
        found.append(col(Event.id).in_(linked))
    if wanted.reliability:
        found.append(Event.reliability == wanted.reliability)
    if wanted.credibility:
        found.append(Event.credibility == wanted.credibility)
    if wanted.agreement_id:
        found.append(agreement_events(wanted.agreement_id))
    return found


def agreement_events(agreement_id: str) -> ColumnElement:
    """The one rule for which events belong to an agreement's view, used by the event log, the exports
    and the PDF's chronology: the events put under it, those put under no agreement (e.g. imported from
    ACLED or UCDP, of which any agreement may need some), and those linked to any of its obligations
    even when put under another agreement (an event can bear on several agreements)."""
    linked = (
        select(EventObligation.event_id)
        .join(Obligation, Obligation.id == EventObligation.obligation_id)
        .where(Obligation.agreement_id == agreement_id)
    )
    # Not "= X OR IS NULL": SQLite would then read the events through the agreement's index and
    # sort all of them for a page, instead of walking the date index (212 ms against 20 ms).
    return or_(func.coalesce(Event.agreement_id, agreement_id) == agreement_id, col(Event.id).in_(linked))


def _ordered(query: Select, sort: str, descending: bool) -> Select:
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
    keys = [*SORTS[sort](), Event.id]  # the id makes the order total, so pages never overlap
    return query.order_by(*(k.desc() if descending else k for k in keys))


def _rows_query(wanted: EventFilter, sort: str, descending: bool) -> Select:
    return _ordered(select(*_columns()).where(*conditions(wanted)), sort, descending)


def event_rows(
    session: Session, wanted: EventFilter = ALL_EVENTS, sort: str = "date", descending: bool = False,
    limit: int | None = None, offset: int = 0,
) -> list[tuple]:  # fmt: skip
    """The rows of the log (see `Col`), filtered and sorted, optionally one page of them.

    A page is chosen by the ids alone, its columns (the actors' and obligations' lists) then made for
    its rows only: deep pages and sorts the indexes cannot serve otherwise build every row of the log
    (a page at row 99,000 of 100,000 sorted by grade: 4.3 s, tests/bench_event_log.py).
    """
    if limit is None:
        query = _rows_query(wanted, sort, descending)
    else:
        page = _ordered(select(Event.id).where(*conditions(wanted)), sort, descending)
        page = page.limit(limit).offset(offset).subquery()
        # The filter is the page's alone: applied again outside it, SQLite evaluated it a second time for
        # each of the page's rows (165 ms against 91 ms for a filter change at 100,000 events).
        query = _ordered(select(*_columns()).where(col(Event.id).in_(select(page.c.id))), sort, descending)
    return [tuple(row) for row in session.connection().execute(query)]


def event_rows_by_id(session: Session, event_ids: list[str]) -> list[tuple]:
    """The rows of some events, e.g. to refresh them after an edit; missing ids are left out."""
    query = select(*_columns()).where(col(Event.id).in_(event_ids))
    return [tuple(row) for row in session.connection().execute(query)]


def count_events(session: Session, wanted: EventFilter = ALL_EVENTS) -> int:
    return (
        session.connection()
        .execute(select(func.count()).select_from(Event).where(*conditions(wanted)))
        .scalar_one()
    )


def find_obligations(session: Session, ref: str) -> list[str]:
    """The ids of the obligations with this clause reference, in any agreement."""
    return list(session.exec(select(Obligation.id).where(Obligation.ref == ref.strip())))


def event_types(session: Session) -> list[str]:
    """The types to choose from: ACLED's, the agreement's own, and any other already used."""
    used = session.exec(select(Event.event_type).distinct()).all()
    return [*EVENT_TYPES, *sorted(set(used) - set(EVENT_TYPES) - {""}, key=str.casefold)]
