"""View ▸ Actors…: the table of actors, and rename, aliases and merge through undo commands."""

import pytest
from PySide6.QtCore import Qt

from gui.actors_dialog import COLUMNS, ActorsDialog

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def dialog(qtbot, desk):
    dialog = ActorsDialog(desk)
    qtbot.addWidget(dialog)
    return dialog


def _row(dialog, name) -> dict[str, str]:
    model = dialog.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == name)
    return {COLUMNS[c]: model.index(row, c).data() for c in range(model.columnCount())}


def _choose(dialog, name):
    dialog.select(next(a.id for a in dialog.model.rows if a.name == name))


def test_the_model_passes_the_model_tester(dialog, qtmodeltester):
    qtmodeltester.check(dialog.model)


def test_the_table_shows_aliases_counts_and_roles(dialog):
    assert _row(dialog, "Taliban") == {
        "Actor": "Taliban", "Kind": "armed group", "Aliases": "Afghan Taliban, Islamic Emirate of Afghanistan, Taleban",
        "Events": 12, "Obligations": 12, "Roles": "US–Taliban agreement: signatory",
    }  # fmt: skip
    assert dialog.model.rowCount() == 12
    row = next(r for r, a in enumerate(dialog.model.rows) if a.name == "United States")
    assert "US Department of Defense" in dialog.model.index(row, 2).data(Qt.ItemDataRole.ToolTipRole)


def test_rename_add_and_remove_an_alias_and_undo(dialog, desk, monkeypatch):
    _choose(dialog, "Qatar")
    monkeypatch.setattr(dialog, "ask_text", lambda title, label, text: "Qatar <b>mediator</b>")
    dialog.rename()
    assert _row(dialog, "Qatar <b>mediator</b>")["Aliases"] == "State of Qatar"
    monkeypatch.setattr(dialog, "ask_text", lambda title, label, text: "Doha hosts")
    dialog.add_alias()
    monkeypatch.setattr(dialog, "ask_choice", lambda title, label, items: "State of Qatar")
    dialog.remove_alias()
    assert _row(dialog, "Qatar <b>mediator</b>")["Aliases"] == "Doha hosts"
    assert dialog.current().name == "Qatar <b>mediator</b>"  # the selection follows the actor
    for _ in range(3):
        assert desk.undo()
    assert _row(dialog, "Qatar")["Aliases"] == "State of Qatar"


def test_merge_into_the_chosen_actor_asks_first_and_undo_brings_it_back(dialog, desk, monkeypatch):
    asked = []
    _choose(dialog, "Ashraf Ghani")
    monkeypatch.setattr(dialog, "ask_choice", lambda title, label, items: next(i for i in items if i.startswith("Afghan government")))
    monkeypatch.setattr(dialog, "confirm_merge", lambda question: asked.append(question) or False)
    dialog.merge()
    assert dialog.model.rowCount() == 12 and "Merge Ashraf Ghani into Afghan government?" in asked[0]
    monkeypatch.setattr(dialog, "confirm_merge", lambda question: True)
    dialog.merge()
    assert dialog.model.rowCount() == 11 and dialog.current().name == "Afghan government"
    assert "Ashraf Ghani" in _row(dialog, "Afghan government")["Aliases"].split(", ")
    assert desk.undo()
    assert _row(dialog, "Ashraf Ghani")["Aliases"] == "Mohammad Ashraf Ghani, President Ghani"


def test_a_refused_merge_says_why_and_keeps_every_actor(dialog, desk, monkeypatch, qtbot):
    _choose(dialog, "United States")
    monkeypatch.setattr(dialog, "ask_choice", lambda title, label, items: next(i for i in items if i.startswith("Qatar")))
    monkeypatch.setattr(dialog, "confirm_merge", lambda question: True)
    with qtbot.waitSignal(desk.action_failed) as failure:
        dialog.merge()
    assert "United States" in failure.args[0] and dialog.model.rowCount() == 12


def test_the_buttons_need_a_chosen_actor(dialog):
    dialog.select(None)
    assert not dialog.merge_button.isEnabled() and not dialog.rename_button.isEnabled()
    _choose(dialog, "Afghan sides")  # no aliases to remove
    assert dialog.merge_button.isEnabled() and not dialog.remove_alias_button.isEnabled()


def test_view_menu_opens_the_actors_dialog(window, qtbot):
    window.actors_action.trigger()
    shown = [w for w in window.findChildren(ActorsDialog) if w.isVisible()]
    assert len(shown) == 1 and shown[0].model.rowCount() == 12
    shown[0].close()


def test_the_obligation_form_offers_the_parties_first(window, monkeypatch):
    from db.obligations import ObligationFields
    from gui.obligation_dialog import ObligationDialog

    offered = []

    def look(dialog):
        offered.extend(dialog.obligor_list.item(r).text() for r in range(dialog.obligor_list.count()))
        return 0  # cancelled

    monkeypatch.setattr(ObligationDialog, "exec", look)
    assert window.obligation_actions.ask_obligation("Add obligation", ObligationFields("P9", ""), set()) is None
    assert offered[:5] == ["Afghan government", "Qatar", "Taliban", "UN Security Council", "United States"]
    assert "International Committee of the Red Cross" in offered[5:]  # every actor still, after them
