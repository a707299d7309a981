"""The officer's assessment in words, kept with the record: versions, the audit trail, undo and deletion."""

import pytest
from sqlmodel import select

from db.agreements import delete_agreement, restore_agreement
from db.errors import RecordError
from db.history import TrailFilter, trail
from db.ids import new_id
from db.integrity import check_record
from db.models import OfficerWords
from db.officer_words import newest_words, remove_words, save_words, words_history
from db.tree import list_agreements


def _agreement(store) -> str:
    with store.reading() as session:
        return list_agreements(session)[0].id


def _save(store, agreement_id: str, text: str, who: str = "Farida Rahimi") -> str:
    with store.writing("Save the officer's words") as session:
        save_words(session, agreement_id, text, who, words_id := new_id())
    return words_id


def test_each_save_is_a_new_version_and_the_newest_is_used(example_store):
    agreement_id = _agreement(example_store)
    with example_store.reading() as session:
        assert newest_words(session, agreement_id) == "" and words_history(session, agreement_id) == []
    _save(example_store, agreement_id, "Releases lag behind.")
    second = _save(example_store, agreement_id, "Releases lag; <b>talks</b> stalled.", "Jawad Karimi")
    with example_store.reading() as session:
        assert newest_words(session, agreement_id) == "Releases lag; <b>talks</b> stalled."
        history = words_history(session, agreement_id)
    assert [(v.text, v.written_by) for v in history] == [
        ("Releases lag; <b>talks</b> stalled.", "Jawad Karimi"), ("Releases lag behind.", "Farida Rahimi")]  # fmt: skip
    with example_store.writing("Undo: Save the officer's words") as session:
        changes = remove_words(session, second)
    assert changes.words == {agreement_id}
    with example_store.reading() as session:
        assert newest_words(session, agreement_id) == "Releases lag behind."
        entries, _ = trail(session, TrailFilter(table="officerwords"))
    assert [e.operation for e in entries] == ["delete", "insert", "insert"]  # newest first, each audited
    assert "text: 'Releases lag behind.'" in entries[-1].what()
    assert check_record(example_store).problems == []


def test_words_that_cannot_be_kept_are_refused_with_nothing_written(example_store):
    agreement_id = _agreement(example_store)
    with pytest.raises(RecordError, match="NUL character at position 4"):
        _save(example_store, agreement_id, "bad\x00")
    with pytest.raises(RecordError, match="no longer in the record"):
        _save(example_store, new_id(), "For an agreement deleted elsewhere.")
    with example_store.reading() as session:
        assert session.exec(select(OfficerWords)).all() == []


def test_deleting_the_agreement_takes_its_words_and_undo_brings_them_back(example_store):
    agreement_id = _agreement(example_store)
    _save(example_store, agreement_id, "Releases lag behind.")
    with example_store.writing("Delete agreement") as session:
        deleted = delete_agreement(session, agreement_id)
    with example_store.reading() as session:
        assert session.exec(select(OfficerWords)).all() == []
    with example_store.writing("Undo: Delete agreement") as session:
        restore_agreement(session, deleted)
    with example_store.reading() as session:
        assert newest_words(session, agreement_id) == "Releases lag behind."
    assert check_record(example_store).problems == []
