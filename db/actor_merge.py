"""Merging two actors that are one (an import's "Taleban" and the example's "Taliban"), and its undo.

Everything that names the other actor moves to the kept one: event links, obligor rows, party rows,
beneficiaries, claimants of observations, aliases; the other's name becomes an alias of the kept actor.
Where both held a place on the same row (both linked to one event, both obligors of one obligation,
both parties with one role) the rows collapse into the kept actor's. Both parties to one agreement with
different roles is refused: which role is right is the officer's call, not the merge's.

Every row changes through the ORM, so db.audit records each one. Link rows keyed by the actor are
deleted and inserted anew rather than re-keyed, so the trail never sees a row change its identity.
`MergedActors` holds what undo needs to put every row back as it was (versions aside).
"""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, SQLModel, select

from db.audit import column_values
from db.changes import Changes
from db.errors import RecordError
from db.ids import new_id
from db.models import (
    Actor,
    ActorAlias,
    Agreement,
    EventActor,
    Obligation,
    ObligationObligor,
    Observation,
    Party,
)
from db.records import get_or_refuse

# Rows that name an actor in a column of their own (not their key): the column moves to the kept actor.
_NAMING = (
    (Party, "actor_id"),
    (Obligation, "beneficiary_id"),
    (Observation, "claimant_id"),
    (ActorAlias, "actor_id"),
)
# Link rows keyed by (their record, the actor): moved by a new row, collapsed where the kept actor is linked.
_LINKS = ((EventActor, "event_id"), (ObligationObligor, "obligation_id"))


@dataclass
class MergedActors:
    """What a merge did, for its undo: the rows it removed (exact values), inserted (their keys) and
    moved (model, row id, column)."""

    other_id: str
    removed: list[tuple[type[SQLModel], dict[str, Any]]] = field(default_factory=list)
    added: list[tuple[type[SQLModel], tuple]] = field(default_factory=list)
    moved: list[tuple[type[SQLModel], str, str]] = field(default_factory=list)
    changes: Changes = Changes()


def merge_actors(session: Session, keep_id: str, other_id: str, alias_id: str | None = None) -> MergedActors:
    """Merge the actor `other_id` into `keep_id` (see the module's docstring); the other is deleted.

    `alias_id`: the id the other's name gets as an alias, so a redo brings back the same row."""
    if keep_id == other_id:
        raise RecordError("An actor cannot be merged into itself; choose two different actors.")
    keep = get_or_refuse(session, Actor, keep_id, "actor")
    other = get_or_refuse(session, Actor, other_id, "actor")
    merged = MergedActors(other_id)
    _refuse_role_conflicts(session, keep, other)
    touched: dict[str, set[str]] = {
        "events": set(),
        "obligations": set(),
        "agreements": set(),
        "metrics": set(),
    }

    kept_parties = {p.agreement_id: p for p in session.exec(select(Party).where(Party.actor_id == keep_id))}
    kept_keys = {keep.name.casefold()}
    for model, column in _NAMING:
        for row in session.exec(select(model).where(getattr(model, column) == other_id)).all():
            collapses = (model is Party and row.agreement_id in kept_parties) or (
                model is ActorAlias and row.alias_key in kept_keys
            )
            _note(touched, row)
            if collapses:
                merged.removed.append((model, column_values(row)))
                session.delete(row)
            else:
                setattr(row, column, keep_id)
                merged.moved.append((model, row.id, column))
    for model, record in _LINKS:
        kept = set(session.exec(select(getattr(model, record)).where(model.actor_id == keep_id)))
        for row in session.exec(select(model).where(model.actor_id == other_id)).all():
            _note(touched, row)
            values = column_values(row)
            merged.removed.append((model, values))
            session.delete(row)
            if values[record] not in kept:
                session.add(model(**{**values, "actor_id": keep_id, "version": 1}))
                merged.added.append((model, (values[record], keep_id)))
    session.flush()

    name_key = other.name.casefold()
    if (
        name_key not in kept_keys
        and session.exec(select(ActorAlias).where(ActorAlias.alias_key == name_key)).first() is None
    ):
        alias = ActorAlias(id=alias_id or new_id(), actor_id=keep_id, alias=other.name, alias_key=name_key)
        session.add(alias)
        merged.added.append((ActorAlias, (alias.id,)))
    merged.removed.append((Actor, column_values(other)))
    session.delete(other)
    session.flush()
    merged.changes = Changes(
        agreements=frozenset(touched["agreements"]), obligations=frozenset(touched["obligations"]),
        evidence=frozenset(touched["obligations"]), events=frozenset(touched["events"]),
        metrics=frozenset(touched["metrics"]), event_log=True, actors=True,
    )  # fmt: skip
    return merged


def unmerge_actors(session: Session, merged: MergedActors) -> Changes:
    """Undo of merge_actors: the other actor and every row as it was before the merge."""
    for model, key in merged.added:
        row = session.get(model, key)
        if row is not None:
            session.delete(row)
    session.flush()
    actors = [values for model, values in merged.removed if model is Actor]
    session.add_all(Actor(**values) for values in actors)
    session.flush()
    for model, row_id, column in merged.moved:
        row = get_or_refuse(session, model, row_id, model.__tablename__)
        if model is ActorAlias:
            # Deleted and inserted back, not updated: the search index's alias trigger (db/search.py)
            # re-indexes only the actor an updated alias goes to, and the kept actor would stay found by it.
            values = column_values(row)
            session.delete(row)
            session.flush()
            session.add(ActorAlias(**{**values, column: merged.other_id}))
        else:
            setattr(row, column, merged.other_id)
    session.add_all(model(**values) for model, values in merged.removed if model is not Actor)
    session.flush()
    return merged.changes


def _refuse_role_conflicts(session: Session, keep: Actor, other: Actor) -> None:
    """Both parties to one agreement with different roles: refused, naming the agreement and roles."""
    parties = select(Party).where(Party.actor_id.in_((keep.id, other.id)))
    roles: dict[str, dict[str, str]] = {}
    for party in session.exec(parties):
        roles.setdefault(party.agreement_id, {})[party.actor_id] = party.role
    for agreement_id, by_actor in roles.items():
        if len(set(by_actor.values())) > 1:
            agreement = session.get(Agreement, agreement_id)
            raise RecordError(
                f"{keep.name} is a {_role(by_actor[keep.id])} and {other.name} a {_role(by_actor[other.id])} of "
                f"{agreement.short_title or agreement.title}; give them one role in the agreement first, then merge."
            )


def _note(touched: dict[str, set[str]], row: SQLModel) -> None:
    """What the moved row concerns, for the Changes the merge reports."""
    if isinstance(row, EventActor):
        touched["events"].add(row.event_id)
    elif isinstance(row, ObligationObligor):
        touched["obligations"].add(row.obligation_id)
    elif isinstance(row, Obligation):
        touched["obligations"].add(row.id)
    elif isinstance(row, Party):
        touched["agreements"].add(row.agreement_id)
    elif isinstance(row, Observation):
        touched["metrics"].add(row.metric_id)


def _role(role: str) -> str:
    return role.replace("_", "-")
