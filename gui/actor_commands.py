"""Undoable changes to the actors, for the Actors dialog: each one DeskCommand (gui/commands.py), one audited
transaction calling db/actor_merge.py or db/actor_roster.py."""

from db.actor_merge import MergedActors, merge_actors, unmerge_actors
from db.actor_roster import actor_name, add_alias, alias_id, remove_alias, rename_actor
from db.changes import Changes
from db.ids import new_id
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
