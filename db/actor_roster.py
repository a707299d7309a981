"""Every actor as the Actors screen and `accord-desk actors` show it, and the edits of one actor's names.

An actor is chosen by the officer by id (or its first characters), name or alias; a text that names
none or several is refused in one sentence that says which.
"""

from dataclasses import dataclass

from sqlalchemy import func, union
from sqlmodel import Session, select

from db.actors import actor_keys
from db.changes import Changes
from db.errors import RecordError
from db.event_rules import check_actor_name
from db.models import Actor, ActorAlias, EventActor, Obligation, ObligationObligor, Party
from db.parties import party_groups
from db.records import get_or_refuse
from db.values import sentence

_ACTOR_CHANGES = Changes(actors=True, event_log=True)


@dataclass(frozen=True)
class ActorSummary:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    events: int  # events naming it
    obligations: int  # obligations naming it as obligor or beneficiary
    roles: tuple[tuple[str, str, tuple[str, ...]], ...]  # (agreement's short title, role, actors it groups)
    counts_as: tuple[tuple[str, str], ...] = ()  # (agreement's short title, the party it is grouped under)

    def roles_text(self) -> str:
        """ "US–Taliban agreement: non-signatory, grouping A, B" or "…: counts as Afghan government"."""
        parts = [
            f"{agreement}: {role.replace('_', '-')}" + (f", grouping {', '.join(members)}" if members else "")
            for agreement, role, members in self.roles
        ]
        return "; ".join([*parts, *(f"{agreement}: counts as {party}" for agreement, party in self.counts_as)])


def list_actors(session: Session) -> list[ActorSummary]:
    """Every actor, by name, with its aliases, counts and roles."""
    aliases: dict[str, list[str]] = {}
    for actor_id, alias in session.exec(
        select(ActorAlias.actor_id, ActorAlias.alias).order_by(ActorAlias.alias)
    ):
        aliases.setdefault(actor_id, []).append(alias)
    events = dict(session.exec(select(EventActor.actor_id, func.count()).group_by(EventActor.actor_id)).all())
    naming = union(
        select(ObligationObligor.actor_id, ObligationObligor.obligation_id),
        select(Obligation.beneficiary_id, Obligation.id).where(Obligation.beneficiary_id.is_not(None)),
    ).subquery()
    obligations = dict(session.exec(select(naming.c[0], func.count()).group_by(naming.c[0])).all())
    roles: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    counts_as: dict[str, list[tuple[str, str]]] = {}
    for group in party_groups(session):
        roles.setdefault(group.actor_id, []).append((group.agreement, group.role, tuple(n for _, n in group.members)))
        for member_id, _name in group.members:
            counts_as.setdefault(member_id, []).append((group.agreement, group.name))
    actors = session.exec(select(Actor.id, Actor.name, Actor.kind).order_by(func.lower(Actor.name), Actor.id))
    return [
        ActorSummary(
            actor_id,
            name,
            kind,
            tuple(aliases.get(actor_id, ())),
            events.get(actor_id, 0),
            obligations.get(actor_id, 0),
            tuple(roles.get(actor_id, ())),
            tuple(counts_as.get(actor_id, ())),
        )  # fmt: skip
        for actor_id, name, kind in actors
    ]


def choose_actor(session: Session, wanted: str) -> str:
    """The id of the one actor whose id (or its first characters), name or alias is `wanted`."""
    text = wanted.strip()
    by_name = actor_keys(session).get(text.casefold())
    ids = set(session.exec(select(Actor.id).where(Actor.id.startswith(text)))) if len(text) >= 4 else set()
    named = set(session.exec(select(Actor.id).where(func.lower(Actor.name) == text.casefold())))
    matches = ids | named | ({by_name} if by_name else set())
    if len(matches) == 1:
        return matches.pop()
    if not matches:
        raise RecordError(f"'{wanted}' names no actor; `accord-desk actors` lists their names and ids.")
    found = session.exec(select(Actor.id, Actor.name).where(Actor.id.in_(matches)).order_by(Actor.name))
    listed = "; ".join(f"{actor_id[:8]} {name}" for actor_id, name in found)
    raise RecordError(f"'{wanted}' names several actors ({listed}); give the id of the one you mean.")


def actor_name(session: Session, actor_id: str) -> str:
    return get_or_refuse(session, Actor, actor_id, "actor").name


def _typed_name(text: str) -> str:
    try:
        return check_actor_name(text)
    except ValueError as error:
        raise RecordError(sentence(str(error))) from None


def rename_actor(session: Session, actor_id: str, name: str) -> Changes:
    actor = get_or_refuse(session, Actor, actor_id, "actor")
    name = _typed_name(name)
    if not name:
        raise RecordError("An actor needs a name; type one.")
    holder = actor_keys(session).get(name.casefold())
    if holder not in (None, actor_id):
        raise RecordError(f"'{name}' already names another actor; merge the two instead.")
    actor.name = name
    session.flush()
    # The tree and the agreement's parties show the name: what names the actor is shown anew.
    obligors = select(ObligationObligor.obligation_id).where(ObligationObligor.actor_id == actor_id)
    beneficiary = select(Obligation.id).where(Obligation.beneficiary_id == actor_id)
    agreements = select(Party.agreement_id).where(Party.actor_id == actor_id)
    return _ACTOR_CHANGES | Changes(
        obligations=frozenset(session.exec(obligors)) | frozenset(session.exec(beneficiary)),
        agreements=frozenset(session.exec(agreements)),
    )


def add_alias(session: Session, actor_id: str, alias: str, alias_id: str | None = None) -> Changes:
    actor = get_or_refuse(session, Actor, actor_id, "actor")
    alias = _typed_name(alias)
    if not alias:
        raise RecordError("An alias needs some text; type the other name.")
    holder = actor_keys(session).get(alias.casefold())
    if holder is not None:
        whose = "this actor" if holder == actor_id else "another actor"
        raise RecordError(f"'{alias}' already names {whose}; an alias must be a name not yet known.")
    row = ActorAlias(actor_id=actor.id, alias=alias, alias_key=alias.casefold())
    if alias_id is not None:
        row.id = alias_id
    session.add(row)
    session.flush()
    return _ACTOR_CHANGES


def _alias(session: Session, actor_id: str, alias: str) -> ActorAlias | None:
    key = alias.strip().casefold()
    return session.exec(
        select(ActorAlias).where(ActorAlias.actor_id == actor_id, ActorAlias.alias_key == key)
    ).first()


def alias_id(session: Session, actor_id: str, alias: str) -> str | None:
    row = _alias(session, actor_id, alias)
    return row.id if row is not None else None


def remove_alias(session: Session, actor_id: str, alias: str) -> Changes:
    row = _alias(session, actor_id, alias)
    if row is None:
        raise RecordError(f"'{alias}' is not an alias of this actor (any more); reload the list.")
    session.delete(row)
    session.flush()
    return _ACTOR_CHANGES
