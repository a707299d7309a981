"""`check_record`: the hash-chained audit trail and every record row accounted for by it.

Tampering is done as an intruder would (tests/outside.py): with sqlite3 on the closed file, lifting the
append-only triggers where they are in the way; on a server as its superuser, with the triggers (the
audit's and the guards) and foreign keys off.
"""

import csv
import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from db import audit, backup
from db.dialects import append_only
from db.errors import StaleRecordError
from db.event_import import import_events
from db.events import delete_event, edit_event, event_fields, update_event
from db.integrity import check_record
from db.models import AuditEntry, Event, Obligation, PartyMember
from db.obligations import delete_obligation, move_obligation, restore_obligation
from db.store import Access, Store
from tests.outside import GUARD, LIFT
from tests.outside import write_outside as _tamper

DATA = Path(__file__).parent.parent / "data"
CURRENT, NEWER = DATA / "acled_afghanistan.csv", DATA / "acled_afghanistan_newer.csv"
DIGEST_STALE = (
    "The content digest kept in the record does not match its rows in {tables}: they were written outside "
    "Accord Desk, so a report's fingerprint would not name what the record holds; restore a backup made before "
    "that write."
)


def _check(store: Store) -> list[str]:
    return check_record(store).problems


def _dialect(store: Store) -> str:
    return "sqlite" if store.server is None else "postgresql"


def _obligation(store: Store, ref: str) -> Obligation:
    with store.reading() as session:
        return session.exec(select(Obligation).where(Obligation.ref == ref)).one()


def _event(store: Store, external_id: str) -> Event:
    with store.reading() as session:
        return session.exec(select(Event).where(Event.external_id == external_id)).one()


def test_a_clean_example_is_whole(example_store):
    report = check_record(example_store)
    assert report.problems == []
    with example_store.reading() as session:
        last_id, last_hash = audit.last_entry(session.connection())
    assert report.lines() == [f"The record is whole: {last_id:,} entries, chain head {last_hash[:12]}…"]


def test_imports_edits_moves_and_deletions_through_the_services_stay_whole(example_store):
    store = example_store
    import_events(store, CURRENT)
    clash = _event(store, "AFG40001")
    with store.writing("Edit event") as session:  # an imported event changed column by column
        edit_event(session, clash.id, {"fatalities": 6})
    other = _event(store, "AFG40002")
    with store.writing("Edit event") as session:  # and one changed with its actors
        fields = event_fields(session, other.id)
        update_event(session, other.id, replace(fields, actors=[*fields.actors[:1], "Haqqani Network"]))
    with store.writing("Delete event") as session:
        delete_event(session, _event(store, "AFG40004").id)
    import_events(store, NEWER)  # updates AFG40003: its links replaced by the import
    with store.writing("Delete obligation") as session:
        deleted = delete_obligation(session, _obligation(store, "P1-A").id)
    with store.writing("Undo delete obligation") as session:
        restore_obligation(session, deleted)
    with store.writing("Move obligation") as session:
        move_obligation(session, _obligation(store, "P1-B").id, None, 0)
    assert _check(store) == []


def test_a_forged_entry_breaks_the_chain(example_store):
    store = _tamper(
        example_store,
        "INSERT INTO auditentry (id, at, who, action, operation, table_name, row_id, before, after, hash) "
        "SELECT max(id) + 1, '2026-01-01 00:00:00.000000', 'ana', 'Add obligation', 'insert', 'obligation', 'x', NULL, "
        f"'{{}}', '{'ab' * 32}' FROM auditentry",
    )
    with store.reading() as session:
        forged = audit.last_entry(session.connection())[0]
    assert any(f"Audit entry {forged:,} (Add obligation: insert obligation x) does not follow the chain" in p for p in _check(store))
    store.close()


def test_an_entry_rewritten_under_a_lifted_trigger_breaks_the_chain(example_store):
    store = _tamper(example_store, "UPDATE auditentry SET who = 'mallory' WHERE id = 5", past_guards=True)
    problems = _check(store)
    store.close()
    assert len(problems) == 1 and problems[0].startswith("Audit entry 5 (") and "does not follow the chain" in problems[0]


