"""Parties in the window, on the real example: the Actors screen groups an actor under a party, takes it out
and sets its role, each undone and redone; the obligation form's "New party…"; and every obligation form
opened to edit and saved unchanged changes nothing."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from db.parties import party_groups
from gui.actors_dialog import COLUMNS, ActorsDialog
from gui.obligation_dialog import ObligationDialog
from tests.gui.helpers import find
from tests.record_digest import store_digest

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
POLICE = "Police Forces of Afghanistan (2014-2021)"


@pytest.fixture
def actors(window):
    window.actors_action.trigger()
    (shown,) = [w for w in window.findChildren(ActorsDialog) if w.isVisible()]
    yield shown
    shown.close()


def _roles(dialog: ActorsDialog, name: str) -> str:
    row = next(r for r, a in enumerate(dialog.model.rows) if a.name == name)
    return dialog.model.index(row, COLUMNS.index("Roles")).data()


def _members(desk, party: str) -> list[str]:
    with desk.store.reading() as session:
        return next([n for _id, n in g.members] for g in party_groups(session, desk.agreement_id) if g.name == party)


def _choose(dialog: ActorsDialog, name: str) -> None:
    dialog.select(next(a.id for a in dialog.model.rows if a.name == name))


def _answer(dialog, monkeypatch, pick) -> list[list[str]]:
    """ask_choice answers with the first item that starts with `pick`; returns the lists offered."""
    offered = []

    def choose(_title, _label, items, *_current):
        offered.append(items)
        return next(i for i in items if i.startswith(pick))

    monkeypatch.setattr(dialog, "ask_choice", choose)
    return offered


def test_take_an_actor_out_of_its_party_and_group_it_again_with_undo_and_redo(actors, window, monkeypatch):
    desk = window.desk
    everyone = ["Government of Afghanistan (2014-2021)", "Military Forces of Afghanistan (2014-2021)", POLICE]
    assert _roles(actors, POLICE) == "US–Taliban agreement: counts as Afghan government"
    assert _roles(actors, "Afghan government") == "US–Taliban agreement: non-signatory, grouping " + ", ".join(everyone)
    _choose(actors, POLICE)
    assert actors.ungroup_button.isEnabled()
    actors.take_out()
    assert _members(desk, "Afghan government") == everyone[:2] and _roles(actors, POLICE) == ""
    assert window.undo_action.text() == f"&Undo Take {POLICE} out of Afghan government"
    assert not actors.ungroup_button.isEnabled()  # the selection stays on the police, now in no party
    offered = _answer(actors, monkeypatch, "Afghan government")
    actors.group()
    assert "Afghan government (non-signatory, US–Taliban agreement)" in offered[0]
    assert _members(desk, "Afghan government") == everyone
    window.undo_action.trigger()
    assert _members(desk, "Afghan government") == everyone[:2]
    window.undo_action.trigger()
    assert _members(desk, "Afghan government") == everyone and "counts as Afghan government" in _roles(actors, POLICE)
    window.redo_action.trigger()
    assert _members(desk, "Afghan government") == everyone[:2]


def test_grouping_a_party_under_another_is_refused_in_the_window(actors, window, monkeypatch):
    shown = []
    monkeypatch.setattr("gui.main_window.show_error", lambda _parent, message: shown.append(message))
    _choose(actors, "Taliban")
    _answer(actors, monkeypatch, "Afghan government")
    actors.group()
    assert len(shown) == 1 and shown[0].startswith("Taliban is itself a party of US–Taliban agreement")
    assert not window.desk.undo_stack.canUndo()


def test_set_the_role_of_an_actor_in_the_agreement_with_undo_and_redo(actors, window, monkeypatch):
    before = store_digest(window.desk.store, record_only=True)
    _choose(actors, "Ashraf Ghani")
    offered = _answer(actors, monkeypatch, "observer")
    actors.set_role()
    assert offered[0] == ["signatory", "non-signatory", "guarantor", "mediator", "observer", "not a party"]
    assert _roles(actors, "Ashraf Ghani") == "US–Taliban agreement: observer"
    _choose(actors, "Qatar")
    _answer(actors, monkeypatch, "not a party")
    actors.set_role()
    assert _roles(actors, "Qatar") == "" and "Qatar" not in dict(window.desk.agreement().parties)
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert store_digest(window.desk.store, record_only=True) == before  # the very party row of Qatar is back
    assert _roles(actors, "Ashraf Ghani") == "" and _roles(actors, "Qatar") == "US–Taliban agreement: mediator"
    window.redo_action.trigger()
    assert _roles(actors, "Ashraf Ghani") == "US–Taliban agreement: observer"


def _save_as_shown(monkeypatch, before_ok=None) -> list[ObligationDialog]:
    """The real form opens and its OK is clicked (after `before_ok`, which may use its widgets)."""
    opened = []

    def run(dialog):
        opened.append(dialog)
        if before_ok:
            before_ok(dialog)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(ObligationDialog, "exec", run)
    return opened


def test_a_new_party_from_the_obligation_form_is_ticked_saved_and_undone(window, monkeypatch):
    desk = window.desk
    before = store_digest(desk.store, record_only=True)

    def add_nato(dialog):
        monkeypatch.setattr(dialog, "ask_new_party", lambda: ("NATO", "guarantor"))
        assert not dialog.new_party_button.isHidden()  # the form is not shown here: exec is the test
        dialog.new_party_button.click()
        top = dialog.obligor_list.item(0)
        assert (top.text(), top.checkState()) == ("NATO", Qt.CheckState.Checked)

    opened = _save_as_shown(monkeypatch, add_nato)
    window.obligation_actions.edit_obligation(find(desk, "P1-A.1").id)
    assert opened[0].result() == QDialog.DialogCode.Accepted
    assert "NATO" in find(desk, "P1-A.1").obligors
    assert ("NATO", "guarantor") in desk.agreement().parties
    assert window.undo_action.text() == "&Undo Edit P1-A.1"
    window.undo_action.trigger()
    assert "NATO" not in find(desk, "P1-A.1").obligors and ("NATO", "guarantor") in desk.agreement().parties
    assert window.undo_action.text() == "&Undo Add party NATO (guarantor)"
    window.undo_action.trigger()
    assert store_digest(desk.store, record_only=True) == before  # the actor NATO is gone too
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert "NATO" in find(desk, "P1-A.1").obligors


def test_a_new_party_already_known_by_an_alias_is_ticked_where_it_is(window, monkeypatch):
    def add_allies(dialog):
        monkeypatch.setattr(dialog, "ask_new_party", lambda: ("Resolute Support Mission", "observer"))
        count = dialog.obligor_list.count()
        dialog.new_party_button.click()
        assert dialog.obligor_list.count() == count  # no second row for the allies
        assert dialog.fields().obligor_ids[-1] == next(a for a, n in _items(dialog) if n == "US allies and coalition partners")

    _save_as_shown(monkeypatch, add_allies)
    window.obligation_actions.edit_obligation(find(window.desk, "P3-1").id)
    assert ("US allies and coalition partners", "observer") in window.desk.agreement().parties


def _items(dialog) -> list[tuple[str, str]]:
    return [
        (dialog.obligor_list.item(r).data(Qt.ItemDataRole.UserRole), dialog.obligor_list.item(r).text())
        for r in range(dialog.obligor_list.count())
    ]


def test_every_obligation_form_saved_unchanged_changes_nothing(window, monkeypatch):
    desk = window.desk
    before = store_digest(desk.store)
    opened = _save_as_shown(monkeypatch)
    nodes = [n for root in desk.tree() for n in root.walk()]
    for node in nodes:
        window.obligation_actions.edit_obligation(node.id)
    assert len(opened) == len(nodes) == 25
    assert all(dialog.result() == QDialog.DialogCode.Accepted for dialog in opened)
    assert not desk.undo_stack.canUndo() and store_digest(desk.store) == before
