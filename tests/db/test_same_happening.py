"""Issue 13: several sources of one happening are kept as linked events (db/same_happening.py says why);
the log counts each happening's sources, and undoing a second source puts the record back exactly."""

from dataclasses import replace

from sqlmodel import select

from db.event_log import Col, EventFilter, event_rows, event_rows_by_id
from db.events import delete_event, event_changes, event_fields
from db.integrity import check_record
from db.models import AuditEntry, Event
from db.same_happening import add_second_source, remove_second_source
from tests.record_digest import search_digest, store_digest


def _first_event(store) -> tuple[str, object]:
    with store.reading() as session:
        event_id = session.exec(select(Event.id).order_by(Event.occurred_on, Event.id)).first()
        return event_id, event_fields(session, event_id)


def _sources(store, *event_ids) -> list[int]:
    with store.reading() as session:
        rows = {row[Col.ID]: row[Col.SOURCES] for row in event_rows_by_id(session, list(event_ids))}
    return [rows[event_id] for event_id in event_ids]


def _second(store, of_event_id, fields, event_id):
    with store.writing("Add a second source") as session:
        return add_second_source(session, replace(fields, source_name="Another outlet"), of_event_id, event_id)


def test_a_second_and_third_source_are_one_happening_of_three(example_store):
    first, fields = _first_event(example_store)
    with example_store.reading() as session:
        alone = {row[Col.SOURCES] for row in event_rows(session, EventFilter())}
    assert alone == {1}
    changes = _second(example_store, first, fields, "second-source")
    assert changes.events == {first, "second-source"} and changes.log
    assert _sources(example_store, first, "second-source") == [2, 2]
    # a third source linked to the second is the same happening: the first event names it
    changes = _second(example_store, "second-source", fields, "third-source")
    assert changes.events == {first, "second-source", "third-source"}
    with example_store.reading() as session:
        assert session.get(Event, "third-source").same_happening_as == first
        assert session.get(Event, first).same_happening_as is None  # the first event is not written
    assert _sources(example_store, first, "second-source", "third-source") == [3, 3, 3]


def test_deleting_the_first_source_leaves_the_others_one_happening(example_store):
    first, fields = _first_event(example_store)
    _second(example_store, first, fields, "second-source")
    _second(example_store, first, fields, "third-source")
    with example_store.writing("Delete event") as session:
        told = event_changes(session, [first])  # as DeleteEvents tells the log, before deleting
        delete_event(session, first)
    assert told.events == {first, "second-source", "third-source"}  # their counts of sources change too
    assert _sources(example_store, "second-source", "third-source") == [2, 2]
    with example_store.reading() as session:
        assert event_changes(session, ["third-source"]).events == {"second-source", "third-source"}


def test_undo_of_a_second_source_restores_the_record_exactly_and_is_audited(example_store):
    first, fields = _first_event(example_store)
    before, index_before = store_digest(example_store, record_only=True), search_digest(example_store)
    _second(example_store, first, fields, "second-source")
    with example_store.reading() as session:
        inserted = session.exec(
            select(AuditEntry.operation).where(AuditEntry.table_name == "event", AuditEntry.row_id == "second-source")
        ).all()
    assert inserted == ["insert"]  # one row, written once with its link
    with example_store.writing("Undo Add a second source") as session:
        changes = remove_second_source(session, "second-source")
    assert changes.events == {first, "second-source"}
    assert store_digest(example_store, record_only=True) == before
    assert search_digest(example_store) == index_before
    assert check_record(example_store).whole


def test_the_log_sorts_by_the_count_of_sources(example_store):
    first, fields = _first_event(example_store)
    _second(example_store, first, fields, "second-source")
    with example_store.reading() as session:
        rows = event_rows(session, EventFilter(), sort="sources", descending=True, limit=2)
    assert sorted(row[Col.ID] for row in rows) == sorted([first, "second-source"])
