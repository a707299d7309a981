"""The content digest (db/content.py): kept up to date by every write, equal to a recomputation from
every row, the same for the same content whatever order it came in, different for any other content."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String
from sqlmodel import select

from db import backup, content
from db.event_import import import_events
from db.event_rules import EventFields
from db.events import (
    create_event,
    delete_event,
    edit_event,
    link_obligation,
    restore_event,
    unlink_obligation,
)
from db.ids import new_id
from db.models import Actor, ActorAlias, Assessment, Event, Obligation
from db.obligations import add_assessment, remove_assessment
from db.report_content import chain_head, fingerprint
from db.store import Store
from tests.outside import write_outside

DATA = Path(__file__).parent.parent / "data"


def _kept_and_fresh(store: Store) -> tuple[dict, dict]:
    with store.reading() as session:
        connection = session.connection()
        return content.kept(connection), content.fresh(connection)


def _assert_up_to_date(store: Store) -> str:
    kept, fresh = _kept_and_fresh(store)
    assert kept == fresh
    return content.digest(kept)


def test_a_new_database_holds_the_digest_of_its_rows(example_store):
    kept, fresh = _kept_and_fresh(example_store)
    assert kept == fresh and kept["obligation"][0] > 0 and set(kept) == set(content.record_tables())
    assert "auditentry" not in kept


def _an_event(obligation_id: str, notes: str) -> EventFields:
    return EventFields(
        occurred_on=date(2020, 5, 1), event_type="Battles", source_name="Local press", actors=["Taliban", "Qatar"],
        notes=notes, latitude=34, longitude=69.5, fatalities=2, links=[(obligation_id, "breach")],
    )  # fmt: skip


# One random edit of the record through the services, as the window's commands make them (of text they accept).
WORDS = st.characters(blacklist_categories=("Cc", "Cs"))
EDITS = st.one_of(
    st.tuples(st.just("add event"), st.text(WORDS, max_size=20)),
    st.tuples(st.just("edit notes"), st.text(WORDS, max_size=20)),
    st.tuples(st.just("delete event"), st.none()),
    st.tuples(st.just("relink"), st.sampled_from(["supports", "breach", "context"])),
    st.tuples(st.just("unlink"), st.none()),
    st.tuples(st.just("assess"), st.integers(0, 3)),
    st.tuples(st.just("unassess"), st.none()),
    st.tuples(st.just("rename actor"), st.text(WORDS, min_size=1, max_size=12).filter(str.strip)),
    st.tuples(st.just("alias"), st.text(WORDS, min_size=1, max_size=12).filter(str.strip)),
)


def _edit(session, kind: str, value) -> None:
    obligation_id = session.exec(select(Obligation.id).order_by(Obligation.ref)).first()
    event_id = session.exec(select(Event.id).order_by(Event.id)).first()
    if kind == "add event":
        create_event(session, _an_event(obligation_id, value or "clash"))
    elif kind == "edit notes" and event_id:
        edit_event(session, event_id, {"notes": value or None})
    elif kind == "delete event" and event_id:
        delete_event(session, event_id)
    elif kind == "relink" and event_id:
        link_obligation(session, event_id, obligation_id, value)
    elif kind == "unlink" and event_id:
        unlink_obligation(session, event_id, obligation_id)
    elif kind == "assess":
        add_assessment(session, obligation_id, date(2020, 6, 1), "met", value, "high", "seen", "tester", new_id())
    elif kind == "unassess":
        if (assessment_id := session.exec(select(Assessment.id).order_by(Assessment.id)).first()) is not None:
            remove_assessment(session, assessment_id)
    elif kind == "rename actor":
        actor = session.exec(select(Actor).where(Actor.name != "Taliban").order_by(Actor.id)).first()
        actor.name = value.strip()
    elif kind == "alias":
        actor_id = session.exec(select(Actor.id).order_by(Actor.id)).first()
        key = f"{value.strip()} {new_id()}"
        session.add(ActorAlias(actor_id=actor_id, alias=key, alias_key=key.casefold()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=6))
def test_the_digest_equals_a_recomputation_after_random_edits(example_store, edits):
    for kind, value in edits:
        with example_store.writing(kind) as session:
            _edit(session, kind, value)
        _assert_up_to_date(example_store)


def test_any_content_change_changes_the_digest_and_an_undo_brings_it_back(example_store):
    first = _assert_up_to_date(example_store)
    with example_store.reading() as session:
        obligation_id = session.exec(select(Obligation.id).order_by(Obligation.ref)).first()
    with example_store.writing("Add event") as session:
        event_id = create_event(session, _an_event(obligation_id, "clash"))
    added = _assert_up_to_date(example_store)
    with example_store.writing("Edit notes") as session:
        edit_event(session, event_id, {"notes": "clash near the checkpoint"})
    edited = _assert_up_to_date(example_store)
    with example_store.writing("Undo edit notes") as session:
        edit_event(session, event_id, {"notes": "clash"})
    assert _assert_up_to_date(example_store) == added
    with example_store.writing("Delete event") as session:
        deleted = delete_event(session, event_id)
    assert _assert_up_to_date(example_store) == first
    with example_store.writing("Undo delete event") as session:
        restore_event(session, deleted)
    assert _assert_up_to_date(example_store) == added
    assert len({first, added, edited}) == 3


def test_the_report_fingerprint_is_the_content_and_the_chain_head_its_history(example_store):
    with example_store.reading() as session:
        first, head = fingerprint(session), chain_head(session)
        obligation_id = session.exec(select(Assessment.obligation_id)).first()
    with example_store.writing("Assess") as session:
        add_assessment(session, obligation_id, date(2020, 5, 1), "met", 3, "high", "", "tester", added := new_id())
    with example_store.reading() as session:
        assessed = fingerprint(session)
    with example_store.writing("Undo assess") as session:
        remove_assessment(session, added)
    with example_store.reading() as session:  # the same rows as before, two more entries in the trail
        assert chain_head(session) != head and chain_head(session).startswith("entry ")
        assert fingerprint(session) == first != assessed


def test_imports_new_and_updated_events_keep_the_digest(example_store):
    first = _assert_up_to_date(example_store)
    import_events(example_store, DATA / "acled_afghanistan.csv")
    imported = _assert_up_to_date(example_store)
    import_events(example_store, DATA / "acled_afghanistan_newer.csv")  # updates some of them
    assert len({first, imported, _assert_up_to_date(example_store)}) == 3
    import_events(example_store, DATA / "ucdp_ged_afghanistan.csv")
    _assert_up_to_date(example_store)


@pytest.mark.sqlite_file("backups of a file (a server's are pg_dump's)")
def test_a_restore_brings_back_the_backups_digest(example_store):
    import_events(example_store, DATA / "acled_afghanistan.csv")
    before = _assert_up_to_date(example_store)
    taken = backup.take(example_store, backup.Reason.MANUAL)
    with example_store.writing("Delete event") as session:
        delete_event(session, session.exec(select(Event.id)).first())
    assert _assert_up_to_date(example_store) != before
    backup.restore(example_store, taken.path)
    assert _assert_up_to_date(example_store) == before


def test_the_same_rows_added_in_another_order_give_the_same_digest(example_store, store_copy, tmp_path):
    """Two desks that got the same records in another order (other rowids) hold the same digest."""
    other = store_copy("example", tmp_path, "other")
    actors = [Actor(id=new_id(), name=f"Actor {n}", kind="other") for n in range(5)]
    digests = []
    try:
        for store, order in ((example_store, actors), (other, actors[::-1])):
            for actor in order:
                with store.writing("Add actor") as session:
                    session.add(Actor(**actor.model_dump()))
            with store.writing("Edit actor") as session:  # edited on one desk only: another version count
                row = session.get(Actor, order[0].id)
                row.name = "Edited"
                session.flush()
                row.name = order[0].name
            digests.append(_assert_up_to_date(store))
    finally:
        other.close()
    assert digests[0] == digests[1]


def _other_value(value, column):
    """One value become another of the same kind: text, number, truth, day or time; a value from empty."""
    if value is None:
        empty = {str: "", int: 0, float: 0.0, bool: False, date: date(2000, 1, 1), datetime: datetime(2000, 1, 1, tzinfo=UTC)}
        kind = getattr(column.type, "impl", column.type)  # a TypeDecorator's (SQLModel's AutoString) own
        value = empty[str if isinstance(kind, String) else kind.python_type]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, datetime | date):
        return value + timedelta(days=1)
    return value[:-1] + ("y" if value.endswith("x") else "x")  # as long as it was: ids are VARCHAR(36) on a server


@contextmanager
def _without_the_records_rules(connection):
    """A change the record's foreign keys and triggers let pass, as a forger's would (rolled back after)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at a commit that never comes
    else:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no triggers, no foreign keys
    yield


