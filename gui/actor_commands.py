"""Undoable changes to the actors, for the Actors dialog (and the obligation form's "New party…"): each one
DeskCommand (gui/commands.py), one audited transaction calling db/actor_merge.py, db/actor_roster.py or
db/parties.py."""

from db.actor_merge import MergedActors, merge_actors, unmerge_actors
from db.actor_roster import actor_name, add_alias, alias_id, remove_alias, rename_actor
from db.changes import Changes
from db.ids import new_id
from db.parties import (
    add_party,
    counted_party,
    group_under_party,
    party_role,
    remove_new_party,
    set_party_role,
    take_out_of_party,
)
from gui.commands import DeskCommand
from gui.desk import Desk


def _name(desk: Desk, actor_id: str) -> str:
    with desk.store.reading() as session:
        return actor_name(session, actor_id)


class MergeActors(DeskCommand):
    """Merge `other_id` into `keep_id`; undo brings the other back with every row it had."""

    def __init__(self, desk: Desk, keep_id: str, other_id: str):
        super().__init__(desk, f"Merge actor {_name(desk, other_id)} into {_name(desk, keep_id)}")
        self.keep_id, self.other_id = keep_id, other_id
        self._alias_id = new_id()  # the other's name as an alias: the same row on every redo
        self.merged: MergedActors | None = None

    def apply(self, session) -> Changes:
        self.merged = merge_actors(session, self.keep_id, self.other_id, self._alias_id)
        return self.merged.changes

    def revert(self, session) -> Changes:
        return unmerge_actors(session, self.merged)


class RenameActor(DeskCommand):
    def __init__(self, desk: Desk, actor_id: str, name: str):
        self._before = _name(desk, actor_id)
        super().__init__(desk, f"Rename actor {self._before} to {name.strip()}")
        self.actor_id, self._after = actor_id, name

    def apply(self, session) -> Changes:
        return rename_actor(session, self.actor_id, self._after)

    def revert(self, session) -> Changes:
        return rename_actor(session, self.actor_id, self._before)


class AddAlias(DeskCommand):
    def __init__(self, desk: Desk, actor_id: str, alias: str):
        super().__init__(desk, f"Add alias {alias.strip()} of {_name(desk, actor_id)}")
        self.actor_id, self.alias, self._alias_id = actor_id, alias, new_id()

    def apply(self, session) -> Changes:
        return add_alias(session, self.actor_id, self.alias, self._alias_id)

    def revert(self, session) -> Changes:
        return remove_alias(session, self.actor_id, self.alias)


class RemoveAlias(DeskCommand):
    def __init__(self, desk: Desk, actor_id: str, alias: str):
        super().__init__(desk, f"Remove alias {alias} of {_name(desk, actor_id)}")
        self.actor_id, self.alias = actor_id, alias
        with desk.store.reading() as session:  # undo brings back the same row
            self._alias_id = alias_id(session, actor_id, alias)

    def apply(self, session) -> Changes:
        return remove_alias(session, self.actor_id, self.alias)

    def revert(self, session) -> Changes:
        return add_alias(session, self.actor_id, self.alias, self._alias_id)


def _role(role: str | None) -> str:
    return "no party" if role is None else role.replace("_", "-")


class SetPartyRole(DeskCommand):
    """The actor's role in the agreement (None: no party); undo brings back the very party row it had."""

    def __init__(self, desk: Desk, agreement_id: str, actor_id: str, role: str | None, agreement: str):
        with desk.store.reading() as session:
            self._before = party_role(session, agreement_id, actor_id)
        super().__init__(desk, f"Make {_name(desk, actor_id)} {_role(role)} of {agreement}")
        self.agreement_id, self.actor_id, self.role = agreement_id, actor_id, role
        self._party_id = self._before[0] if self._before else new_id()  # a new party: the same row on every redo

    def apply(self, session) -> Changes:
        return set_party_role(session, self.agreement_id, self.actor_id, self.role, self._party_id)

    def revert(self, session) -> Changes:
        if self._before is None:
            return set_party_role(session, self.agreement_id, self.actor_id, None)
        party_id, role, represented_by = self._before
        return set_party_role(session, self.agreement_id, self.actor_id, role, party_id, represented_by)


class GroupUnderParty(DeskCommand):
    def __init__(self, desk: Desk, agreement_id: str, party_actor_id: str, actor_id: str):
        super().__init__(desk, f"Group {_name(desk, actor_id)} under {_name(desk, party_actor_id)}")
        self.agreement_id, self.party_actor_id, self.actor_id = agreement_id, party_actor_id, actor_id

    def apply(self, session) -> Changes:
        return group_under_party(session, self.agreement_id, self.party_actor_id, self.actor_id)

    def revert(self, session) -> Changes:
        return take_out_of_party(session, self.agreement_id, self.actor_id)


class TakeOutOfParty(DeskCommand):
    def __init__(self, desk: Desk, agreement_id: str, actor_id: str):
        with desk.store.reading() as session:
            party = counted_party(session, agreement_id, actor_id)
        self.party_actor_id = party[0] if party else None
        super().__init__(desk, f"Take {_name(desk, actor_id)} out of {party[1] if party else 'its party'}")
        self.agreement_id, self.actor_id = agreement_id, actor_id

    def apply(self, session) -> Changes:
        return take_out_of_party(session, self.agreement_id, self.actor_id)

    def revert(self, session) -> Changes:
        return group_under_party(session, self.agreement_id, self.party_actor_id, self.actor_id)


class AddParty(DeskCommand):
    """The obligation form's "New party…": the named actor (new unless a name or alias knows it) made a party
    of the agreement; undo removes the party row, and the actor when this made it."""

    def __init__(self, desk: Desk, agreement_id: str, name: str, role: str):
        super().__init__(desk, f"Add party {name.strip()} ({_role(role)})")
        self.agreement_id, self.name, self.role = agreement_id, name, role
        self.actor_id: str | None = None  # known once applied: the same actor on every redo
        self._party_id, self._created = new_id(), False

    def apply(self, session) -> Changes:
        self.actor_id, self._created, changes = add_party(
            session, self.agreement_id, self.name, self.role, self.actor_id, self._party_id
        )
        return changes

    def revert(self, session) -> Changes:
        return remove_new_party(session, self.agreement_id, self.actor_id, self._created)