@pytest.mark.sqlite_file("the head log beside the file")
def test_a_rewritten_and_rehashed_trail_is_caught_by_the_head_kept_outside(example_store):
    with example_store.writing("Rename") as session:  # its head goes to the log beside the file
        session.get(Obligation, _obligation(example_store, "P1-A.1").id).title = "Renamed"
    path = example_store.path
    example_store.close()
    _rehash(path, changed_id=5)
    store = Store.open(path, user="tester")
    problems = _check(store)
    store.close()
    assert len(problems) == 1 and problems[0].startswith(f"{path.name}.audit-head records entry ")
    assert problems[0].endswith("has another: the trail was rewritten.")


_ENTRY = ("id", "at", "who", "action", "operation", "table_name", "row_id", "before", "after")


def _rehashed(rows, changed_id: int, at=lambda stored: stored):
    """(who, hash, id) of each entry once entry `changed_id` names another officer and every hash is
    recomputed, so the chain holds, as an intruder would make it; `at` reads the stored time back."""
    previous = audit.GENESIS
    for row in rows:
        values = dict(zip(_ENTRY, row, strict=True))
        values["at"] = at(values["at"])
        if values["id"] == changed_id:
            values["who"] = "mallory"
        previous = audit.entry_hash(previous, values)
        yield values["who"], previous, values["id"]


def _rehash(path: Path, changed_id: int) -> None:
    """Rewrite an entry and recompute every hash in the file."""
    with sqlite3.connect(path) as connection:
        connection.executescript(LIFT)
        rows = connection.execute(f"SELECT {', '.join(_ENTRY)} FROM auditentry ORDER BY id").fetchall()
        connection.executemany("UPDATE auditentry SET who = ?, hash = ? WHERE id = ?", list(_rehashed(rows, changed_id, _parse)))
        connection.executescript(GUARD)
    connection.close()


def test_a_rehashed_trail_on_a_server_is_caught_by_the_head_row_every_writer_locks(example_on_server):
    """Issue 17: on a server the head is the row each transaction locks as its last step (db.team_server);
    its superuser rewriting the trail past the triggers leaves it behind."""
    import psycopg

    from db import team_server

    with example_on_server.writing("Rename") as session:
        session.get(Obligation, _obligation(example_on_server, "P1-A.1").id).title = "Renamed"
    location = example_on_server.server
    example_on_server.close()
    with psycopg.connect(team_server.conninfo(location.url), autocommit=True) as connection:
        connection.execute("SET session_replication_role = replica")  # no trigger fires: not the guard either
        rows = connection.execute(f"SELECT {', '.join(_ENTRY)} FROM auditentry ORDER BY id").fetchall()
        connection.cursor().executemany("UPDATE auditentry SET who = %s, hash = %s WHERE id = %s", list(_rehashed(rows, 5)))
        last = connection.execute("SELECT id, hash FROM auditentry ORDER BY id DESC LIMIT 1").fetchone()
    store = Store.open(location, user="tester")
    problems = _check(store)
    store.close()
    kept = (last[0], next(h for _, h, i in _rehashed(rows, changed_id=0) if i == last[0]))  # the hash before
    assert problems == [
        f"The server's chain head names entry {kept[0]:,} (hash {kept[1][:12]}…) and the trail ends at entry "
        f"{last[0]:,} (hash {last[1][:12]}…): entries were removed, or the trail rewritten, outside Accord Desk."
    ]


