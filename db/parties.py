"""An agreement's parties and the actors grouped under them.

ACLED names the Afghan state's forces "Military Forces of Afghanistan (2014-2021)", "Police Forces of
Afghanistan (2014-2021)" and "Government of Afghanistan (2014-2021)": three actors, each itself in the
event log, that all count as the example's party "Afghan government" for the agreement. A group is a
party's PartyMember rows; an actor counts as at most one party of an agreement, and a party of an
agreement is not grouped under another of it.

`counted_as` is the one rule for which actors an actor stands for in an agreement, and `events_concerning`
the events that concern it: the event log's actor filter (and so `events --actor` and the CSV export) and
the search's events of an actor found go through them. `COUNTED_TOGETHER` pairs the actors of one group
(the party with its members) for the duplicate rule, where two events name one side.
"""

from dataclasses import dataclass

from sqlalchemy import Select, union
from sqlmodel import Session, col, select

from db.actors import find_actor
from db.changes import Changes
from db.errors import RecordError
from db.ids import actor_id as derived_actor_id
from db.ids import free_id, new_id
from db.models import Actor, Agreement, EventActor, Party, PartyMember
from db.records import get_or_refuse
from db.vocabulary import ActorKind, PartyRole


def counted_as(agreement_id: str | None, actor_ids: list[str]) -> Select:
    """The ids of the actors that count as these actors in the agreement: each one itself and, when it
    is a party of the agreement, the actors grouped under it. Without an agreement, the actors themselves."""
    own = select(Actor.id).where(col(Actor.id).in_(actor_ids))
    if agreement_id is None:
        return own
    grouped = (
        select(PartyMember.actor_id)
        .join(Party, Party.id == PartyMember.party_id)
        .where(Party.agreement_id == agreement_id, col(Party.actor_id).in_(actor_ids))
    )
    return union(own, grouped)


def events_concerning(agreement_id: str | None, actor_id: str) -> Select:
    """The ids of the events that concern the actor in the agreement: those naming it or an actor counted as it."""
    return select(EventActor.event_id).where(col(EventActor.actor_id).in_(counted_as(agreement_id, [actor_id])))


# Pairs (actor, an actor counted together with it) over every agreement: a party and the actors it groups, each
# with every other and with itself. For the duplicate rule's statements (db.duplicates), which are SQL text: an
# ACLED row naming "Police Forces of Afghanistan (2014-2021)" overlaps an event naming the Afghan government.
_GROUPED = "SELECT id AS party_id, actor_id FROM party UNION ALL SELECT party_id, actor_id FROM partymember"
COUNTED_TOGETHER = (
    f"SELECT one.actor_id AS actor_id, other.actor_id AS fellow FROM ({_GROUPED}) one "
    f"JOIN ({_GROUPED}) other ON other.party_id = one.party_id"
)


@dataclass(frozen=True)
class PartyGroup:
    """A party of an agreement with its role and the actors that count as it."""

    agreement_id: str
    agreement: str  # its short title
    party_id: str
    actor_id: str
    name: str
    role: str
    members: tuple[tuple[str, str], ...]  # (actor id, name), by name

    def role_text(self) -> str:
        return self.role.replace("_", "-")


def party_groups(session: Session, agreement_id: str | None = None) -> list[PartyGroup]:
    """The parties of the agreement (or of every agreement) by agreement, role and name, with their groups."""
    members: dict[str, list[tuple[str, str]]] = {}
    for party_id, actor_id, name in session.exec(
        select(PartyMember.party_id, Actor.id, Actor.name).join(Actor, Actor.id == PartyMember.actor_id).order_by(Actor.name)
    ):
        members.setdefault(party_id, []).append((actor_id, name))
    query = (
        select(Party.agreement_id, Agreement.short_title, Agreement.title, Party.id, Actor.id, Actor.name, Party.role)
        .join(Agreement, Agreement.id == Party.agreement_id)
        .join(Actor, Actor.id == Party.actor_id)
        .order_by(Agreement.signed_on, Agreement.title, Agreement.id)
    )
    if agreement_id is not None:
        query = query.where(Party.agreement_id == agreement_id)
    roles = list(PartyRole)  # signatories first, as the scale lists them
    groups = [
        PartyGroup(agreement, short or title, party_id, actor_id, name, role, tuple(members.get(party_id, ())))
        for agreement, short, title, party_id, actor_id, name, role in session.exec(query)
    ]
    order = {agreement: index for index, agreement in enumerate(dict.fromkeys(g.agreement_id for g in groups))}
    return sorted(
        groups,
        key=lambda g: (order[g.agreement_id], roles.index(g.role) if g.role in roles else len(roles), g.name.casefold()),
    )


def _party(session: Session, agreement_id: str, actor_id: str) -> Party | None:
    return session.exec(select(Party).where(Party.agreement_id == agreement_id, Party.actor_id == actor_id)).first()


def _label(agreement: Agreement) -> str:
    return agreement.short_title or agreement.title


def _changes(agreement_id: str) -> Changes:
    # The agreement's parties read otherwise, and the log's actor filter finds other events.
    return Changes(agreements=frozenset({agreement_id}), actors=True, event_log=True)


