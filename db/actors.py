"""Actors by name or alias: the one lookup the event form, the importers and agreement documents share.

Names are matched ignoring case (ActorAlias.alias_key holds the casefolded alias), so "TALIBAN",
"Afghan Taliban" and "Taliban" all find one actor. A name nobody knows becomes a new actor.

ACLED names state forces by the years of a government and closes the range when it ends: "Military
Forces of Afghanistan (2014-)" in 2020 files is "(2014-2021)" in later ones. `fold_ranges` maps such a
pair to one actor, but only an open range to a closed one with the same first year: "(2021-)" names the
forces after August 2021, another actor.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session, select

from db.ids import actor_id, free_id
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
            actor = Actor(id=free_id(session, Actor, actor_id(name)), name=name, kind=ActorKind.OTHER)
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


_RANGE = re.compile(r"(.*\S)\s*\((\d{4})\s*-\s*(\d{4})?\)")


def _year_range(key: str) -> tuple[str, str, str | None] | None:
    """ "military forces of afghanistan (2014-2021)" → (base, "2014", "2021"); the end None when open."""
    match = _RANGE.fullmatch(key)
    return (match[1], match[2], match[3]) if match else None


def fold_ranges(names: Iterable[str], known: dict[str, str]) -> dict[str, str]:
    """The names (casefolded) that are another actor's under ACLED's renaming, to the key they fold into.

    An unknown open range folds into the one closed range of the same base and first year, known or
    also in `names`; an unknown closed range folds into a known open one. With two closed ranges to
    choose from (e.g. "(2014-2019)" and "(2014-2021)"), nothing is folded: they are different actors.
    """
    names = list(dict.fromkeys(name.casefold() for name in names))
    groups: dict[tuple[str, str], list[tuple[str, str | None]]] = defaultdict(list)
    for key in dict.fromkeys([*known, *names]):
        if parts := _year_range(key):
            groups[parts[:2]].append((key, parts[2]))
    folded = {}
    for key in names:
        if key in known or (parts := _year_range(key)) is None:
            continue
        base, start, end = parts
        if end is None:
            targets = [other for other, other_end in groups[(base, start)] if other_end is not None]
        else:
            targets = [other for other, other_end in groups[(base, start)] if other_end is None and other in known]
        if len({known.get(target, target) for target in targets}) == 1:
            folded[key] = targets[0]
    return folded