def _parse(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def test_a_removed_entry_is_named(example_store):
    store = _tamper(example_store, "DELETE FROM auditentry WHERE id = 7", past_guards=True)
    problems = _check(store)
    store.close()
    assert "Audit entries 7 are missing from the trail: removed." in problems
    assert any(p.startswith("Audit entry 8 (") for p in problems)


def test_a_missing_guard_is_reported(example_store):
    (drop,) = append_only(_dialect(example_store), "auditentry", "auditentry_no_update", "UPDATE", "", on=False)
    store = _tamper(example_store, drop)
    problems = _check(store)
    store.close()
    assert problems == ["The audit trail's guard auditentry_no_update is missing: the trail could be rewritten in place."]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("UPDATE obligation SET title = 'Nothing' WHERE ref = 'P1-A.1'",
         "Obligation P1-A.1 differs from audit entry {entry} in title: it was changed outside Accord Desk."),
        ("INSERT INTO actor (id, name, kind, version) VALUES ('a-forged', 'Nobody', 'other', 1)",
         "The actor row a-forged is not in the audit trail: it was added outside Accord Desk."),
        ("DELETE FROM obligation WHERE ref = 'P1-A.1'",
         "The obligation row {id} is missing though audit entry {entry} wrote it."),
    ],
)  # fmt: skip
def test_a_direct_edit_of_a_record_table_is_named(example_store, script, expected):
    target = _obligation(example_store, "P1-A.1")
    with example_store.reading() as session:
        entry = session.connection().exec_driver_sql(
            f"SELECT max(id) FROM auditentry WHERE row_id = '{target.id}'"
        ).scalar()
    store = _tamper(example_store, script)
    problems = _check(store)
    store.close()
    assert expected.format(entry=f"{entry:,}", id=target.id) in problems


@pytest.mark.parametrize(
    ("script", "on_server"),
    [
        ("UPDATE event SET fatalities = 999 WHERE external_id = 'AFG40005'",
         ("The event AFG40005 differs from audit entry ", " in fatalities: it was changed outside Accord Desk.")),
        ("DELETE FROM eventactor WHERE event_id = (SELECT id FROM event WHERE external_id = 'AFG40005')",
         ("The eventactor row ", " wrote it.")),
        ("INSERT INTO event (id, occurred_on, date_precision, event_type, origin, recorded_at, recorded_by, "
         "version, import_file_id) SELECT 'e-forged', '2020-03-03', 'day', 'Battles', 'imported', recorded_at, "
         "recorded_by, 1, import_file_id FROM event WHERE external_id = 'AFG40005'", None),
    ],
    ids=["imported event altered", "its actor link removed", "an event slipped in"],
)  # fmt: skip
def test_a_direct_edit_of_imported_events_breaks_the_imports_digest(example_store, engine, script, on_server):
    """On a file the import's one entry holds a digest of its rows; on a server, whose triggers give each
    row an entry of its own, the row's entry names the change (`on_server`: the problem's start and end)."""
    import_events(example_store, CURRENT)
    with example_store.writing("Edit event") as session:  # one of them changed since, through the desk
        edit_event(session, _event(example_store, "AFG40001").id, {"fatalities": 6})
    assert _check(example_store) == []
    store = _tamper(example_store, script)
    problems = _check(store)
    store.close()
    digest = [p for p in problems if "no longer match its digest" in p]
    if "e-forged" in script:
        assert "The event row e-forged is not in the audit trail: it was added outside Accord Desk." in problems
    elif engine != "sqlite":
        start, end = on_server
        assert any(p.startswith(start) and p.endswith(end) for p in problems), problems
    else:
        assert len(digest) == 1 and digest[0].endswith(f"from {CURRENT.name} no longer match its digest: one of "
                                                      "them or their links was changed, added or removed outside Accord Desk.")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("UPDATE obligation SET parent_id = (SELECT id FROM obligation WHERE ref = 'P1-A.1') WHERE ref = 'P1-A'",
         "The obligation tree has a cycle: "),
        ("UPDATE obligation SET position = 0 WHERE ref IN ('P1-A.1', 'P1-A.2')", "2 obligations under P1-A share position 0."),
        ("UPDATE obligation SET deadline_rule = '135 days after Z9' WHERE ref = 'P1-A.1'",
         "Obligation P1-A.1: its deadline counts from Z9, which is not in its agreement."),
        ("DELETE FROM obligation WHERE ref = 'P1-C.1'", "links to obligation"),
    ],
)  # fmt: skip
def test_the_records_own_rules(example_store, script, expected):
    store = _tamper(example_store, script)
    problems = _check(store)
    store.close()
    assert any(expected in p for p in problems), problems


@pytest.mark.sqlite_file("the head log beside the file")
def test_every_committed_write_leaves_its_head_beside_the_file(example_store):
    obligation = _obligation(example_store, "P1-A.1")
    for title in ("Renamed", "Renamed again"):
        with example_store.writing("Rename") as session:
            session.get(Obligation, obligation.id).title = title
    with example_store.reading() as session:
        assert audit.newest_head(example_store.path)[:2] == audit.last_entry(session.connection())
    lines = audit.head_log(example_store.path).read_text().splitlines()
    assert len(lines) >= 2 and lines[-1].split()[0] != lines[-2].split()[0]


