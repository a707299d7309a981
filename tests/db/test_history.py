"""The audit trail read back (db/history.py): a record's history and the whole trail, against the
entries the trail holds."""

import csv
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from db.event_import import import_events
from db.history import Change, HistoryEntry, TrailFilter, changes_of, record_history, trail, write_trail_csv
from db.models import AuditEntry, Event, Obligation
from db.obligations import add_assessment, obligation_fields, update_obligation

DATA = Path(__file__).parent.parent / "data"


def _obligation(store, ref: str) -> Obligation:
    with store.reading() as session:
        return session.exec(select(Obligation).where(Obligation.ref == ref)).one()


def test_changes_of_an_entry_are_the_fields_it_changed():
    assert changes_of("update", '{"title": "A", "ref": "X", "version": 1}', '{"title": "B", "ref": "X", "version": 2}') == (
        Change("title", "A", "B"),
    )
    inserted = changes_of("insert", None, '{"id": "1", "name": "Taliban", "version": 1}')
    assert [(c.field, c.after) for c in inserted] == [("name", "Taliban")]
    bulk = changes_of("insert", None, '{"file_name": "a.csv", "event_ids": ["1", "2"], "digest": "ab", "chunk": 5, "columns": {}}')
    assert [(c.field, c.after) for c in bulk] == [("file_name", "a.csv"), ("events", 2)]


@pytest.mark.parametrize(
    ("operation", "before", "after", "what"),
    [
        ("update", '{"title": "A", "version": 1}', '{"title": "B", "version": 2}', "changed: title: 'A' → 'B'"),
        ("update", '{"fatalities": null}', '{"fatalities": 3}', "changed: fatalities: — → 3"),
        ("insert", None, '{"id": "1", "name": "Taliban", "note": null}', "added: name: 'Taliban'"),
        ("delete", '{"id": "1", "name": "Taliban"}', None, "removed: name: 'Taliban'"),
        ("insert", None, '{"file_name": "a.csv", "event_ids": ["1", "2"], "digest": "ab", "chunk": 5, "columns": {}}',
         "imported with 2 events from a.csv"),
        ("migrate", None, '{"added": {"event": {"date_end": null}, "auditentry": {"hash": ""}}}',
         "schema upgraded; columns added: event.date_end, auditentry.hash"),
        ("migrate", None, '{"added": {}}', "schema upgraded"),
    ],
)  # fmt: skip
def test_what_an_entry_says(operation, before, after, what):
    entry = HistoryEntry(1, datetime(2020, 3, 1, tzinfo=UTC), "ana", "x", operation, "t", "1",
                         changes_of(operation, before, after))  # fmt: skip
    assert entry.what() == what


def test_an_obligations_history_holds_its_edits_and_assessments_newest_first(example_store):
    obligation = _obligation(example_store, "P1-D")
    before = len(record_history_of(example_store, obligation.id))
    with example_store.writing("Edit P1-D") as session:
        update_obligation(session, obligation.id, replace(obligation_fields(session, obligation.id), title="Renamed"))
    with example_store.writing("Add assessment") as session:
        add_assessment(session, obligation.id, date(2020, 9, 1), "overdue", 1, "high", "No review yet.", "ana", "a-1")
    history = record_history_of(example_store, obligation.id)
    assert len(history) == before + 2
    newest, edit = history[0], history[1]
    assert (newest.action, newest.table_name, newest.operation) == ("Add assessment", "assessment", "insert")
    assert "rationale: 'No review yet.'" in newest.what()
    assert (edit.action, edit.who) == ("Edit P1-D", "tester")
    assert edit.what() == f"changed: title: {obligation.title!r} → 'Renamed'"
    assert history[-1].operation == "insert" and history[-1].table_name == "obligation"  # the example's seeding
    with example_store.reading() as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.row_id == obligation.id)).all()
    assert {h.id for h in history} >= {row.id for row in rows}


def record_history_of(store, obligation_id: str):
    with store.reading() as session:
        return record_history(session, "obligation", obligation_id)


def test_an_imported_events_history_names_the_import_that_brought_it(example_store, engine):
    import_events(example_store, DATA / "acled_afghanistan.csv")
    import_events(example_store, DATA / "acled_afghanistan_newer.csv")  # updates some by their ACLED id
    with example_store.reading() as session:
        imported = session.exec(select(Event).where(Event.import_file_id.is_not(None))).all()
        histories = {e.id: record_history(session, "event", e.id) for e in imported}
    assert imported
    for history in histories.values():
        first = history[-1]
        assert first.action.startswith("Import events acled_afghanistan")
        if engine == "sqlite":  # the import's one entry for all its events
            assert first.what().startswith("imported with ") and "from acled_afghanistan" in first.what()
        else:  # the server's triggers write each row's own
            assert first.operation == "insert" and first.table_name == "event"
    updated = [h for h in histories.values() if any(e.operation == "update" for e in h)]
    assert updated and all(h[0].operation in ("update", "insert", "delete") for h in updated)


def test_the_trail_filters_by_who_action_kind_record_and_date(example_store):
    obligation = _obligation(example_store, "P1-D")
    with example_store.writing("Edit P1-D") as session:
        update_obligation(session, obligation.id, replace(obligation_fields(session, obligation.id), title="Renamed"))
    with example_store.reading() as session:
        everything, total = trail(session)
        edits, count = trail(session, TrailFilter(who="test", action="edit p1"))
        kinds, _ = trail(session, TrailFilter(table="obligation", record=obligation.id[:8]))
        future, none = trail(session, TrailFilter(since=date(2999, 1, 1)))
        first_two, same_total = trail(session, limit=2)
        stored = session.exec(select(AuditEntry)).all()
    assert total == len(stored) == len(everything) and [e.id for e in everything] == sorted((r.id for r in stored), reverse=True)
    assert count == 1 and edits[0].what().endswith("→ 'Renamed'")
    assert {e.row_id for e in kinds} == {obligation.id}
    assert (future, none) == ([], 0)
    assert len(first_two) == 2 and same_total == total


def test_the_trail_exported_keeps_officers_text_from_running_as_a_formula(example_store, tmp_path):
    with example_store.writing("=HYPERLINK(\"http://x\")") as session:
        session.add(Obligation(agreement_id=_obligation(example_store, "P1-D").agreement_id, ref="Z", title="@SUM(A1)",
                               kind="action", position=99))  # fmt: skip
    with example_store.reading() as session:
        entries, total = trail(session, limit=None)
    path = tmp_path / "trail.csv"
    assert write_trail_csv(entries, path) == total
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["entry", "at", "who", "action", "operation", "record", "record_id", "what"]
    newest = rows[1]
    assert newest[3] == "'=HYPERLINK(\"http://x\")" and "'@SUM(A1)'" in newest[7]
    assert len(rows) == total + 1
