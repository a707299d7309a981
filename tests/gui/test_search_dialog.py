"""Edit ▸ Find anything… (Ctrl+K): hits by kind as the officer types, Enter goes to the record."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from db.changes import Changes
from gui.event_commands import InlineEditEvent
from gui.search_dialog import SearchDialog

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def window(window, qtbot):
    qtbot.waitUntil(lambda: not window.event_log.filtering)
    return window


def _open(window, qtbot) -> SearchDialog:
    window.find_action.trigger()
    dialog = window.findChildren(SearchDialog)[-1]
    assert dialog.isVisible()
    return dialog


def _typed(dialog, qtbot, words: str) -> list[str]:
    dialog.box.setText(words)
    qtbot.waitUntil(lambda: dialog.words == words and not dialog.background.busy and dialog.count.text() != "")
    hits = dialog.hits
    return [hits.topLevelItem(row).text(0) for row in range(hits.topLevelItemCount())]


def test_hits_are_listed_by_kind_and_enter_goes_to_the_first(window, qtbot):
    dialog = _open(window, qtbot)
    shown = _typed(dialog, qtbot, "prisoner releases")
    assert shown[0].startswith("Obligations (") and shown[1].startswith("P1-C")
    QTest.keyClick(dialog.box, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert window.tree.selected_node().ref == shown[1].split()[0]


def test_an_actor_goes_to_its_events_and_an_assessment_to_its_obligation(window, qtbot):
    dialog = _open(window, qtbot)
    shown = _typed(dialog, qtbot, "taliban")
    assert any(text.startswith("Actors (") for text in shown) and any(text.startswith("Events (") for text in shown)
    actor = next(i for i in range(dialog.hits.topLevelItemCount()) if dialog.hits.topLevelItem(i).text(0) == "Taliban")
    dialog.hits.itemActivated.emit(dialog.hits.topLevelItem(actor), 0)
    assert window.event_log.actor.text() == "Taliban"
    dialog = _open(window, qtbot)
    shown = _typed(dialog, qtbot, "doha negotiations opened")
    assessment = next(i for i, text in enumerate(shown) if text.startswith("Assessment of "))
    dialog.hits.itemActivated.emit(dialog.hits.topLevelItem(assessment), 0)
    assert window.tree.selected_node().ref == shown[assessment].split()[2]


def test_an_event_found_is_selected_in_the_log(window, qtbot):
    dialog = _open(window, qtbot)
    shown = _typed(dialog, qtbot, "reduction in violence")
    first_event = shown.index(next(t for t in shown if t.startswith("Events ("))) + 1
    item = dialog.hits.topLevelItem(first_event)
    dialog.hits.itemActivated.emit(item, 0)
    assert window.event_log.selected_id() == item.data(0, Qt.ItemDataRole.UserRole).record_id


def test_the_officers_words_are_shown_and_searched_as_they_are(window, qtbot):
    dialog = _open(window, qtbot)
    assert _typed(dialog, qtbot, '<b>NEAR(x</b> "') == []
    assert dialog.count.text() == "0 found"


def _hit_texts(dialog) -> list[str]:
    return [dialog.hits.topLevelItem(row).text(0) for row in range(dialog.hits.topLevelItemCount())]


def test_hits_follow_the_record_while_the_dialog_is_open(window, qtbot):
    """Issue 13: the hits were not searched again when the record changed under the open dialog."""
    desk, log = window.desk, window.event_log
    dialog = _open(window, qtbot)
    assert _typed(dialog, qtbot, "zanzibar") == []
    event_id = log.model.event_id(0)
    desk.execute(InlineEditEvent(desk, event_id, {"notes": "The talks moved to Zanzibar."}))
    qtbot.waitUntil(lambda: dialog.count.text() == "1 found")
    assert _hit_texts(dialog)[0] == "Events (1)"
    assert dialog.hits.currentItem().data(0, Qt.ItemDataRole.UserRole).record_id == event_id
    desk.undo_stack.undo()
    qtbot.waitUntil(lambda: dialog.count.text() == "0 found")
    assert _hit_texts(dialog) == []


def test_the_hit_the_officer_is_on_stays_chosen_when_searched_again(window, qtbot):
    desk = window.desk
    dialog = _open(window, qtbot)
    _typed(dialog, qtbot, "taliban")
    items = [dialog.hits.topLevelItem(row) for row in range(dialog.hits.topLevelItemCount())]
    chosen = [item for item in items if item.data(0, Qt.ItemDataRole.UserRole) is not None][3]
    dialog.hits.setCurrentItem(chosen)
    record_id = chosen.data(0, Qt.ItemDataRole.UserRole).record_id
    dialog.count.setText("")
    desk.changed(Changes(events=frozenset({"elsewhere"}), event_log=True))
    qtbot.waitUntil(lambda: dialog.count.text() != "" and not dialog.background.busy)
    assert dialog.hits.currentItem().data(0, Qt.ItemDataRole.UserRole).record_id == record_id


def test_only_changes_a_search_reads_search_again_and_only_while_open(window, qtbot, monkeypatch):
    desk = window.desk
    dialog = _open(window, qtbot)
    _typed(dialog, qtbot, "taliban")
    searched = []
    monkeypatch.setattr(dialog.background, "run", lambda *args, **kwargs: searched.append(args))
    desk.changed(Changes(metrics=frozenset({"a metric"})))
    desk.changed(Changes(evidence=frozenset({"an obligation"})))
    assert searched == []
    desk.changed(Changes(assessments=frozenset({"an obligation"})))
    assert len(searched) == 1
    dialog.reject()
    desk.changed(Changes(events=frozenset({"an event"})))
    assert len(searched) == 1  # closed: nothing to show it in
