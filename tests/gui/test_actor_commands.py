"""The actors' undo commands: merge, rename and aliases; undo restores every row, redo the same rows again."""

from sqlmodel import select

from db.actor_roster import choose_actor, list_actors
from db.models import AuditEntry
from gui.actor_commands import AddAlias, MergeActors, RemoveAlias, RenameActor
from tests.record_digest import search_digest, store_digest


def _id(desk, name):
    with desk.store.reading() as session:
        return choose_actor(session, name)


def _roster(desk):
    with desk.store.reading() as session:
        return {a.name: a for a in list_actors(session)}


def test_merge_then_undo_restores_every_row_and_redo_merges_again(qtbot, desk):
    before, index = store_digest(desk.store, record_only=True), search_digest(desk.store)
    command = MergeActors(desk, _id(desk, "United States"), _id(desk, "Taliban"))
    with qtbot.waitSignal(desk.record_changed):
        assert desk.execute(command)
    merged = store_digest(desk.store, record_only=True)
    assert "Taliban" not in _roster(desk) and "Taliban" in _roster(desk)["United States"].aliases
    assert desk.undo()
    assert store_digest(desk.store, record_only=True) == before and search_digest(desk.store) == index
    assert desk.redo()
    assert store_digest(desk.store, record_only=True) == merged
    with desk.store.reading() as session:
        actions = set(session.exec(select(AuditEntry.action)))
    assert {"Merge actor Taliban into United States", "Undo: Merge actor Taliban into United States",
            "Redo: Merge actor Taliban into United States"} <= actions  # fmt: skip


def test_a_refused_merge_is_reported_and_not_kept(qtbot, desk):
    before = store_digest(desk.store)
    with qtbot.waitSignal(desk.action_failed) as failure:
        assert not desk.execute(MergeActors(desk, _id(desk, "Qatar"), _id(desk, "United States")))
    assert "Qatar is a mediator and United States a signatory" in failure.args[0]
    assert store_digest(desk.store) == before and desk.undo_stack.count() == 0


def test_rename_and_aliases_undo_to_the_same_rows(qtbot, desk):
    before = store_digest(desk.store, record_only=True)
    qatar = _id(desk, "Qatar")
    assert desk.execute(RenameActor(desk, qatar, "Qatar (mediator)"))
    assert desk.execute(AddAlias(desk, qatar, "Doha hosts"))
    assert desk.execute(RemoveAlias(desk, qatar, "State of Qatar"))
    assert _roster(desk)["Qatar (mediator)"].aliases == ("Doha hosts",)
    for _ in range(3):
        assert desk.undo()
    assert store_digest(desk.store, record_only=True) == before
    for _ in range(3):
        assert desk.redo()
    assert _roster(desk)["Qatar (mediator)"].aliases == ("Doha hosts",)


def test_a_renamed_obligor_shows_in_the_tree_at_once(qtbot, desk):
    def walk(nodes):
        for node in nodes:
            yield node
            yield from walk(node.children)

    assert any("Taliban" in node.obligors for node in walk(desk.tree()))
    assert desk.execute(RenameActor(desk, _id(desk, "Taliban"), "Islamic Emirate"))
    named = [node for node in walk(desk.tree()) if "Islamic Emirate" in node.obligors]
    assert len(named) >= 9 and not any("Taliban" in node.obligors for node in walk(desk.tree()))
