"""Merging two actors that are one (an import's "Taleban" and the example's "Taliban"), and its undo.

Everything that names the other actor moves to the kept one: event links, obligor rows, party rows,
beneficiaries, claimants of observations, aliases; the other's name becomes an alias of the kept actor.
Where both held a place on the same row (both linked to one event, both obligors of one obligation,
both parties with one role) the rows collapse into the kept actor's. Both parties to one agreement with
different roles is refused: which role is right is the officer's call, not the merge's.

Groups under parties (db.parties) follow: the other's place in a party's group goes to the kept actor, a
group collapses into the kept actor's party, and an actor that was grouped under the party it merges into
leaves the group. Ending up in two parties of one agreement is refused, like two roles.

Every row changes through the ORM, so db.audit records each one, except the event links, which can be tens
of thousands: those move with three statements and their audit entries are written in bulk (still one
delete and one insert entry per link, so `check` accounts for each; tests/bench_merge.py). Link rows keyed
by the actor are deleted and inserted anew rather than re-keyed, so the trail never sees a row change its
identity. `MergedActors` holds what undo needs to put every row back as it was (versions aside).
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, col, select

from db import audit, content
from db.audit import column_values
from db.bulk import bulk_insert
from db.changes import Changes
from db.dialects import values_of
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
    PartyMember,
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
_LINKS = ((ObligationObligor, "obligation_id"),)  # and the event links, in bulk (_move_event_links)


@dataclass
class MergedActors:
    """What a merge did, for its undo: the rows it removed (exact values), inserted (their keys) and
    moved (model, row id, column)."""

    other_id: str
    keep_id: str
    removed: list[tuple[type[SQLModel], dict[str, Any]]] = field(default_factory=list)
    added: list[tuple[type[SQLModel], tuple]] = field(default_factory=list)
    moved: list[tuple[type[SQLModel], str, str]] = field(default_factory=list)
    event_links: list[tuple[str, str, int]] = field(default_factory=list)  # the other's: (event, role, version)
    events_moved: list[str] = field(default_factory=list)  # events whose link to the other became the kept one's
    changes: Changes = Changes()


def merge_actors(session: Session, keep_id: str, other_id: str, alias_id: str | None = None) -> MergedActors:
    """Merge the actor `other_id` into `keep_id` (see the module's docstring); the other is deleted.

    `alias_id`: the id the other's name gets as an alias, so a redo brings back the same row."""
    keep, other = refuse_merge(session, keep_id, other_id)
    merged = MergedActors(other_id, keep_id)
    touched: dict[str, set[str]] = {
        "events": set(),
        "obligations": set(),
        "agreements": set(),
        "metrics": set(),
    }
    _merge_groups(session, keep_id, other_id, merged, touched)  # before a party row they name goes

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
    _move_event_links(session, keep_id, other_id, merged)
    touched["events"].update(event_id for event_id, _role, _version in merged.event_links)

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


def refuse_merge(session: Session, keep_id: str, other_id: str) -> tuple[Actor, Actor]:
    """The merge's refusals, before anything changes (the command line asks before it backs up): the two actors."""
    if keep_id == other_id:
        raise RecordError("An actor cannot be merged into itself; choose two different actors.")
    keep = get_or_refuse(session, Actor, keep_id, "actor")
    other = get_or_refuse(session, Actor, other_id, "actor")
    _refuse_role_conflicts(session, keep, other)
    _refuse_group_conflicts(session, keep, other)
    return keep, other


def unmerge_actors(session: Session, merged: MergedActors) -> Changes:
    """Undo of merge_actors: the other actor and every row as it was before the merge."""
    for model, key in merged.added:
        row = session.get(model, key)
        if row is not None:
            session.delete(row)
    session.flush()
    _put_event_links_back(session, merged, before_actor=True)
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
    for model in _PARENTS_FIRST:  # a party row before the group rows that name it
        session.add_all(model(**values) for removed, values in merged.removed if removed is model)
        session.flush()
    _put_event_links_back(session, merged, before_actor=False)
    return merged.changes


_PARENTS_FIRST = (Party, PartyMember, ObligationObligor, ActorAlias)
_LINK_COLUMNS = ("event_id", "actor_id", "role", "version")


def _link(event_id: str, actor_id: str, role: str, version: int) -> dict:
    return dict(zip(_LINK_COLUMNS, (event_id, actor_id, role, version), strict=True))


def _move_event_links(session: Session, keep_id: str, other_id: str, merged: MergedActors) -> None:
    """The other's event links become the kept actor's: deleted where the kept one is linked to the same
    event (its role stays), re-keyed elsewhere; each audited as the delete and insert the ORM would write."""
    connection = session.connection()
    mine = select(EventActor.event_id).where(EventActor.actor_id == other_id)
    rows = connection.execute(select(EventActor.event_id, EventActor.role, EventActor.version).where(EventActor.actor_id == other_id)).all()
    if not rows:
        return
    kept = set(connection.execute(
        select(EventActor.event_id).where(EventActor.actor_id == keep_id, col(EventActor.event_id).in_(mine))
    ).scalars())  # fmt: skip
    both = select(EventActor.event_id).where(EventActor.actor_id == keep_id)
    with content.rows_changing(connection, "eventactor", "actor_id", [other_id, keep_id]):
        connection.execute(delete(EventActor).where(EventActor.actor_id == other_id, col(EventActor.event_id).in_(both)))
        connection.execute(update(EventActor).where(EventActor.actor_id == other_id).values(actor_id=keep_id, version=1))
    merged.event_links = [tuple(row) for row in rows]
    merged.events_moved = [event_id for event_id, _role, _version in rows if event_id not in kept]
    audit.record_many(session, [
        *(("delete", "eventactor", f"{e}/{other_id}", _link(e, other_id, r, v), None) for e, r, v in rows),
        *(("insert", "eventactor", f"{e}/{keep_id}", None, _link(e, keep_id, r, 1)) for e, r, v in rows if e not in kept),
    ])  # fmt: skip


def _put_event_links_back(session: Session, merged: MergedActors, before_actor: bool) -> None:
    """Undo of _move_event_links: the kept actor's new links go (`before_actor`), then the other's come back."""
    connection = session.connection()
    if before_actor:
        moved = (EventActor.actor_id == merged.keep_id, col(EventActor.event_id).in_(values_of(connection, merged.events_moved)))
        rows = connection.execute(select(EventActor.event_id, EventActor.role, EventActor.version).where(*moved)).all()
        with content.rows_changing(connection, "eventactor", "actor_id", [merged.keep_id]):
            connection.execute(delete(EventActor).where(*moved))
        keep = merged.keep_id
        audit.record_many(session, [("delete", "eventactor", f"{e}/{keep}", _link(e, keep, r, v), None) for e, r, v in rows])
    elif merged.event_links:
        other, links = merged.other_id, merged.event_links
        columns = {"event_id": [e for e, _r, _v in links], "role": [r for _e, r, _v in links], "version": [v for *_, v in links]}
        bulk_insert(connection, EventActor, columns, {"actor_id": other})
        audit.record_many(session, [("insert", "eventactor", f"{e}/{other}", None, _link(e, other, r, v)) for e, r, v in links])


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


def _standings(session: Session, actor_ids: list[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(agreement, actor): ("party", its party row) or ("member", the party row it is grouped under)}."""
    found = {}
    parties = select(Party.agreement_id, Party.actor_id, Party.id).where(col(Party.actor_id).in_(actor_ids))
    for agreement_id, actor_id, party_id in session.exec(parties):
        found[(agreement_id, actor_id)] = ("party", party_id)
    members = (
        select(Party.agreement_id, PartyMember.actor_id, PartyMember.party_id)
        .join(Party, Party.id == PartyMember.party_id)
        .where(col(PartyMember.actor_id).in_(actor_ids))
    )
    for agreement_id, actor_id, party_id in session.exec(members):
        found[(agreement_id, actor_id)] = ("member", party_id)
    return found


def _refuse_group_conflicts(session: Session, keep: Actor, other: Actor) -> None:
    """Merged, one actor would count as two parties of an agreement: refused, naming both."""
    standing = _standings(session, [keep.id, other.id])
    for (agreement_id, actor_id), mine in standing.items():
        theirs = standing.get((agreement_id, other.id))
        if actor_id != keep.id or theirs is None or "party" == mine[0] == theirs[0] or mine[1] == theirs[1]:
            continue
        agreement = session.get(Agreement, agreement_id)

        def said(held: tuple[str, str]) -> str:
            return "is a party" if held[0] == "party" else f"counts as {_party_name(session, held[1])}"

        raise RecordError(
            f"In {agreement.short_title or agreement.title}, {keep.name} {said(mine)} and {other.name} {said(theirs)}; "
            "take one of them out of its party first, then merge."
        )


def _party_name(session: Session, party_id: str) -> str:
    return session.get(Actor, session.get(Party, party_id).actor_id).name


def _merge_groups(session: Session, keep_id: str, other_id: str, merged: MergedActors, touched: dict) -> None:
    """The other's place in a party's group goes to the kept actor; the group of the other's party joins the
    kept actor's party where both are parties of the agreement; the kept actor leaves a group it becomes."""
    standing = _standings(session, [keep_id, other_id])
    keep_party = {a: p for (a, actor), (held, p) in standing.items() if actor == keep_id and held == "party"}
    other_party = {a: p for (a, actor), (held, p) in standing.items() if actor == other_id and held == "party"}
    rows = session.exec(
        select(PartyMember, Party.agreement_id)
        .join(Party, Party.id == PartyMember.party_id)
        .where(col(PartyMember.actor_id).in_((keep_id, other_id)) | col(PartyMember.party_id).in_(list(other_party.values())))
    ).all()
    kept_in = {row.party_id for row, _agreement in rows if row.actor_id == keep_id}
    for row, agreement_id in rows:
        if row.actor_id == other_id:  # to the kept actor, unless it is that party or already in its group
            gone = keep_party.get(agreement_id) == row.party_id or row.party_id in kept_in
            target = None if gone else (row.party_id, keep_id)
        elif row.party_id == other_party.get(agreement_id) and (row.actor_id == keep_id or agreement_id in keep_party):
            target = None if row.actor_id == keep_id else (keep_party[agreement_id], row.actor_id)
        else:
            continue  # the kept actor's own place, or a group whose party row moves to the kept actor in place
        touched["agreements"].add(agreement_id)
        merged.removed.append((PartyMember, column_values(row)))
        session.delete(row)
        if target is not None:
            session.add(PartyMember(party_id=target[0], actor_id=target[1]))
            merged.added.append((PartyMember, target))
    session.flush()


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