def group_under_party(session: Session, agreement_id: str, party_actor_id: str, actor_id: str) -> Changes:
    """Count the actor as the party `party_actor_id` of the agreement (one PartyMember row)."""
    agreement = get_or_refuse(session, Agreement, agreement_id, "agreement")
    actor = get_or_refuse(session, Actor, actor_id, "actor")
    party = _party(session, agreement_id, party_actor_id)
    if party is None:
        raise RecordError(f"That actor is not a party of {_label(agreement)} (any more); reload the list.")
    party_name = get_or_refuse(session, Actor, party_actor_id, "actor").name
    if actor_id == party_actor_id or _party(session, agreement_id, actor_id) is not None:
        raise RecordError(
            f"{actor.name} is itself a party of {_label(agreement)}; only an actor that is not a party can be "
            f"grouped under {party_name}."
        )
    held = counted_party(session, agreement_id, actor_id)
    if held is not None:
        raise RecordError(
            f"{actor.name} already counts as {held[1]} for {_label(agreement)}; take it out of that party first."
        )
    session.add(PartyMember(party_id=party.id, actor_id=actor_id))
    session.flush()
    return _changes(agreement_id)


def take_out_of_party(session: Session, agreement_id: str, actor_id: str) -> Changes:
    """The actor no longer counts as the party it was grouped under in the agreement."""
    row = _membership(session, agreement_id, actor_id)
    if row is None:
        raise RecordError("That actor counts as no party of the agreement (any more); reload the list.")
    session.delete(row)
    session.flush()
    return _changes(agreement_id)


def _membership(session: Session, agreement_id: str, actor_id: str) -> PartyMember | None:
    return session.exec(
        select(PartyMember)
        .join(Party, Party.id == PartyMember.party_id)
        .where(Party.agreement_id == agreement_id, PartyMember.actor_id == actor_id)
    ).first()


def counted_party(session: Session, agreement_id: str, actor_id: str) -> tuple[str, str] | None:
    """(actor id, name) of the party the actor is grouped under in the agreement, None when it is not."""
    return session.exec(
        select(Actor.id, Actor.name)
        .join(Party, Party.actor_id == Actor.id)
        .join(PartyMember, PartyMember.party_id == Party.id)
        .where(Party.agreement_id == agreement_id, PartyMember.actor_id == actor_id)
    ).first()


def party_role(session: Session, agreement_id: str, actor_id: str) -> tuple[str, str, str | None] | None:
    """(party id, role, represented by) of the actor in the agreement, None when it is not a party."""
    party = _party(session, agreement_id, actor_id)
    return None if party is None else (party.id, party.role, party.represented_by)


def refuse_if_grouping(session: Session, party: Party) -> None:
    """A party that actors are grouped under is not removed: they would count as nothing, unsaid."""
    grouped = session.exec(
        select(Actor.name).join(PartyMember, PartyMember.actor_id == Actor.id).where(PartyMember.party_id == party.id)
    ).all()
    if grouped:
        name = session.get(Actor, party.actor_id).name
        agreement = _label(session.get(Agreement, party.agreement_id))
        raise RecordError(
            f"{name} groups {', '.join(sorted(grouped))} in {agreement}; take them out of the party on the Actors "
            f"screen first, then remove {name} from the parties."
        )


def set_party_role(
    session: Session, agreement_id: str, actor_id: str, role: str | None, party_id: str | None = None,
    represented_by: str | None = None,
) -> Changes:  # fmt: skip
    """Make the actor a party of the agreement with this role, change its role, or (None) make it no party.

    `party_id` and `represented_by` are for a new party row: an undo brings back the row it removed."""
    agreement = get_or_refuse(session, Agreement, agreement_id, "agreement")
    actor = get_or_refuse(session, Actor, actor_id, "actor")
    if role is not None and role not in list(PartyRole):
        raise RecordError(f"'{role}' is not a party's role; use {', '.join(PartyRole)}.")
    party = _party(session, agreement_id, actor_id)
    if party is None and role is not None:
        if (held := counted_party(session, agreement_id, actor_id)) is not None:
            raise RecordError(
                f"{actor.name} counts as {held[1]} for {_label(agreement)}; take it out of {held[1]} before making "
                "it a party of its own."
            )
        session.add(
            Party(id=party_id or new_id(), agreement_id=agreement_id, actor_id=actor_id, role=role,
                  represented_by=represented_by)
        )  # fmt: skip
    elif party is not None and role is None:
        refuse_if_grouping(session, party)
        session.delete(party)
    elif party is not None and party.role != role:
        party.role = role
    session.flush()
    return _changes(agreement_id)


def add_party(
    session: Session, agreement_id: str, name: str, role: str, actor_id: str | None, party_id: str
) -> tuple[str, bool, Changes]:
    """A new party of the agreement by name (the obligation form's "New party…"): the actor of that name or
    alias, or a new actor (with the id `actor_id`, a redo's; else the one its name derives, db.ids), made a
    party with `role` (row id `party_id`).

    Returns the actor's id, whether the actor is new (its undo deletes it then) and the Changes."""
    name = name.strip()
    if not name:
        raise RecordError("A party needs a name; type one.")
    agreement = get_or_refuse(session, Agreement, agreement_id, "agreement")
    known = find_actor(session, name)
    if known is not None and _party(session, agreement_id, known) is not None:
        raise RecordError(f"'{name}' is already a party of {_label(agreement)}; choose it in the list.")
    if known is None:
        actor_id = actor_id or free_id(session, Actor, derived_actor_id(name))
        session.add(Actor(id=actor_id, name=name, kind=ActorKind.OTHER))
        session.flush()
    changes = set_party_role(session, agreement_id, known or actor_id, role, party_id)
    return known or actor_id, known is None, changes


def remove_new_party(session: Session, agreement_id: str, actor_id: str, delete_actor: bool) -> Changes:
    """Undo of add_party: the party row, and the actor when add_party created it."""
    changes = set_party_role(session, agreement_id, actor_id, None)
    if delete_actor:
        session.delete(get_or_refuse(session, Actor, actor_id, "actor"))
        session.flush()
    return changes

