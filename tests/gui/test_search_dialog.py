"""Edit ▸ Find anything… (Ctrl+K): hits by kind as the officer types, Enter goes to the record."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

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