def test_a_stale_update_is_refused_by_name_and_changes_nothing(example_store, engine):
    read = _obligation(example_store, "P1-A.1")  # the form read it at this version
    with example_store.writing("Edit on another desk") as session:
        session.get(Obligation, read.id).title = "Changed elsewhere"
    with example_store.reading() as session:
        entries = audit.last_entry(session.connection())
    expect = {("obligation", read.id): read.version}
    with pytest.raises(StaleRecordError) as refused, example_store.writing("Edit obligation", expect=expect) as session:
        session.get(Obligation, read.id).title = "Mine"
    assert str(refused.value) == (
        "P1-A.1 was changed since you read it (on another desk or by an import); reload and try again."
    )
    now = _obligation(example_store, "P1-A.1")
    assert (now.title, now.version) == ("Changed elsewhere", read.version + 1)
    with example_store.reading() as session:
        if engine == "sqlite":
            assert audit.last_entry(session.connection()) == entries
        else:  # a server keeps the attempt (db.team_server.note_refusal), and no row changed
            (refused,) = session.exec(select(AuditEntry).where(AuditEntry.id > entries[0])).all()
            assert (refused.operation, refused.action, refused.row_id) == ("refused", "Edit obligation", read.id)
    assert check_record(example_store).problems == []


def test_a_row_carried_over_from_an_earlier_read_is_checked_by_its_version(example_store):
    read = _obligation(example_store, "P1-A.1")  # detached, at its version
    with example_store.writing("Edit on another desk") as session:
        session.get(Obligation, read.id).title = "Changed elsewhere"
    with pytest.raises(StaleRecordError), example_store.writing("Edit obligation") as session:
        row = session.merge(read, load=False)
        row.title = "Mine"
    assert _obligation(example_store, "P1-A.1").title == "Changed elsewhere"


def test_a_transaction_tells_the_versions_it_left(example_store):
    first, second = _obligation(example_store, "P1-A.1"), _obligation(example_store, "P1-A.2")
    with example_store.writing("Edit", expect={("obligation", first.id): first.version}) as session:
        session.get(Obligation, first.id).title = "Renamed"
        deleted = delete_obligation(session, second.id)
    left = audit.versions_left(session)
    assert left[("obligation", first.id)] == first.version + 1
    assert left[("obligation", second.id)] is None
    with example_store.writing("Undo", expect={("obligation", first.id): first.version + 1}) as session:
        restore_obligation(session, deleted)
        session.get(Obligation, first.id).title = first.title
    assert audit.versions_left(session)[("obligation", second.id)] == second.version


def test_imports_write_versions_and_their_updates_count_them(example_store):
    import_events(example_store, CURRENT)
    assert _event(example_store, "AFG40003").version == 1
    import_events(example_store, NEWER)
    assert _event(example_store, "AFG40003").version == 2
    with example_store.reading() as session:
        versions = session.connection().exec_driver_sql("SELECT DISTINCT version FROM eventactor").all()
    assert versions == [(1,)]


