"""Actors by name or alias: the one lookup the event form, the importers and agreement documents share.

Names are matched ignoring case (ActorAlias.alias_key holds the casefolded alias), so "TALIBAN",
"Afghan Taliban" and "Taliban" all find one actor. A name nobody knows becomes a new actor.
"""

from collections.abc import Iterable

from sqlmodel import Session, select

from db.models import Actor, ActorAlias
from db.vocabulary import ActorKind


def actor_keys(session: Session) -> dict[str, str]:
    """Every actor's casefolded name and aliases, to the actor's id; a name wins over another's alias."""
    known = dict(session.exec(select(ActorAlias.alias_key, ActorAlias.actor_id)).all())
    known.update({name.casefold(): actor_id for actor_id, name in session.exec(select(Actor.id, Actor.name))})
    return known


def find_actor(session: Session, name: str) -> str | None:
    return actor_keys(session).get(name.strip().casefold())


def find_or_create_actors(
    session: Session, names: Iterable[str], known: dict[str, str] | None = None
) -> list[str]:
    """The ids of the named actors, in order; unknown names become new actors (kind "other").

    `known` (from `actor_keys`) saves the lookup when called for many events, and learns the new names.
    """
    known = actor_keys(session) if known is None else known
    ids = []
    for name in names:
        key = name.casefold()
        if key not in known:
            actor = Actor(name=name, kind=ActorKind.OTHER)
            session.add(actor)
            known[key] = actor.id
        ids.append(known[key])
    session.flush()
    return ids


def actor_completions(session: Session) -> list[tuple[str, str]]:
    """(what the officer may type, the actor's name) for every name and alias, for completion."""
    names = [(name, name) for name in session.exec(select(Actor.name))]
    aliases = session.exec(select(ActorAlias.alias, Actor.name).join(Actor, Actor.id == ActorAlias.actor_id))
    return sorted({*names, *(tuple(row) for row in aliases)}, key=lambda pair: pair[0].casefold())
