"""Find anything (db/search.py): the officer's words as a query that cannot be FTS5 syntax, hits by
kind on the example, and an index the triggers and the importer keep up to date."""

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from db.event_import import import_events
from db.models import Actor, ActorAlias, Event, Obligation
from db.obligations import obligation_fields, update_obligation
from db.search import fts_query, search

DATA = Path(__file__).parent.parent / "data"


@pytest.mark.parametrize(
    ("words", "query"),
    [
        ("sholg balkh", '"sholg"* "balkh"*'),
        ("  Prisoner  ", '"Prisoner"*'),
        ('NEAR(a b) OR x* -y "z', '"NEAR"* "a"* "b"* "OR"* "x"* "y"* "z"*'),  # operators are words like any other
        ("Doha, 29 Feb", '"Doha"* "29"* "Feb"*'),
        ("Kābul", '"Kābul"*'),
        ('" * ( ) :', None),
        ("", None),
    ],
)
def test_the_officers_words_become_quoted_prefix_terms(words, query):
    assert fts_query(words) == query


def _hits(store, words, agreement_id=None):
    with store.reading() as session:
        return search(session, words, agreement_id)


def _kinds(hits):
    return [(h.kind, h.heading) for h in hits]


def test_the_example_is_found_by_kind(example_store):
    hits = _hits(example_store, "prisoners")
    obligations = [h.heading for h in hits if h.kind == "obligation"]
    assert obligations[:3] and all(heading.startswith("P1-C") for heading in obligations)
    assert any("[prisoners]" in h.snippet.lower() for h in hits)  # the words marked where they were found
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds, key=["obligation", "event", "assessment", "actor"].index)  # grouped by kind


def test_an_actor_is_found_by_name_and_brings_its_events(example_store):
    hits = _hits(example_store, "taliban")
    actors = [h for h in hits if h.kind == "actor"]
    assert "Taliban" in [h.heading for h in actors]
    with example_store.reading() as session:
        taliban = session.exec(select(Actor).where(Actor.name == "Taliban")).one()
        theirs = session.exec(text("SELECT count(*) FROM eventactor WHERE actor_id = :a"), params={"a": taliban.id}).one()[0]
    events = [h for h in hits if h.kind == "event"]
    assert len(events) >= min(theirs, 50) > 0


def test_hostile_words_find_nothing_and_raise_nothing(example_store):
    for words in ('"', "*", "AND", "(", "NEAR(", "title:x", "a\x00b", "🙂", "x" * 10_000):
        _hits(example_store, words)


def test_the_index_follows_edits_deletions_and_aliases(example_store):
    with example_store.reading() as session:
        obligation = session.exec(select(Obligation).where(Obligation.ref == "P1-D")).one()
        actor = session.exec(select(Actor).where(Actor.name == "Taliban")).one()
    assert not _hits(example_store, "zanzibar")
    with example_store.writing("Edit P1-D") as session:
        update_obligation(session, obligation.id, replace(obligation_fields(session, obligation.id), title="Zanzibar review"))
    assert _kinds(_hits(example_store, "zanzib")) == [("obligation", "P1-D Zanzibar review")]
    with example_store.writing("Add alias") as session:
        session.add(ActorAlias(actor_id=actor.id, alias="Xylo Shura", alias_key="xylo shura"))
    assert ("actor", "Taliban") in _kinds(_hits(example_store, "xylo"))
    with example_store.writing("Move alias") as session:  # to another actor: found under that one only
        alias = session.exec(select(ActorAlias).where(ActorAlias.alias == "Xylo Shura")).one()
        alias.actor_id = session.exec(select(Actor.id).where(Actor.name == "United States")).one()
    assert [h.heading for h in _hits(example_store, "xylo") if h.kind == "actor"] == ["United States"]
    with example_store.writing("Delete P1-D") as session:
        session.delete(session.get(Obligation, obligation.id))
    assert not _hits(example_store, "zanzibar")


def test_an_import_indexes_its_events_and_an_agreement_sees_its_own(example_store):
    import_events(example_store, DATA / "acled_afghanistan.csv")
    with example_store.reading() as session:
        events = session.exec(select(Event)).all()
        indexed = session.exec(text("SELECT count(*) FROM search_source WHERE kind = 'event'")).one()[0]
        paused = session.exec(text("SELECT paused FROM search_state")).one()[0]
    assert indexed == len(events) and paused == 0
    imported = next(e for e in events if e.external_id and e.notes)
    word = max(imported.notes.split(), key=len).strip(".,;:()")
    assert imported.id in [h.record_id for h in _hits(example_store, word) if h.kind == "event"]


def test_a_streamed_import_indexes_each_event_once_as_its_triggers_would(example_store, monkeypatch):
    """Issue 15: an import indexes the events it added in one statement at its end (the events it updates, by
    their own trigger): every event has one index row, with the text the triggers give it, and FTS5 agrees."""
    from db import event_file, event_import
    from db.search import _insert

    import_events(example_store, DATA / "acled_afghanistan.csv")
    for module in (event_file, event_import):
        monkeypatch.setattr(module, "CHUNK_ROWS", 2)
    report = import_events(example_store, DATA / "acled_afghanistan_newer.csv")
    assert report.added and report.updated
    as_triggers_write = "SELECT" + _insert("event", "event").split(") SELECT", 1)[1] + " FROM event"
    with example_store.reading() as session:
        kept = session.exec(text("SELECT kind, record_id, goes_to, agreement_id, heading, body FROM search_source "
                                 "WHERE kind = 'event'")).all()  # fmt: skip
        expected = session.exec(text(as_triggers_write)).all()
        if session.connection().dialect.name == "sqlite":  # a server makes each row's document itself
            session.exec(text("INSERT INTO search(search, rank) VALUES ('integrity-check', 1)"))  # raises if FTS5 differs
    assert sorted(kept) == sorted(expected) and len(kept) == len({row[1] for row in kept})