def test_every_content_column_counts_and_the_version_does_not(example_store):
    import_events(example_store, DATA / "acled_afghanistan.csv")
    with example_store.engine.connect() as connection, connection.begin():
        first = content.digest(content.fresh(connection))
        tables = content.record_tables()
        columns = [
            (table, column)
            for name, table in tables.items()
            if connection.execute(table.select().limit(1)).first()
            for column in content.content_columns(table)
        ] + [(tables["event"], "version")]
        assert {(t.name, c) for t, c in columns} >= {("event", "latitude"), ("eventactor", "role"), ("event", "version")}
        with _without_the_records_rules(connection):
            for table, column in columns:
                key = list(table.primary_key.columns)
                row = connection.execute(table.select().order_by(*key).limit(1)).one()
                probe = connection.begin_nested()
                connection.execute(
                    table.update()
                    .where(*(c == row._mapping[c.name] for c in key))
                    .values({column: _other_value(row._mapping[column], table.c[column])})
                )
                changed = content.digest(content.fresh(connection))
                probe.rollback()
                assert (changed == first) == (column == "version"), (table.name, column)
        connection.rollback()


@pytest.mark.parametrize(("kind", "column"), [("event", "notes"), ("obligation", "title")])
def test_a_write_outside_accord_desk_leaves_the_kept_digest_behind(example_store, kind, column):
    """A foreign write (the sqlite3 shell, psql) is not counted: the table it changed alone differs from a recomputation."""
    store = write_outside(example_store, f"UPDATE {kind} SET {column} = 'forged'")
    try:
        kept, fresh = _kept_and_fresh(store)
        assert fresh[kind][0] and kept[kind] != fresh[kind]
        assert {name for name in kept if kept[name] != fresh[name]} == {kind}
    finally:
        store.close()


@pytest.mark.parametrize(
    "values",
    [
        ["3f2a5c1e-1111-2222-3333-444455556666", "2019-03-04", 31.8234, 64.5712, 1, 3, None, True],
        ("é", 'quote " and \\ back', "line\nbreak\ttab", "\u2028", "طالبان", "\U0001f600"),
        [1e16, -0.0, 0.1 + 0.2, 1e-7, 2**70, -5, float("inf")],
        [],
    ],
)
def test_a_row_hashes_as_the_sha256_of_its_compact_json(values):
    """The encoder made once for speed (issue 15) writes what json.dumps writes: the digests of databases made
    before stay valid, and a recomputation reads the same."""
    import hashlib
    import json

    text = json.dumps(values, separators=(",", ":"))
    assert content.row_hash(values) == int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
