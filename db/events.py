"""Changes to the event log: one function per user action, for the window's undo commands.

Each takes the Session of the action's transaction (Store.writing), where the audit hook records it.
Functions that create a row accept its id, so an undone action can be redone with the same identity.
An event's figure for a metric (its observation) belongs to the event: it is deleted and restored with
it. Actors named on the spot stay in the record after an undo, so a redo finds the same actor by name.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, SQLModel, col, select

from db import audit
from db.actors import find_or_create_actors
from db.audit import column_values
from db.changes import Changes
from db.errors import RecordError
from db.event_rules import FIELD_COLUMNS, EventFields, MetricFigure, check_event_fields, role_rank
from db.ids import new_id
from db.models import Actor, Event, EventActor, EventObligation, Metric, Obligation, Observation
from db.records import get_or_refuse
from db.vocabulary import Bearing, EventRole, Origin


def _get(session: Session, event_id: str) -> Event:
    return get_or_refuse(session, Event, event_id, "event")


def create_event(
    session: Session, values: EventFields, event_id: str | None = None, *, origin: str = Origin.TYPED,
    same_happening_as: str | None = None,
) -> str:
    """A new event (with its actors, links and figure); returns its id. `same_happening_as`: the first
    event of the happening it reports too (db/same_happening.py)."""
    values = check_event_fields(values)
    row = Event(id=event_id or new_id(), origin=str(origin), recorded_by=audit.who(session))
    row.same_happening_as = same_happening_as
    session.add(row)
    _write(session, row, values)
    return row.id


def update_event(session: Session, event_id: str, values: EventFields) -> None:
    """Save the form over the event: columns, actors, links and figure."""
    _write(session, _get(session, event_id), check_event_fields(values))


def _write(session: Session, row: Event, values: EventFields) -> None:
    for name in FIELD_COLUMNS:
        value = getattr(values, name)
        if getattr(row, name) != value:  # only real changes reach the audit trail
            setattr(row, name, value)
    session.flush()
    actor_ids = _set_actors(session, row.id, values.actors)
    _set_links(session, row.id, values.links)
    _set_figure(session, row, values.figure, actor_ids)
    session.flush()


def _set_actors(session: Session, event_id: str, names: list[str]) -> dict[str, str]:
    """Link the named actors: the first is actor 1, the others keep their role or, if new, are actor 2."""
    ids = dict(zip(names, find_or_create_actors(session, names), strict=True))
    current = {
        link.actor_id: link
        for link in session.exec(select(EventActor).where(EventActor.event_id == event_id))
    }
    wanted = list(dict.fromkeys(ids.values()))
    for actor_id, link in current.items():
        if actor_id not in wanted:
            session.delete(link)
    for position, actor_id in enumerate(wanted):
        kept = current[actor_id].role if actor_id in current else EventRole.ACTOR2
        role = EventRole.ACTOR1 if position == 0 else (EventRole.ACTOR2 if kept == EventRole.ACTOR1 else kept)
        if actor_id not in current:
            session.add(EventActor(event_id=event_id, actor_id=actor_id, role=role))
        elif current[actor_id].role != role:
            current[actor_id].role = role
    session.flush()
    return ids


def _set_links(session: Session, event_id: str, links: list[tuple[str, str]]) -> None:
    wanted = dict(links)
    current = {
        link.obligation_id: link
        for link in session.exec(select(EventObligation).where(EventObligation.event_id == event_id))
    }
    for obligation_id, link in current.items():
        if obligation_id not in wanted:
            session.delete(link)
    for obligation_id, bearing in wanted.items():
        link = current.get(obligation_id)
        if link is None:
            get_or_refuse(session, Obligation, obligation_id, "obligation")
            session.add(EventObligation(event_id=event_id, obligation_id=obligation_id, bearing=bearing))
        elif link.bearing != bearing:
            link.bearing = bearing


def _figures(session: Session, event_id: str) -> list[Observation]:
    query = select(Observation).where(Observation.event_id == event_id).order_by(Observation.id)
    return list(session.exec(query))


FIGURE_COLUMNS = frozenset({"occurred_on", "date_precision", "source_name"})  # an event's figure copies these


def _set_figure(session: Session, row: Event, figure: MetricFigure | None, actor_ids: dict[str, str]) -> None:
    """The event's one figure: an observation of the metric on the event's date, claimed by an actor."""
    current = _figures(session, row.id)
    keep = current[:1] if figure is not None else []
    for observation in current:
        if observation not in keep:
            session.delete(observation)
    if figure is None:
        return
    get_or_refuse(session, Metric, figure.metric_id, "metric")
    if figure.claimant is None:
        claimant_id = None
    else:
        claimant_id = actor_ids.get(figure.claimant) or find_or_create_actors(session, [figure.claimant])[0]
    values = {
        "metric_id": figure.metric_id, "observed_on": row.occurred_on, "date_precision": row.date_precision,
        "value": figure.value, "qualifier": figure.qualifier, "claimant_id": claimant_id, "event_id": row.id,
        "source": row.source_name,
    }  # fmt: skip
    if keep:
        for name, value in values.items():
            if getattr(keep[0], name) != value:
                setattr(keep[0], name, value)
    else:
        session.add(Observation(id=figure.observation_id or new_id(), **values))


def event_fields(session: Session, event_id: str) -> EventFields:
    """The event as the form shows it: actors in role order (actor 1 first), then by name."""
    row = _get(session, event_id)
    actors = event_actor_roles(session, event_id)
    links = session.exec(
        select(EventObligation.obligation_id, EventObligation.bearing).where(
            EventObligation.event_id == event_id
        )
    ).all()
    figure = None
    if observations := _figures(session, event_id):
        first = observations[0]
        claimant = session.get(Actor, first.claimant_id) if first.claimant_id else None
        figure = MetricFigure(
            first.metric_id, first.value, first.qualifier, claimant and claimant.name, first.id
        )
    return EventFields(
        **{name: getattr(row, name) for name in FIELD_COLUMNS},
        actors=[name for _, name in actors],
        links=sorted((obligation_id, bearing) for obligation_id, bearing in links),
        figure=figure,
    )


def event_actor_roles(session: Session, event_id: str) -> list[tuple[str, str]]:
    """(role, actor's name) of each actor of the event, actor 1 first."""
    actors = session.exec(
        select(EventActor.role, Actor.name)
        .join(Actor, Actor.id == EventActor.actor_id)
        .where(EventActor.event_id == event_id)
    ).all()
    return sorted(((role, name) for role, name in actors), key=lambda a: (role_rank(a[0]), a[1].casefold()))


def edit_event(session: Session, event_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """An inline edit of some fields (e.g. one table cell); returns their previous values, for undo.

    Columns of the event row alone that its figure does not copy are checked with the row's other
    columns and written without reading its actors, links and figure (one table cell: one read, one
    update, its audit entry)."""
    if set(changes) <= set(FIELD_COLUMNS) - FIGURE_COLUMNS:
        row = _get(session, event_id)
        columns = {name: getattr(row, name) for name in FIELD_COLUMNS}
        checked = check_event_fields(replace(EventFields(**columns), **changes))
        previous = {name: columns[name] for name in changes}
        for name in changes:
            if getattr(row, name) != getattr(checked, name):
                setattr(row, name, getattr(checked, name))
        session.flush()
        return previous
    current = event_fields(session, event_id)
    previous = {name: getattr(current, name) for name in changes}
    update_event(session, event_id, replace(current, **changes))
    return previous


# What the compliance engine and the detail panel read of a linked event (db.facts, db.tree).
EVIDENCE_COLUMNS = frozenset({
    "occurred_on", "occurred_until", "date_precision", "event_type", "sub_event_type", "location", "notes",
    "source_name", "reliability", "credibility",
})  # fmt: skip


def event_changes(session: Session, event_ids: list[str], columns: set[str] | None = None) -> Changes:
    """What writing the events changed: the events, and — unless only `columns` changed that no status
    reads — the obligations they are linked to and the metrics their figures report."""
    if len(event_ids) > _MANY:  # a bulk delete: say everything rather than bind a parameter per event
        return Changes(events=frozenset(event_ids), event_log=True, actors=True, everything=True)
    changes = Changes(
        events=frozenset(_with_happenings(session, event_ids)), event_log=True,
        actors=columns is None or "event_type" in columns,
    )  # fmt: skip
    if columns is not None and not columns & EVIDENCE_COLUMNS:
        return changes
    linked = session.exec(select(EventObligation.obligation_id).where(col(EventObligation.event_id).in_(event_ids)))
    figures = session.exec(select(Observation.metric_id).where(col(Observation.event_id).in_(event_ids)))
    return changes | Changes(evidence=frozenset(linked), metrics=frozenset(figures))


_MANY = 500


def _with_happenings(session: Session, event_ids: list[str]) -> set[str]:
    """The events and the others reporting their happenings (db/same_happening.py): each one's count of
    sources in the log changes when one of them is added or deleted."""
    keys = select(func.coalesce(Event.same_happening_as, Event.id)).where(col(Event.id).in_(event_ids))
    peers = select(Event.id).where(or_(col(Event.id).in_(keys), col(Event.same_happening_as).in_(keys)))
    return {*event_ids, *session.exec(peers)}


def link_changes(event_ids: list[str], obligation_id: str) -> Changes:
    """Events linked to (or unlinked from) an obligation: its evidence and the log's Obligations column."""
    return Changes(
        evidence=frozenset({obligation_id}), events=frozenset(event_ids), event_log=True, select=obligation_id
    )


@dataclass
class DeletedEvent:
    """Everything deleting an event removed, so undo can put it back exactly."""

    event: dict[str, Any]
    related: list[tuple[type[SQLModel], dict[str, Any]]]


def delete_event(session: Session, event_id: str) -> DeletedEvent:
    row = _get(session, event_id)
    related = []
    for model in (Observation, EventObligation, EventActor):
        for linked in session.exec(select(model).where(model.event_id == event_id)):
            related.append((model, column_values(linked)))
            session.delete(linked)
    session.flush()
    deleted = DeletedEvent(column_values(row), related)
    session.delete(row)
    session.flush()
    return deleted


def restore_event(session: Session, deleted: DeletedEvent) -> None:
    """Undo of delete_event."""
    session.add(Event(**deleted.event))
    session.flush()
    session.add_all(model(**values) for model, values in deleted.related)
    session.flush()


def duplicate_event(session: Session, event_id: str, new_event_id: str | None = None) -> str:
    """A typed-in copy of the event with its actors and links, without its figure or external id."""
    values = replace(event_fields(session, event_id), figure=None)
    return create_event(session, values, new_event_id)


def link_obligation(session: Session, event_id: str, obligation_id: str, bearing: str) -> str | None:
    """Link (or re-bear) the event to an obligation; returns the previous bearing, None if unlinked."""
    if bearing not in list(Bearing):
        raise RecordError(f"'{bearing}' is not a bearing; use supports, breach or context.")
    _get(session, event_id)
    get_or_refuse(session, Obligation, obligation_id, "obligation")
    link = session.get(EventObligation, (event_id, obligation_id))
    previous = link.bearing if link else None
    if link is None:
        session.add(EventObligation(event_id=event_id, obligation_id=obligation_id, bearing=bearing))
    elif link.bearing != bearing:
        link.bearing = bearing
    session.flush()
    return previous


def unlink_obligation(session: Session, event_id: str, obligation_id: str) -> str | None:
    """Remove the link; returns its bearing (None if there was none), so undo can link it again."""
    link = session.get(EventObligation, (event_id, obligation_id))
    if link is None:
        return None
    session.delete(link)
    session.flush()
    return link.bearing


def unlinked_events(session: Session, event_ids: list[str], obligation_id: str) -> list[str]:
    """Those of the events (each once, in order) not linked to the obligation yet."""
    # The obligation's links rather than one bound parameter per event (SQLite limits them, DESIGN.md).
    linked = set(session.exec(select(EventObligation.event_id).where(EventObligation.obligation_id == obligation_id)))
    return [event_id for event_id in dict.fromkeys(event_ids) if event_id not in linked]
