"""Backups: consistent copies of the record, kept in rotation beside it, listed, and restored.

Every copy goes through SQLite's online backup API (a file copy of an open WAL database is not
consistent), reading from the store's own connection inside one read transaction, so the copy is the
last committed state whatever the window has under way. A backup is a plain Accord Desk database in
rollback-journal mode: one self-contained file an officer can open with `--db`.

Backups of `agreements.sqlite` live in `agreements-backups/` beside it, named
`agreements-2026-12-01T090312Z-import.sqlite` (UTC, and why it was made). `rotation` decides which
stay: a pure function of the times present and today.

Nothing here opens the database file by other means than SQLite while a Store holds it: any
open()/close() of it in this process would drop SQLite's POSIX locks (DESIGN.md, "Keeping the record
whole"). Whether the record changed since the newest backup is therefore asked of SQLite (the audit
trail's last id and length, compared with the same figures read from the backup), and sizes come from
stat().
"""

import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from db import audit, desk
from db.atomic_file import STALE_SECONDS, atomic_path
from db.backup_names import STAMP, Reason, backup_folder, backup_pattern
from db.clock import utc_now
from db.errors import DamagedDatabaseError, DatabaseError, StorageError, UserError
from db.phrasing import plural
from db.store import Store, _connect_read_only, _known_revisions, _quick_check, schema_head

Progress = Callable[[int, int], None]  # pages copied, pages in all
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
# Above this size an import is preceded by at most one copy a day: a full copy of 1 GB per import would
# cost more than most imports (tests/bench_backup.py). The import itself is one transaction either way.
LARGE_DATABASE = 256 * 1024 * 1024
STEP_PAGES = 4096  # 16 MB per step with 4 KB pages: progress without slowing the copy


@dataclass(frozen=True)
class Backup:
    """One backup as read from its file; counts are None when it cannot be read (`problem` says why)."""

    path: Path
    taken: datetime  # aware UTC
    reason: Reason | None  # None: a copy outside the rotation (`accord-desk backup -o`)
    size: int
    agreements: int | None = None
    events: int | None = None
    revision: str | None = None
    marker: tuple[int, int] | None = None  # the audit trail's last id and length: the record's state
    problem: str = ""
    head: tuple[int, str] | None = None  # the audit chain's head (db.audit): `check` compares against it


@dataclass(frozen=True)
class Restored:
    backup: Backup  # what the record now holds
    kept: Backup | None  # the copy of the record it replaced


# --- which backups stay ---------------------------------------------------------------------------------------


def rotation(taken: Iterable[datetime], today: date) -> set[datetime]:
    """The backups to keep: all of today's, and the newest of each of the last 7 days, 4 ISO weeks and 12
    months that have one.

    Periods are counted among those with a backup, not back from today, so a desk left unused for a
    year keeps what it had. Today's are all kept: they are the way back from today's imports and restores.
    """
    newest_first = sorted(set(taken), reverse=True)
    keep = {moment for moment in newest_first if moment.date() >= today}
    periods = (
        (lambda day: day, KEEP_DAILY),
        (lambda day: day.isocalendar()[:2], KEEP_WEEKLY),
        (lambda day: (day.year, day.month), KEEP_MONTHLY),
    )
    for period, count in periods:
        seen: set = set()
        for moment in newest_first:
            key = period(moment.date())
            if key not in seen:
                if len(seen) == count:
                    break
                seen.add(key)
                keep.add(moment)
    return keep


def _in_rotation(database: Path) -> list[tuple[datetime, Reason, Path]]:
    folder, pattern = backup_folder(database), backup_pattern(database)
    if not folder.is_dir():
        return []
    found = []
    for entry in os.scandir(folder):
        if (match := pattern.fullmatch(entry.name)) and entry.is_file():
            taken = datetime.strptime(match[1], STAMP).replace(tzinfo=UTC)
            found.append((taken, Reason(match[2]), Path(entry.path)))
    return sorted(found, key=lambda item: item[0], reverse=True)


def _rotate(database: Path, spare: Path | None = None) -> None:
    """Remove the backups the rotation does not keep, except `spare` (the one about to be restored), and
    what killed backups left (their temporary files, by their real age)."""
    present = _in_rotation(database)
    keep = rotation((taken for taken, _, _ in present), utc_now().date())
    for taken, _, path in present:
        if taken not in keep and path != spare:
            path.unlink(missing_ok=True)
    for entry in os.scandir(backup_folder(database)):
        with suppress(OSError):  # a leftover that cannot be removed now harms nothing
            if entry.name.endswith(".part") and time.time() - entry.stat().st_mtime > STALE_SECONDS:
                os.unlink(entry.path)


