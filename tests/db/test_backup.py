"""Backups (db/backup.py): consistent copies through SQLite's backup API, their rotation, listing and restore."""

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from db import backup
from db.backup import Reason
from db.errors import DamagedDatabaseError, DatabaseError, StorageError
from db.event_import import import_events
from db.models import Event
from db.store import Access, Store, inspect_file, schema_head
from tests.database_files import damage, database_at_0001, event_rows, rows, sha256

pytestmark = pytest.mark.sqlite_file("backups of a database file (a server's are pg_dump's: tests/db/test_server.py)")

DATA = Path(__file__).parent.parent / "data"
ACLED, ACLED_NEWER = DATA / "acled_afghanistan.csv", DATA / "acled_afghanistan_newer.csv"


def _add_event(store: Store, notes: str) -> None:
    with store.writing("Add event") as session:
        session.add(
            Event(occurred_on=date(2020, 3, 3), event_type="Battles", notes=notes, recorded_by="tester")
        )


# --- rotation: a pure function of the dates present and today ---------------------------------------------


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _daily(first: str, days: int, hour: int = 9) -> list[datetime]:
    start = _at(first) + timedelta(hours=hour)
    return [start + timedelta(days=n) for n in range(days)]


ROTATION_CASES = {
    # name: (backups present, today, the ones kept)
    "nothing": ([], date(2026, 12, 1), []),
    "one": ([_at("2026-11-30T09:00")], date(2026, 12, 1), [_at("2026-11-30T09:00")]),
    "all of today's are kept": (
        [_at("2026-12-01T08:00"), _at("2026-12-01T09:00"), _at("2026-12-01T10:00")],
        date(2026, 12, 1),
        [_at("2026-12-01T08:00"), _at("2026-12-01T09:00"), _at("2026-12-01T10:00")],
    ),
    "the newest of an earlier day only": (
        [_at("2026-11-30T08:00"), _at("2026-11-30T17:00")],
        date(2026, 12, 1),
        [_at("2026-11-30T17:00")],
    ),
    # 2026-11-01 (a Sunday) to 2026-11-30 (a Monday): the last 7 days, the newest of the 4 latest ISO weeks
    # (30 Nov, 29 Nov, 22 Nov, 15 Nov) and of November (30 Nov)
    "thirty days": (
        _daily("2026-11-01", 30),
        date(2026, 12, 1),
        [*_daily("2026-11-24", 7), _at("2026-11-22T09:00"), _at("2026-11-15T09:00")],
    ),
    # one backup on the 1st of each month for two years: the 12 newest months
    "two years, monthly": (
        [_at(f"{year}-{month:02}-01T09:00") for year in (2025, 2026) for month in range(1, 13)],
        date(2026, 12, 15),
        [_at(f"2026-{month:02}-01T09:00") for month in range(1, 13)],
    ),
    # a desk left alone for a year keeps what it had: nothing is dropped for being old alone
    "long unused": (
        [_at("2025-01-05T09:00"), _at("2025-01-06T09:00")],
        date(2026, 12, 1),
        [_at("2025-01-05T09:00"), _at("2025-01-06T09:00")],
    ),
    "a clock set back: the future counts as today": (
        [_at("2026-12-03T09:00"), _at("2026-12-03T10:00")],
        date(2026, 12, 1),
        [_at("2026-12-03T09:00"), _at("2026-12-03T10:00")],
    ),
}


@pytest.mark.parametrize("case", ROTATION_CASES)
def test_rotation_keeps_the_last_days_weeks_and_months(case):
    present, today, kept = ROTATION_CASES[case]
    assert backup.rotation(present, today) == set(kept)


def test_rotation_removes_the_files_it_does_not_keep_and_nothing_else(example_store, monkeypatch):
    folder = backup.backup_folder(example_store.path)
    moments = _daily("2026-11-01", 30)
    for moment in moments:
        monkeypatch.setattr(backup, "utc_now", lambda moment=moment: moment)
        backup.take(example_store, Reason.MANUAL)
    officer_notes = folder / "notes.txt"
    officer_notes.write_text("my own file")
    monkeypatch.setattr(backup, "utc_now", lambda: _at("2026-12-01T09:00"))
    backup.take(example_store, Reason.MANUAL)
    listed = [b.taken for b in backup.list_backups(example_store.path)]
    assert listed == sorted(
        backup.rotation([*moments, _at("2026-12-01T09:00")], date(2026, 12, 1)), reverse=True
    )
    assert len(listed) == 9 and officer_notes.read_text() == "my own file"