@pytest.mark.sqlite_file("a file as schema 0002 left it")
def test_a_database_at_0002_gets_the_chain_on_opening(example_store, tmp_path):
    """The example record as 0002 held it (no versions, no hashes), upgraded by opening it."""
    from alembic import command

    from db.store import _alembic_config, _make_engine

    import_events(example_store, CURRENT)
    with example_store.writing("Ungroup the parties") as session:  # 0002 has no table for the groups
        for member in session.exec(select(PartyMember)).all():
            session.delete(member)
    example_store.close()
    old = tmp_path / "old.sqlite"
    engine, config = _make_engine(old), _alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002_event_indexes")
        connection.commit()
    engine.dispose()
    with sqlite3.connect(old) as connection:
        connection.execute("ATTACH ? AS new", (str(example_store.path),))
        for (table,) in connection.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'").fetchall():
            if table == "alembic_version":
                continue
            columns = ", ".join(f'"{c[1]}"' for c in connection.execute(f"PRAGMA main.table_info({table})"))
            source = f"SELECT {columns} FROM new.{table}"
            if table == "auditentry":  # without the entries of the upgrades since 0002 (the first), numbered from 1
                upgrades = "(SELECT count(*) FROM new.auditentry WHERE operation = 'migrate')"
                renumbered = columns.replace('"id"', f"id - {upgrades}")
                source = f"SELECT {renumbered} FROM new.auditentry WHERE operation != 'migrate'"
            connection.execute(f"INSERT INTO main.{table} ({columns}) {source}")
    connection.close()

    store = Store.open(old, user="tester")
    assert check_record(store).problems == []
    with store.reading() as session:
        assert session.connection().exec_driver_sql("SELECT DISTINCT version FROM obligation").all() == [(1,)]
        upgrade, ranges, *later = session.connection().exec_driver_sql(
            "SELECT action, after FROM auditentry WHERE operation = 'migrate' ORDER BY id"
        ).all()
    assert upgrade[0] == "Upgrade the record to schema 0003_audit_chain"
    assert json.loads(upgrade[1])["added"]["obligation"] == {"version": 1}
    assert ranges[0] == "Upgrade the record to schema 0004_event_ranges"
    assert json.loads(ranges[1])["added"] == {"event": {"occurred_until": None}}
    assert ("Upgrade the record to schema 0007_same_happening", '{"added": {"event": {"same_happening_as": null}}}') in later
    with store.writing("Rename") as session:
        session.get(Obligation, _obligation(store, "P1-A.1").id).title = "Renamed"
    assert check_record(store).problems == []
    store = _tamper(store, "UPDATE obligation SET version = 7 WHERE ref = 'P1-A.2'")
    problems = check_record(store).problems
    store.close()
    assert len(problems) == 1 and problems[0].startswith("Obligation P1-A.2 differs from audit entry")
    assert problems[0].endswith("in version: it was changed outside Accord Desk.")


def _own_file(path: Path, **cells) -> Path:
    from db.event_csv import COLUMNS

    values = {"id": "6f1c3e0a-1b7e-4c8e-9a55-0f3a2b1c9d01", "occurred_on": "2020-04-08", "event_type": "Statement",
              "source_name": "Tolo News", "actor1": "Taliban", "links": "P1-C.1 (supports); P3-2 (breach)",
              "reliability": "B", "credibility": "2", "latitude": "34", "longitude": "69", **cells}  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([COLUMNS, [values.get(column, "") for column in COLUMNS]])
    return path


def test_accord_desk_files_with_links_added_then_updated_stay_whole(example_store, tmp_path, engine):
    import_events(example_store, _own_file(tmp_path / "own.csv"))
    assert _check(example_store) == []
    report = import_events(example_store, _own_file(tmp_path / "revised.csv", links="P1-C.1 (breach)", actor2="Qatar"))
    assert len(report.updated) == 1
    assert _check(example_store) == []
    with example_store.writing("Delete event") as session:  # and imported again, under the same id
        delete_event(session, "6f1c3e0a-1b7e-4c8e-9a55-0f3a2b1c9d01")
    assert len(import_events(example_store, tmp_path / "revised.csv").added) == 1
    assert _check(example_store) == []
    store = _tamper(example_store, "UPDATE eventobligation SET bearing = 'supports' WHERE event_id LIKE '6f1c3e0a-%'")
    problems = _check(store)
    store.close()
    assert problems[1:] == [DIGEST_STALE.format(tables="eventobligation")]
    if engine == "sqlite":  # the import's one entry, and its digest of the rows
        assert problems[0] == (
            f"The 1 events audit entry {problems[0].split()[5]} added from revised.csv no longer match its digest: "
            "one of them or their links was changed, added or removed outside Accord Desk."
        )
    else:  # the link's own entry, the server's trigger's
        assert problems[0].startswith("The eventobligation row 6f1c3e0a-1b7e-4c8e-9a55-0f3a2b1c9d01/")
        assert problems[0].endswith(" in bearing: it was changed outside Accord Desk.")