# --- reading a backup -----------------------------------------------------------------------------------------


def _marker(connection: sqlite3.Connection) -> tuple[int, int]:
    last, length = connection.execute("SELECT coalesce(max(id), 0), count(*) FROM auditentry").fetchone()
    return last, length


def _problem(path: Path, error: Exception) -> str:
    """Why the backup at `path` cannot be used, from what SQLite said reading it (no other open of it)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_NOTADB:
        return f"{path} is not an Accord Desk database (it is not an SQLite file); choose a backup file."
    if code == sqlite3.SQLITE_CORRUPT:
        return f"{path} is damaged (SQLite reports: {error}); choose another backup."
    if code == sqlite3.SQLITE_ERROR or isinstance(error, TypeError):  # no such table, or no version in it
        return f"{path} is an SQLite database but not an Accord Desk database; choose a backup file."
    return f"{path} cannot be read (SQLite reports: {error}); check its permissions."


def read_backup(path: Path, reason: Reason | None = None, taken: datetime | None = None) -> Backup:
    """What the backup at `path` holds, read without changing it (read-only; no -wal or -shm made)."""
    stat = path.stat()
    taken = taken or datetime.fromtimestamp(stat.st_mtime, UTC)
    try:
        connection = _connect_read_only(path)
    except sqlite3.Error as error:
        return Backup(path, taken, reason, stat.st_size, problem=_problem(path, error))
    try:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        (agreements,) = connection.execute("SELECT count(*) FROM agreement").fetchone()
        (events,) = connection.execute("SELECT count(*) FROM event").fetchone()
        marker = _marker(connection)
        head = audit.file_head(connection)
    except (sqlite3.Error, TypeError) as error:
        return Backup(path, taken, reason, stat.st_size, problem=_problem(path, error))
    finally:
        connection.close()
    return Backup(path, taken, reason, stat.st_size, agreements, events, revision, marker, head=head)


def list_backups(database: Path) -> list[Backup]:
    """The rotation's backups of `database`, newest first, each read from its file."""
    return [read_backup(path, reason, taken) for taken, reason, path in _in_rotation(database)]


def total_size(backups: Iterable[Backup]) -> int:
    return sum(backup.size for backup in backups)