# --- taking a backup ----------------------------------------------------------------------------------------


def test_a_backup_is_a_plain_database_beside_the_record_that_opens(example_store):
    made = backup.take(example_store, Reason.MANUAL)
    assert made.path.parent == example_store.path.with_name("example-backups")
    assert made.path.name.startswith("example-") and made.path.name.endswith("-manual.sqlite")
    assert inspect_file(made.path) == inspect_file(example_store.path)
    assert event_rows(made.path) == event_rows(example_store.path)
    assert (made.agreements, made.events) == (1, 23)
    assert made.size == made.path.stat().st_size
    assert rows(made.path, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]
    copy = Store.open(made.path, access=Access.READ)  # opens with --db as any database (to read)
    copy.close()


def test_a_backup_taken_while_a_write_is_under_way_holds_the_committed_record(example_store):
    """The window's store with an uncommitted transaction and a WAL full of committed pages: the copy is consistent."""
    _add_event(example_store, "committed, in the WAL")
    assert Path(f"{example_store.path}-wal").stat().st_size > 0
    with example_store.writing("Add event") as session:
        session.add(Event(occurred_on=date(2020, 3, 4), event_type="Battles", notes="not yet committed",
                          origin="typed", recorded_by="tester"))  # fmt: skip
        session.flush()
        made = backup.take(example_store, Reason.MANUAL)
    notes = [row[0] for row in rows(made.path, "SELECT notes FROM event")]
    assert "committed, in the WAL" in notes and "not yet committed" not in notes
    assert rows(made.path, "PRAGMA integrity_check") == [("ok",)]
    assert len(notes) == 24


