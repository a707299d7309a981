"""Issue 13: the officer entered the day's news again without a word, though the example held it. The
new-event form now says what the event looks like and lets the officer open that one, link this one to it
as a second source of the same happening, go back, or save."""

from dataclasses import replace

import pytest
from sqlmodel import select

from db.duplicates import events_like
from db.events import event_fields
from db.models import Event
from gui import event_log_view
from gui.event_dialog import EventDialog
from gui.event_log_model import SOURCES
from tests.record_digest import search_digest, store_digest

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def window(window, qtbot):
    qtbot.waitUntil(lambda: not window.event_log.filtering)
    return window


def _recorded(store):
    """An event of the example with notes, and its fields."""
    with store.reading() as session:
        event = next(e for e in session.exec(select(Event).order_by(Event.occurred_on)) if e.notes and len(e.notes) > 40)
        return event.id, event_fields(session, event.id)


def _retold(fields):
    """The same happening typed again: the notes reworded and cut, the rest as it was."""
    words = fields.notes.split()
    return replace(fields, notes=" ".join(reversed(words[: max(8, len(words) * 3 // 4)])), links=[], figure=None)


def test_the_record_finds_the_event_typed_again_and_not_another(example_store):
    event_id, fields = _recorded(example_store)
    with example_store.reading() as session:
        assert [e.id for e in events_like(session, _retold(fields))][:1] == [event_id]
        assert events_like(session, replace(_retold(fields), event_type="Riots")) == []
        assert event_id not in [e.id for e in events_like(session, fields, event_id=event_id)]  # not itself


@pytest.fixture
def typing(monkeypatch):
    """The form accepted with `typed` as its fields; every form it opened is noted (fields it opened with)."""
    opened = []

    def run(typed):
        def exec_(dialog):
            opened.append(dialog)
            return EventDialog.DialogCode.Accepted if len(opened) == 1 else EventDialog.DialogCode.Rejected

        monkeypatch.setattr(EventDialog, "exec", exec_)
        monkeypatch.setattr(EventDialog, "fields", lambda dialog: typed)
        return opened

    return run


def _count(store) -> int:
    with store.reading() as session:
        return len(session.exec(select(Event.id)).all())


@pytest.mark.parametrize(
    "answer", [event_log_view.SAVE_ANYWAY, event_log_view.OPEN_THAT_ONE, event_log_view.BACK_TO_THE_FORM]
)
def test_the_form_says_what_the_new_event_looks_like(window, qtbot, typing, monkeypatch, answer):
    store, log = window.desk.store, window.event_log
    event_id, fields = _recorded(store)
    asked = []
    monkeypatch.setattr(log, "ask_about_duplicate", lambda like: asked.append(like) or answer)
    opened = typing(_retold(fields))
    before = _count(store)
    log.new_action.trigger()
    qtbot.waitUntil(lambda: not log.filtering)
    assert [like.id for like in asked] == [event_id]
    assert asked[0].label.startswith(f"{fields.occurred_on.isoformat()} {fields.location}")
    if answer == event_log_view.SAVE_ANYWAY:
        assert _count(store) == before + 1 and len(opened) == 1
    elif answer == event_log_view.OPEN_THAT_ONE:
        assert _count(store) == before and log.selected_id() == event_id
        assert [dialog.windowTitle() for dialog in opened] == ["New event", "Edit event"]  # that one, in its form
    else:
        assert _count(store) == before and len(opened) == 2  # the form again, with what was typed


def test_an_event_like_none_in_the_record_is_saved_without_a_question(window, qtbot, typing, monkeypatch):
    store, log = window.desk.store, window.event_log
    _, fields = _recorded(store)
    monkeypatch.setattr(log, "ask_about_duplicate", lambda like: pytest.fail("asked"))
    typing(replace(_retold(fields), location="Herat", admin1="Herat", admin2="Herat"))
    before = _count(store)
    log.new_action.trigger()
    qtbot.waitUntil(lambda: not log.filtering)
    assert _count(store) == before + 1


def _sources_shown(log, event_id) -> str:
    return log.model.index(log.model.row_of(event_id), SOURCES).data()


def test_linked_as_a_second_source_the_log_counts_two_and_undo_restores_exactly(window, qtbot, typing, monkeypatch):
    store, log, desk = window.desk.store, window.event_log, window.desk
    event_id, fields = _recorded(store)
    monkeypatch.setattr(log, "ask_about_duplicate", lambda like: event_log_view.SECOND_SOURCE)
    typing(replace(_retold(fields), source_name="Tolo News", reliability="B", credibility="2"))
    before, index_before, count = store_digest(store, record_only=True), search_digest(store), _count(store)
    assert _sources_shown(log, event_id) == "1"
    log.new_action.trigger()
    qtbot.waitUntil(lambda: not log.filtering)
    new_id = log.selected_id()
    with store.reading() as session:
        new = session.get(Event, new_id)
        assert (new.same_happening_as, new.source_name, new.reliability) == (event_id, "Tolo News", "B")
    assert _count(store) == count + 1 and desk.undo_stack.undoText() == "Add a second source"
    assert _sources_shown(log, event_id) == "2" and _sources_shown(log, new_id) == "2"
    desk.undo_stack.undo()
    qtbot.waitUntil(lambda: not log.filtering)
    assert store_digest(store, record_only=True) == before and search_digest(store) == index_before
    assert _sources_shown(log, event_id) == "1"
    desk.undo_stack.redo()
    qtbot.waitUntil(lambda: not log.filtering)
    assert _sources_shown(log, event_id) == "2" and _sources_shown(log, new_id) == "2"
    log.select(event_id)
    log.delete_selected(ask=False)  # the first source goes: the other's count follows
    qtbot.waitUntil(lambda: not log.filtering)
    assert log.model.row_of(event_id) == -1 and _sources_shown(log, new_id) == "1"
    desk.undo_stack.undo()
    qtbot.waitUntil(lambda: not log.filtering)
    assert _sources_shown(log, new_id) == "2"