def size_text(size: int) -> str:
    """A file size as an officer reads it: 440 KB, 1.3 MB, 1.02 GB."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{max(1, round(size / 1024))} KB"


def contents_text(backup: Backup) -> str:
    """What a backup holds, as the listing shows it: "1 agreement, 23 events" (or why it cannot be read)."""
    if backup.problem:
        return "cannot be read"
    return f"{plural(backup.agreements, 'agreement')}, {plural(backup.events, 'event')}"


def check_backup(path: Path) -> Backup:
    """The backup at `path` if it is a whole Accord Desk database this version can open; else DatabaseError."""
    if not path.is_file():
        raise DatabaseError(f"{path}: no such file; name a backup file ('accord-desk backups' lists them).")
    backup = read_backup(path)
    if backup.problem:
        raise DatabaseError(backup.problem)
    connection = _connect_read_only(path)
    try:
        check = connection.execute("PRAGMA quick_check(1)").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        check = str(error)
    finally:
        connection.close()
    if check != "ok":
        raise DamagedDatabaseError(f"{path} is damaged (SQLite reports: {check}); choose another backup.")
    if "obligation" not in tables:
        raise DatabaseError(
            f"{path} is an SQLite database but not an Accord Desk database; choose a backup file."
        )
    if backup.revision not in _known_revisions():
        raise DatabaseError(
            f"{path} was written by a newer version of Accord Desk (schema {backup.revision}); "
            "update Accord Desk to restore it."
        )
    return backup


def newest_good(database: Path, progress: Progress | None = None) -> Backup | None:
    """The newest backup of `database` that passes the check, for a record found damaged."""
    rotation = _in_rotation(database)
    for checked, (taken, reason, path) in enumerate(rotation):
        if progress is not None:
            progress(checked, len(rotation))
        try:
            check_backup(path)
        except DatabaseError:
            continue
        return read_backup(path, reason, taken)
    return None


# --- making backups -------------------------------------------------------------------------------------------


def _copy(source: sqlite3.Connection, target: Path, progress: Progress | None) -> None:
    """Copy the committed state `source` sees into a new file at `target` (replaced whole)."""
    with atomic_path(target) as temporary:
        destination = sqlite3.connect(temporary, isolation_level=None)
        try:
            # One read transaction for the whole copy: every step reads the same snapshot, and a
            # writer elsewhere neither restarts the copy nor slips half its change into it.
            source.execute("BEGIN")
            try:
                source.execute("SELECT 1 FROM sqlite_master LIMIT 1")
                source.backup(destination, pages=STEP_PAGES, progress=_told(progress))
            finally:
                source.execute("ROLLBACK")
            destination.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal to go with it
        except sqlite3.Error as error:
            raise DatabaseError(
                f"The backup to {target} failed ({error}); check the disk and the folder."
            ) from None
        finally:
            destination.close()


def _copy_store(store: Store, target: Path, progress: Progress | None) -> None:
    connection = store.engine.raw_connection()  # the store's own connection: no other open of the file
    try:
        _copy(connection.driver_connection, target, progress)
    finally:
        connection.close()


def _new_path(database: Path, reason: Reason) -> tuple[Path, datetime]:
    folder = backup_folder(database)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise DatabaseError(
            f"{folder} cannot be made ({error.strerror}); backups of {database.name} go there: "
            "free the name or the disk, or check the folder's permissions."
        ) from None
    taken = utc_now().replace(microsecond=0)
    present = _in_rotation(database)
    if present and present[0][0] >= taken:  # names are to the second, and each is later than the last
        taken = present[0][0] + timedelta(seconds=1)
    return folder / f"{database.stem}-{taken.strftime(STAMP)}-{reason.value}{database.suffix}", taken


def take(store: Store, reason: Reason, progress: Progress | None = None, spare: Path | None = None) -> Backup:
    """A new backup of the store's record in the rotation; older ones beyond the rotation are removed.

    The day's first is checked page by page (SQLite's quick_check, on the copy: the backup API copies
    pages as they are, damage included). Opening the record checks nothing (a second per GB), so this is
    where damage is found: the copy is removed, lest it push good ones out of the rotation, and
    DamagedDatabaseError says to restore."""
    _refuse_server(store)
    newest = _newest_taken(store.path)
    path, taken = _new_path(store.path, reason)
    _copy_store(store, path, progress)
    if newest is None or newest.date() < taken.date():
        connection = _connect_read_only(path)
        try:
            _quick_check(store.path, connection)
        except DatabaseError:
            path.unlink(missing_ok=True)
            raise
        finally:
            connection.close()
    _rotate(store.path, spare)
    return read_backup(path, reason, taken)


def check_pages(store: Store) -> None:
    """SQLite's quick_check of the record in place, on the store's own connection; DamagedDatabaseError."""
    connection = store.engine.raw_connection()
    try:
        _quick_check(store.path, connection.driver_connection)
    finally:
        connection.close()


def on_server(location) -> str:
    """Why Accord Desk makes no backup of a team database, and the command that does."""
    return (
        f"{location.name} is a team database on a PostgreSQL server, whose backups are pg_dump's business: run "
        f"pg_dump -Fc -f {location.database}.dump '{location.remembered}' (and pg_restore to bring one back)."
    )


def _refuse_server(store: Store) -> None:
    if store.server is not None:
        raise StorageError(on_server(store.server))


def on_opening(store: Store) -> Backup | None:
    """What the window does once it is open, off the UI thread: the day's backup, checked; when the day
    has one already, a check of the record's pages in place. DamagedDatabaseError if either finds damage.
    Nothing on a server (its administrator's pg_dump and checks)."""
    if store.server is not None:
        return None
    made = back_up(store, Reason.OPENED)
    if made is None:
        check_pages(store)
    return made


def take_of_file(database: Path, reason: Reason) -> Backup:
    """A backup of a database no Store holds yet (before a schema upgrade)."""
    path, taken = _new_path(database, reason)
    source = sqlite3.connect(database, isolation_level=None)
    try:
        _copy(source, path, None)
    finally:
        source.close()
    _rotate(database)
    return read_backup(path, reason, taken)


def copy_to(store: Store, target: Path, progress: Progress | None = None) -> Backup:
    """A backup to a file the officer names, outside the rotation."""
    _refuse_server(store)
    if target.exists() and target.resolve() == store.path.resolve():
        raise DatabaseError(f"{target} is the database itself; name another file for the backup.")
    _copy_store(store, target, progress)
    return read_backup(target)


def _current_marker(store: Store) -> tuple[int, int]:
    connection = store.engine.raw_connection()
    try:
        return _marker(connection.driver_connection)
    finally:
        connection.close()


def _size(database: Path) -> int:
    wal = Path(f"{database}-wal")
    return database.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _newest_taken(database: Path) -> datetime | None:
    present = _in_rotation(database)
    return present[0][0] if present else None


def _newest(database: Path) -> Backup | None:
    present = _in_rotation(database)
    return read_backup(present[0][2], present[0][1], present[0][0]) if present else None


def back_up(
    store: Store, reason: Reason, progress: Progress | None = None, spare: Path | None = None
) -> Backup | None:
    """A backup for `reason` unless the newest one already serves; None when none was needed.

    None when the record is unchanged since the newest backup (that backup is the same record), except
    by hand. On opening, at most one a day. Before an import of a large database, at most one a day (a
    full copy per import would cost more than the import).
    """
    if store.server is not None:
        return None  # the server's administrator backs it up (on_server)
    newest = _newest(store.path)
    if newest is not None and reason is not Reason.MANUAL:
        today = newest.taken.date() >= utc_now().date()
        if reason is Reason.OPENED and today:
            return None
        if newest.marker == _current_marker(store):
            return None
        if reason is Reason.IMPORT and today and _size(store.path) >= LARGE_DATABASE:
            return None
    return take(store, reason, progress, spare)


# --- restoring ------------------------------------------------------------------------------------------------


def _refuse_the_database_itself(path: Path, database: Path) -> None:
    if database.exists() and path.exists() and os.path.samefile(path, database):
        raise DatabaseError(f"{path} is the database itself; choose one of its backups.")


def restore(store: Store, path: Path, progress: Progress | None = None) -> Restored:
    """Replace the store's record with the backup at `path`, after a backup of the record as it is.

    The backup's pages are written through SQLite's backup API into the store's own connection, in one
    transaction: the open database's WAL takes them like any write, so no old -wal is ever replayed
    over the restored record. An older schema is then upgraded.
    """
    _refuse_server(store)
    if store.read_only is not None:
        raise StorageError(f"{store.read_only} Nothing was restored.")
    _refuse_the_database_itself(path, store.path)
    chosen = check_backup(path)
    # unchanged since the newest backup (None), that one is the copy of it
    kept = back_up(store, Reason.RESTORE, _half(progress, 0), spare=path) or _newest(store.path)
    destination = store.engine.raw_connection()
    try:
        # While the pages move, a kill leaves the record as it was or as restored: the head log, read by
        # the check, allows either head until the restore has completed, then only the backup's.
        audit.note_head(store.path, chosen.head, or_else=audit.file_head(destination.driver_connection))
        source = _connect_read_only(path)
        try:
            source.backup(destination.driver_connection, pages=STEP_PAGES, progress=_told(_half(progress, 1)))
            # The whole record went through the WAL: move it into the file now and let the WAL go back to
            # nothing, rather than leave a -wal as large as the database until it closes.
            if chosen.revision == schema_head():  # else the upgrade makes the desk's tables, and claims an id
                # The desk's history went back to the backup's: changes made after it are not this desk's
                # any more (another desk may hold them), so its next changes go under a new id.
                destination.driver_connection.execute(desk.RENEW, desk.new_identity(desk.file_identity(store.path), "the record was restored from a backup"))
            destination.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            audit.note_head(store.path, chosen.head)
        except sqlite3.Error as error:
            raise DatabaseError(
                f"{store.path} could not be restored from {path} ({error}); the record is as it was."
            ) from None
        finally:
            source.close()
    finally:
        destination.close()
    if chosen.revision != schema_head():
        store._migrate()
        desk.renew(store, "the record was restored from a backup")
    return Restored(chosen, kept)


def _half(progress: Progress | None, which: int) -> Progress | None:
    """A restore is two copies (the record as it is, then the backup into it): each moves half the bar."""
    if progress is None:
        return None
    return lambda done, total: progress(which * total + done, 2 * total)


def _told(progress: Progress | None):
    def told(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    return told


def set_aside(database: Path) -> Path:
    """Move a damaged database with its -wal, -shm and -journal to a new name beside it, untouched."""
    stamp = utc_now().strftime(STAMP)
    aside = database.with_name(f"{database.stem}.damaged-{stamp}{database.suffix}")
    try:
        os.rename(database, aside)
        for suffix in ("-wal", "-shm", "-journal"):
            companion = Path(f"{database}{suffix}")
            if companion.exists():
                os.rename(companion, f"{aside}{suffix}")
    except OSError as error:
        raise UserError(
            f"{database} cannot be moved aside ({error.strerror}); check the folder's permissions."
        ) from None
    return aside


def restore_file(path: Path, database: Path, progress: Progress | None = None) -> Backup:
    """Write the backup at `path` as a new database file at `database`, where no database is now."""
    chosen = check_backup(path)
    if any(Path(f"{database}{suffix}").exists() for suffix in ("", "-wal", "-shm", "-journal")):
        raise DatabaseError(f"{database} is in the way of the restore; move it aside first.")
    audit.note_head(database, chosen.head)
    source = _connect_read_only(path)
    try:
        _copy(source, database, progress)
    finally:
        source.close()
    return chosen