def test_a_backup_does_not_open_the_database_file_by_other_means(example_store, monkeypatch):
    """Any open()/close() of the database file in this process would drop SQLite's POSIX locks (DESIGN.md)."""
    import builtins
    import os

    opened = []
    real_open, real_os_open = builtins.open, os.open

    def watch(file, *args, **kwargs):
        if str(file).startswith(str(example_store.path)):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def watch_os(file, *args, **kwargs):
        if str(file).startswith(str(example_store.path)):
            opened.append(str(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watch)
    monkeypatch.setattr(os, "open", watch_os)
    backup.take(example_store, Reason.MANUAL)
    _add_event(example_store, "a change")
    assert backup.back_up(example_store, Reason.IMPORT) is not None
    assert opened == []


def test_a_backup_reports_its_progress(example_store):
    seen = []
    backup.take(example_store, Reason.MANUAL, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0


def test_a_backup_into_a_folder_that_cannot_be_made_says_so_in_one_sentence(example_store):
    backup.backup_folder(example_store.path).write_text("a file where the folder should be")
    with pytest.raises(DatabaseError, match=r"example-backups cannot be made .*; "):
        backup.take(example_store, Reason.MANUAL)


def test_copy_to_writes_a_named_file_outside_the_rotation(example_store, tmp_path):
    target = tmp_path / "elsewhere" / "copy.sqlite"
    target.parent.mkdir()
    made = backup.copy_to(example_store, target)
    assert made.path == target and event_rows(target) == event_rows(example_store.path)
    with pytest.raises(DatabaseError, match="is the database itself"):
        backup.copy_to(example_store, example_store.path)
    assert backup.list_backups(example_store.path) == []


# --- when backups are made automatically, and what they cost ----------------------------------------------


def test_the_daily_backup_is_made_once_a_day(example_store, monkeypatch):
    monkeypatch.setattr(backup, "utc_now", lambda: _at("2026-12-01T09:00"))
    first = backup.back_up(example_store, Reason.OPENED)
    assert first is not None and first.reason is Reason.OPENED
    _add_event(example_store, "a change the same day")
    monkeypatch.setattr(backup, "utc_now", lambda: _at("2026-12-01T15:00"))
    assert backup.back_up(example_store, Reason.OPENED) is None
    monkeypatch.setattr(backup, "utc_now", lambda: _at("2026-12-02T08:00"))
    assert backup.back_up(example_store, Reason.OPENED) is not None
    monkeypatch.setattr(backup, "utc_now", lambda: _at("2026-12-05T08:00"))
    assert backup.back_up(example_store, Reason.OPENED) is None  # unchanged since: a copy would add nothing
    assert len(backup.list_backups(example_store.path)) == 2


def test_an_import_is_preceded_by_a_backup_unless_nothing_changed_since_the_newest(example_store):
    import_events(example_store, ACLED, dry_run=True)
    assert backup.list_backups(example_store.path) == []  # a dry run writes nothing, so needs no copy
    import_events(example_store, ACLED)
    first = backup.list_backups(example_store.path)
    assert [(b.reason, b.events) for b in first] == [(Reason.IMPORT, 23)]  # the record before the import
    import_events(example_store, ACLED_NEWER)  # the first import changed the record since that copy
    assert [b.events for b in backup.list_backups(example_store.path)] == [30, 23]
    backup.take(example_store, Reason.MANUAL)
    import_events(example_store, ACLED_NEWER)  # nothing changed since that copy: no other is made
    assert [b.reason for b in backup.list_backups(example_store.path)] == [
        Reason.MANUAL,
        Reason.IMPORT,
        Reason.IMPORT,
    ]


def test_a_large_database_gets_at_most_one_import_copy_a_day(example_store, monkeypatch):
    monkeypatch.setattr(backup, "LARGE_DATABASE", 1)  # every database is large
    monkeypatch.setattr(backup, "utc_now", lambda: _at("2026-12-01T09:00"))
    assert backup.back_up(example_store, Reason.IMPORT) is not None
    _add_event(example_store, "imported")
    monkeypatch.setattr(backup, "utc_now", lambda: _at("2026-12-01T10:00"))
    assert backup.back_up(example_store, Reason.IMPORT) is None
    assert backup.back_up(example_store, Reason.RESTORE) is not None  # a restore replaces the record: always
    _add_event(example_store, "imported the next day")
    monkeypatch.setattr(backup, "utc_now", lambda: _at("2026-12-02T09:00"))
    assert backup.back_up(example_store, Reason.IMPORT) is not None


def test_an_unreadable_newest_backup_does_not_stand_for_the_record(example_store):
    made = backup.take(example_store, Reason.MANUAL)
    made.path.write_bytes(b"damaged " * 1000)
    assert backup.back_up(example_store, Reason.IMPORT) is not None


def test_a_schema_upgrade_is_preceded_by_a_backup_even_with_junk_at_the_old_backup_path(tmp_path):
    path = database_at_0001(tmp_path / "old.sqlite")
    junk = tmp_path / f"old.sqlite.before-{schema_head()}.bak"
    junk.write_text("not a database")
    store = Store.open(path)
    store.close()
    [made] = backup.list_backups(path)
    assert made.reason is Reason.UPGRADE and made.revision == "0001_record" and made.events == 1
    assert inspect_file(path) == schema_head() and junk.read_text() == "not a database"


# --- the listing ---------------------------------------------------------------------------------------------


def test_the_listing_reads_each_backup_without_changing_it(example_store):
    older = backup.take(example_store, Reason.MANUAL)
    _add_event(example_store, "one more")
    newer = backup.take(example_store, Reason.MANUAL)
    digests = {p: sha256(p) for p in (older.path, newer.path)}
    listed = backup.list_backups(example_store.path)
    assert [(b.path, b.agreements, b.events) for b in listed] == [(newer.path, 1, 24), (older.path, 1, 23)]
    assert listed[0].taken > listed[1].taken
    assert backup.total_size(listed) == older.path.stat().st_size + newer.path.stat().st_size
    assert {p: sha256(p) for p in digests} == digests
    assert sorted(p.name for p in older.path.parent.iterdir()) == sorted(p.name for p in digests)


def test_a_damaged_backup_is_listed_as_such(example_store):
    made = backup.take(example_store, Reason.MANUAL)
    made.path.write_bytes(b"x" * 4096)
    [listed] = backup.list_backups(example_store.path)
    assert listed.events is None and "not an SQLite file" in listed.problem


# --- restore --------------------------------------------------------------------------------------------------


def test_restore_brings_back_the_exact_rows_and_keeps_the_record_it_replaced(example_store):
    made = backup.take(example_store, Reason.MANUAL)
    before = event_rows(example_store.path)
    _add_event(example_store, "added after the backup")
    replaced = event_rows(example_store.path)
    restored = backup.restore(example_store, made.path)
    assert event_rows(example_store.path) == before
    with example_store.reading() as session:  # the open store reads the restored record
        assert len(session.exec(select(Event)).all()) == 23
    assert restored.kept is not None and event_rows(restored.kept.path) == replaced
    assert restored.kept.reason is Reason.RESTORE
    assert rows(example_store.path, "PRAGMA integrity_check") == [("ok",)]
    assert Path(f"{example_store.path}-wal").stat().st_size == 0  # the restored pages are in the file itself


def test_a_restore_reports_progress_through_its_backup_of_the_record_and_its_copy(example_store, monkeypatch):
    """Issue 9 (left last time): the bar stood at 0 while the record it replaces was backed up."""
    made = backup.take(example_store, Reason.MANUAL)
    _add_event(example_store, "added after the backup")  # so the record is backed up before the restore
    monkeypatch.setattr(backup, "STEP_PAGES", 1)
    fractions = []
    restored = backup.restore(example_store, made.path, progress=lambda done, total: fractions.append(done / total))
    assert restored.kept is not None
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    # the first half of the bar is the backup of the record, a step per page; the second, the restore's copy
    pages = restored.kept.size // rows(made.path, "PRAGMA page_size")[0][0]
    assert len([f for f in fractions if f <= 0.5]) >= pages


def test_an_old_wal_is_never_replayed_into_the_restored_file(example_store):
    made = backup.take(example_store, Reason.MANUAL)
    for n in range(20):
        _add_event(example_store, f"in the WAL {n}")
    backup.restore(example_store, made.path)
    example_store.close()
    reopened = Store.open(example_store.path)
    reopened.close()
    assert len(event_rows(example_store.path)) == 23


def test_restore_of_an_older_schema_upgrades_it(example_store, tmp_path):
    old = database_at_0001(tmp_path / "old.sqlite")
    backup.restore(example_store, old)
    assert inspect_file(example_store.path) == schema_head()
    assert event_rows(example_store.path) == [("e1", "Battles", None)]
    with example_store.reading() as session:
        assert [event.id for event in session.exec(select(Event))] == ["e1"]


def _bad_backups(tmp_path, example_path):
    text = tmp_path / "notes.sqlite"
    text.write_text("shopping list\n")
    foreign = tmp_path / "foreign.sqlite"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(example_path.read_bytes())
    damage(damaged)
    newer = tmp_path / "newer.sqlite"
    newer.write_bytes(example_path.read_bytes())
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.commit()
    connection.close()
    return {
        "missing": (tmp_path / "none.sqlite", "no such file"),
        "text": (text, "not an Accord Desk database"),
        "foreign": (foreign, "not an Accord Desk database"),
        "damaged": (damaged, "is damaged"),
        "newer": (newer, "newer version of Accord Desk"),
        "the database itself": (example_path, "is the database itself"),
    }


@pytest.mark.parametrize("kind", ["missing", "text", "foreign", "damaged", "newer", "the database itself"])
def test_restore_refuses_a_file_that_is_not_a_good_backup_and_changes_nothing(example_store, tmp_path, kind):
    template = tmp_path / "template.sqlite"
    backup.copy_to(example_store, template)
    path, message = _bad_backups(tmp_path, template)[kind]
    if kind == "the database itself":
        path = example_store.path
    before = event_rows(example_store.path)
    with pytest.raises(DatabaseError, match=message) as refused:
        backup.restore(example_store, path)
    assert "\n" not in str(refused.value)
    assert event_rows(example_store.path) == before
    assert backup.list_backups(example_store.path) == []  # refused before anything was copied


# --- a damaged database -----------------------------------------------------------------------------------


def test_inspect_file_calls_real_damage_damaged(example_store):
    example_store.close()
    damage(example_store.path)
    with pytest.raises(DamagedDatabaseError, match="is damaged"):
        inspect_file(example_store.path)


def test_a_damaged_database_is_set_aside_whole_with_its_wal_and_shm(tmp_path):
    path = tmp_path / "record.sqlite"
    files = {path: b"damaged main file", Path(f"{path}-wal"): b"its wal", Path(f"{path}-shm"): b"its shm"}
    for file, content in files.items():
        file.write_bytes(content)
    aside = backup.set_aside(path)
    assert aside.parent == tmp_path and aside.name.startswith("record.damaged-") and aside.suffix == ".sqlite"
    assert aside.read_bytes() == b"damaged main file"
    assert Path(f"{aside}-wal").read_bytes() == b"its wal" and Path(f"{aside}-shm").read_bytes() == b"its shm"
    assert not any(file.exists() for file in files)


def test_the_newest_good_backup_skips_damaged_ones_and_restores_into_a_new_file(example_store):
    good = backup.take(example_store, Reason.MANUAL)
    _add_event(example_store, "after the good backup")
    damaged = backup.take(example_store, Reason.MANUAL)
    damage(damaged.path)
    assert backup.newest_good(example_store.path).path == good.path
    example_store.close()
    damage(example_store.path)
    damaged_bytes = sha256(example_store.path)
    aside = backup.set_aside(example_store.path)
    backup.restore_file(good.path, example_store.path)
    assert sha256(aside) == damaged_bytes
    assert event_rows(example_store.path) == event_rows(good.path)
    Store.open(example_store.path).close()


def test_no_good_backup_is_none(example_store):
    assert backup.newest_good(example_store.path) is None


def test_a_store_open_read_only_is_not_restored(example_store):
    made = backup.take(example_store, Reason.MANUAL)
    _add_event(example_store, "after the backup")
    example_store.close()
    reader = Store.open(example_store.path, access=Access.READ)
    try:
        with pytest.raises(StorageError, match="is open read-only. Nothing was restored."):
            backup.restore(reader, made.path)
    finally:
        reader.close()
    assert len(event_rows(example_store.path)) == 24 and len(backup.list_backups(example_store.path)) == 1


def test_what_a_killed_backup_left_is_removed_once_stale(example_store):
    import os
    import time

    folder = backup.backup_folder(example_store.path)
    folder.mkdir()
    stale, fresh = folder / ".example-old.sqlite.abc.part", folder / ".example-now.sqlite.def.part"
    for leftover in (stale, fresh):
        leftover.write_bytes(b"half a copy")
    os.utime(stale, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    backup.take(example_store, Reason.MANUAL)
    assert not stale.exists() and fresh.exists()  # the fresh one may be another process's copy under way


# --- a backup is kept as it was taken ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "database"),
    [
        ("/d/record-backups/record-2026-12-01T090312Z-import.sqlite", "/d/record.sqlite"),
        ("/d/record-backups/record-2026-12-01T090312Z-daily.sqlite", "/d/record.sqlite"),
        ("/d/my record-backups/my record-2026-01-31T235959Z-manual.db", "/d/my record.db"),
        ("/d/record-backups/record-2026-12-01T090312Z-import-copy.sqlite", None),  # renamed by the officer
        ("/d/record-backups/other-2026-12-01T090312Z-import.sqlite", None),  # another record's name
        ("/d/record-2026-12-01T090312Z-import.sqlite", None),  # moved out of the folder
        ("/d/record-backups/notes.sqlite", None),
        ("/d/record.sqlite", None),
    ],
)
def test_a_backup_in_the_rotation_is_told_by_its_folder_and_name(path, database):
    from db.backup_names import backup_of

    assert backup_of(Path(path)) == (Path(database) if database else None)


def test_a_backup_opens_read_only_and_stays_as_it_was_taken(example_store):
    made = backup.take(example_store, Reason.MANUAL)
    example_store.close()
    digest = sha256(made.path)
    with pytest.raises(StorageError) as refused:
        Store.open(made.path)
    assert str(refused.value) == (
        f"{made.path} is a backup of {example_store.path.name}, kept as it was taken; restore it "
        f"(accord-desk restore {made.path.name} --db {example_store.path}) or copy it to work on it."
    )
    seen = Store.open(made.path, access=Access.BEST)
    try:
        assert seen.read_only == (
            f"{made.path.name} is a backup of {example_store.path.name}, so it is open read-only; "
            f"open {example_store.path.name} and use File ▸ Restore from backup… to bring it back."
        )
        assert len(event_rows(made.path)) == 23
    finally:
        seen.close()
    assert sha256(made.path) == digest
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]  # no backups of the backup