@pytest.mark.sqlite_file("a reader beside the file's writer, and the head log beside the file")
def test_the_check_reads_beside_the_writer(example_store):
    with example_store.writing("Rename") as session:  # the writer holds the file and has left a head
        session.get(Obligation, _obligation(example_store, "P1-A.1").id).title = "Renamed"
    reader = Store.open(example_store.path, access=Access.READ)
    try:
        report = check_record(reader)
    finally:
        reader.close()
    assert report.whole and report.head == audit.newest_head(example_store.path)[:2]


@pytest.mark.sqlite_file("backups of a file (a server's are pg_dump's)")
def test_backups_keep_the_head_and_a_restore_moves_it_back(example_store):
    older = backup.take(example_store, backup.Reason.MANUAL)
    with example_store.reading() as session:
        assert older.head == audit.last_entry(session.connection())
    for title in ("Renamed", "Renamed again"):
        with example_store.writing("Rename") as session:
            session.get(Obligation, _obligation(example_store, "P1-A.1").id).title = title
    backup.restore(example_store, older.path)  # the trail is shorter than the heads logged since
    assert _check(example_store) == []
    with example_store.writing("Rename") as session:  # and goes on from there, other entries, same ids
        session.get(Obligation, _obligation(example_store, "P1-A.1").id).title = "Renamed once more"
    assert _check(example_store) == []


class _Killed(BaseException):
    """The process dying where it is raised: nothing after it runs, no handler sees it."""


def _die(_done: int, _total: int) -> None:
    raise _Killed


@pytest.mark.sqlite_file("backups of a file (a server's are pg_dump's)")
def test_a_restore_killed_while_its_pages_move_leaves_a_record_the_check_calls_whole(example_store, monkeypatch):
    def rename(title: str) -> None:
        with example_store.writing("Rename") as session:
            session.get(Obligation, _obligation(example_store, "P1-A.1").id).title = title

    older = backup.take(example_store, backup.Reason.MANUAL)
    rename("Renamed")
    rename("Renamed again")
    newer = backup.take(example_store, backup.Reason.MANUAL)
    backup.restore(example_store, older.path)
    rename("Another road")  # the trail now runs beside the newer backup's, not up to it
    monkeypatch.setattr(backup, "STEP_PAGES", 1)  # the kill comes after the first page
    with pytest.raises(_Killed):
        backup.restore(example_store, newer.path, progress=_die)
    assert _obligation(example_store, "P1-A.1").title == "Another road"  # nothing was restored
    assert _check(example_store) == []
    backup.restore(example_store, newer.path)  # and when it completes, the newer head is the one
    assert _obligation(example_store, "P1-A.1").title == "Renamed again"
    assert _check(example_store) == []


@pytest.mark.sqlite_file("backups of a file (a server's are pg_dump's)")
def test_a_rehashed_trail_is_caught_by_a_backups_head_when_the_log_is_gone(example_store):
    with example_store.writing("Rename") as session:
        session.get(Obligation, _obligation(example_store, "P1-A.1").id).title = "Renamed"
    made = backup.take(example_store, backup.Reason.MANUAL)
    audit.head_log(example_store.path).unlink()  # the intruder removes the log too
    path = example_store.path
    example_store.close()
    _rehash(path, changed_id=5)
    store = Store.open(path, user="tester")
    problems = _check(store)
    store.close()
    assert problems == [
        f"The backup {made.path.name} records entry {made.head[0]:,} with hash {made.head[1][:12]}…, "
        f"and the trail's entry {made.head[0]:,} has another: the trail was rewritten."
    ]


@pytest.mark.parametrize(
    ("script", "tables"),
    [
        ("UPDATE obligation SET title = 'Nothing' WHERE ref = 'P1-A.1'", "obligation"),
        ("UPDATE actor SET name = 'Nobody' WHERE name = 'Taliban'; "
         "DELETE FROM eventactor WHERE event_id = (SELECT min(event_id) FROM eventactor)", "actor, eventactor"),
        # the digest itself rewritten: every row still equals its audit entry, only the digest tells
        ("UPDATE contentdigest SET row_count = row_count + 1 WHERE table_name = 'event'", "event"),
    ],
)  # fmt: skip
def test_the_check_compares_the_kept_content_digest_with_the_rows(example_store, script, tables):
    assert _check(example_store) == []
    store = _tamper(example_store, script)
    problems = _check(store)
    store.close()
    assert DIGEST_STALE.format(tables=tables) in problems
