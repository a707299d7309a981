"""Opening, creating and upgrading the database, and the transactions every action runs in.

A database is a file (SQLite) or a database on a PostgreSQL server (db/location.py, db/server.py).
One user action is one transaction that starts with BEGIN IMMEDIATE (`Store.writing`; on a server, the
database's writer lock), so two desks never interleave half-done actions. Reads run in short deferred
transactions (on a server, one snapshot each).
"""

import errno
import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from db import audit, content, desk, server, team_server
from db.backup_names import backup_of
from db.clock import current_user
from db.errors import DamagedDatabaseError, DatabaseError, DatabaseInUseError, StaleRecordError, StorageError
from db.location import Location, Server, parse_location
from db.writer_lock import WriterLock, left_behind

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")
_BEGIN = "accord_desk_begin"
# Every connection's settings. 32 MB of page cache (default 2 MB): an import of 100,000 events
# otherwise spilled pages to the WAL in the middle of its transaction.
PRAGMAS = (
    "foreign_keys=ON",
    "journal_mode=WAL",
    "synchronous=FULL",
    "busy_timeout=5000",
    "cache_size=-32768",
)
READ_PRAGMAS = ("query_only=ON", "busy_timeout=5000", "cache_size=-32768")


def default_database_path() -> Path:
    """The database in the user's data folder (where QStandardPaths.AppDataLocation points too)."""
    from platformdirs import user_data_path

    return user_data_path("accord-desk", appauthor=False) / "accord-desk.sqlite"


# The newest migration's revision. Opening a database of this revision needs nothing of Alembic, whose
# import (Mako, Pygments, every SQLAlchemy dialect) was 40% of the window's start-up; it is imported only
# when a migration is due. tests/db/test_store.py fails when a new migration does not update this.
SCHEMA_HEAD = "0014_server_receive"


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_head() -> str:
    return SCHEMA_HEAD


@cache
def _known_revisions() -> frozenset[str]:
    """Every revision of the migrations (reads them through Alembic: only for a file not at the head)."""
    from alembic.script import ScriptDirectory

    return frozenset(
        script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    )


def _make_engine(path: Path, read_only: bool = False) -> Engine:
    if read_only:
        engine = create_engine("sqlite://", creator=lambda: _connect_read_only(path), poolclass=QueuePool)
    else:
        engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from pysqlite, which issues no BEGIN before DDL or SELECT.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in READ_PRAGMAS if read_only else PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.info.get(_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'READ' else mode}")

    return engine


def _storage_error(path: Path, error: sqlite3.Error) -> DatabaseError | None:
    """What SQLite's refusal means for the officer, in one sentence; None for errors of the record's rules."""
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        return DamagedDatabaseError(
            f"{path} is damaged (SQLite reports: {error}); restore it from a backup "
            "(accord-desk backups lists them)."
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StorageError(
            f"{path} is locked by another program; nothing was saved. Close that program, or try again in a moment."
        )
    if name == "SQLITE_FULL" or "disk is full" in str(error) or "database or disk is full" in str(error):
        return StorageError(
            f"The disk holding {path} is full; nothing was saved. Free some space and try again."
        )
    if name.startswith("SQLITE_READONLY"):
        return StorageError(
            f"{path} cannot be written (SQLite reports: {error}); nothing was saved. "
            "Make the file and its folder writable, or copy it to a folder you can write to."
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return StorageError(
            f"{path} cannot be opened ({error}); check the permissions of the file and its folder."
        )
    if name.startswith("SQLITE_IOERR"):
        return StorageError(
            f"{path} could not be read or written (disk error: {error}); check the disk, then try again."
        )
    return None


def _opening_error(path: Path, error: sqlite3.Error) -> DatabaseError:
    return _storage_error(path, error) or DatabaseError(f"{path} cannot be opened (SQLite reports: {error}).")


@contextmanager
def refusals_explained(location: Location) -> Iterator[None]:
    """The database's refusals (locked, full, read-only, damaged; on a server also unreachable, login
    refused, no rights, a clash with another writer) as one sentence; other errors unchanged."""
    if isinstance(location, Server):
        with server.refusals_explained(location):
            yield
        return
    path = location
    try:
        yield
    except (OperationalError, SADatabaseError) as error:
        translated = _storage_error(path, error.orig) if isinstance(error.orig, sqlite3.Error) else None
        if translated is None:
            raise
        raise translated from None
    except sqlite3.OperationalError as error:
        translated = _storage_error(path, error)
        if translated is None:
            raise
        raise translated from None


# The files this process holds an Store on, by (device, inode): Python's open() of one of them would
# silently drop the process's SQLite locks on it (DESIGN.md, "Keeping the record whole").
_OPEN_HERE: Counter[tuple[int, int]] = Counter()


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DatabaseError(
            f"{path}: no such file; check the path, or create a database with 'accord-desk init {path}'."
        )
    if not path.is_file():
        raise DatabaseError(f"{path} is a folder, not a database file; name the database file itself.")
    if _OPEN_HERE[_identity(path)]:
        return  # already open here, so an SQLite file; reading its header would unlock it
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseError(f"{path} cannot be read ({error.strerror}); check its permissions.") from None
    if not header.startswith(SQLITE_HEADER):
        raise DatabaseError(
            f"{path} is not an Accord Desk database (it is not an SQLite file); choose the database file."
        )


def _revision(path: Path, connection: sqlite3.Connection) -> str:
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables or "obligation" not in tables:
            raise DatabaseError(
                f"{path} is an SQLite database but not an Accord Desk database; choose the database file."
            )
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        raise _opening_error(path, error) from None
    if row is None:
        raise DatabaseError(f"{path} has no schema version; it was not made by Accord Desk.")
    return row[0]


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write, so closing it never checkpoints or deletes a writer's WAL."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if shm.exists() or (wal.exists() and wal.stat().st_size):
        return connection
    try:
        connection.execute("PRAGMA schema_version").fetchone()
        return connection
    except sqlite3.Error as error:
        if not getattr(error, "sqlite_errorname", "").startswith(
            ("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY")
        ):
            connection.close()
            raise
    # Everything is in the main file (no WAL, no writer: a writer makes the -shm), but SQLite cannot
    # make the -shm it reads a WAL database with (a read-only folder or disk, a full disk).
    connection.close()
    return sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False)


@contextmanager
def _no_traces_if_refused(path: Path) -> Iterator[None]:
    """A refused file is left as it was found: without the empty -wal and -shm a look at it made."""
    made = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm") if not Path(f"{path}{suffix}").exists()]
    try:
        yield
    except DatabaseError:
        for trace in made:
            if trace.exists() and (trace.name.endswith("-shm") or trace.stat().st_size == 0):
                trace.unlink(missing_ok=True)
        raise


@contextmanager
def _looking_at(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection for a look at the file; a refusal leaves no trace of the look."""
    with _no_traces_if_refused(path):
        try:
            connection = _connect_read_only(path)
        except sqlite3.Error as error:
            raise _opening_error(path, error) from None
        try:
            yield connection
        finally:
            connection.close()


def inspect_file(path: Path) -> str:
    """The schema revision of an Accord Desk database file, read without changing the file.

    Raises DatabaseError saying what is wrong with the file otherwise.
    """
    _check_file(path)
    with _looking_at(path) as connection:
        return _revision(path, connection)


def _quick_check(path: Path, connection: sqlite3.Connection) -> None:
    try:
        problems = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as error:
        raise _opening_error(path, error) from None
    if problems != [("ok",)]:
        first = " ".join(problems[0][0].replace("*** in database main ***", "").split())  # one line
        found = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
        raise DamagedDatabaseError(
            f"{path} is damaged (SQLite reports {found}, the first: {first}); "
            "restore it from a backup (accord-desk backups lists them)."
        )


def _read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _unwritable(path: Path) -> str | None:
    """Why this process cannot write the file, as the end of a sentence; None if it can."""
    if _read_only_disk(path.parent):
        return "it is on a read-only disk; copy it to a disk you can write to"
    if not os.access(path, os.W_OK):
        return "the file is read-only; make it writable, or copy it to a folder you can write to"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return "its folder is read-only; move it to a folder you can write to"
    return None


class Access(StrEnum):
    WRITE = "write"  # the one writer, or DatabaseInUseError / StorageError
    READ = "read"  # read-only beside any writer; never takes its WAL away
    BEST = "best"  # write if this process can, else read-only saying why (the window)


class Store:
    """An open Accord Desk database; `read_only` says why it cannot be changed, or is None."""

    def __init__(
        self, location: Location, engine: Engine, user: str | None = None, *,
        lock: WriterLock | None = None, read_only: str | None = None,
    ):  # fmt: skip
        self.location = location
        self.server = location if isinstance(location, Server) else None
        self.path = None if self.server else location  # the file; None on a server
        self.engine = engine
        self.user = user or current_user()
        self.read_only = read_only
        # On a team database, the agreements this officer may change (the server refuses the others'
        # rows); None: every one. Read on opening and again by `read_rights`.
        self.editable: frozenset[str] | None = None
        self.level = ""  # on a team database, the role's standing there (db.team_server.Standing.level)
        self._lock = lock
        self._identity = None if self.path is None else _identity(self.path)
        if self._identity is not None:
            _OPEN_HERE[self._identity] += 1

    @property
    def name(self) -> str:
        """How a title bar names the database: the file's name, or "NAME on HOST"."""
        return self.server.name if self.server else self.path.name

    @property
    def stem(self) -> str:
        """The database's name without a suffix: what files made from it are named after."""
        return self.server.database if self.server else self.path.stem

    @property
    def folder(self) -> Path:
        """Where file dialogs about this database start: beside the file, or the officer's home folder."""
        return Path.home() if self.server else self.path.parent

    @classmethod
    def open(cls, location: Location | str, user: str | None = None, access: Access = Access.WRITE) -> "Store":
        """Open an existing database. A writer holds the file's lock and upgrades an older schema
        (after a backup copy); a reader opens it read-only."""
        location = parse_location(location)
        if isinstance(location, Server):
            return cls._open_on_server(location, user, access)
        path = location
        _check_file(path)
        reason = None
        if (database := backup_of(path)) is not None and access != Access.READ:
            if access == Access.WRITE:
                raise StorageError(
                    f"{path} is a backup of {database.name}, kept as it was taken; restore it "
                    f"(accord-desk restore {path.name} --db {database}) or copy it to work on it."
                )
            access, reason = Access.READ, (
                f"{path.name} is a backup of {database.name}, so it is open read-only; open {database.name} "
                "and use File ▸ Restore from backup… to bring it back."
            )
        if access != Access.READ:
            lock, refusal = cls._lock_for_writing(path, user or current_user())
            if refusal is not None:
                if access == Access.WRITE:
                    raise refusal
                reason = str(refusal)
                if isinstance(refusal, DatabaseInUseError):
                    reason = f"{refusal.holder}, so it is open here read-only; close it there to make changes here."
            else:
                try:
                    return cls._open_for_writing(path, user, lock)
                except BaseException:
                    lock.release()
                    raise
        with _no_traces_if_refused(path), _looking_at(path) as connection:
            revision = _revision(path, connection)
            if left_behind(path):  # a writer died holding the file: look at every page once
                _quick_check(path, connection)
            if revision != schema_head():
                raise cls._schema_error(path, revision) or DatabaseError(
                    f"{path} was made by an older version of Accord Desk; open it once in the window "
                    "(with write access) to upgrade it."
                )
        return cls(
            path, _make_engine(path, read_only=True), user, read_only=reason or f"{path} is open read-only."
        )

    @classmethod
    def _open_on_server(cls, location: Server, user: str | None, access: Access) -> "Store":
        """A database on a server: the server keeps writers apart and says who may write (its GRANTs),
        so there is no lock file; an older schema is upgraded by the first writer to open it."""
        read_only = access == Access.READ
        reason = f"{location.name} is open read-only." if read_only else None
        store = cls(location, server.make_engine(location, _BEGIN, read_only), user, read_only=reason)
        try:
            with server.refusals_explained(location), store.engine.connect() as connection:
                revision = server.revision(location, connection)
            if revision != schema_head():
                if error := cls._schema_error(location, revision):
                    raise error
                if read_only:
                    raise DatabaseError(
                        f"{location} was made by an older version of Accord Desk; open it once for writing to upgrade it."
                    )
                store._migrate()
            if not read_only:
                desk.claim(store)
            store._take_standing()
        except BaseException:
            store.close()
            raise
        return store

    def _take_standing(self) -> None:
        """On a team database: who the record names is the database role (the audit's who, recorded_by),
        and a reader's store is read-only, since the server refuses its writes."""
        level = self.read_rights()
        if level == "reader" and self.read_only is None:
            self.read_only = team_server.reader_window_sentence(self.user, self.location.name)

    def read_rights(self) -> str | None:
        """Ask the server again who this officer is and which agreements they may change (`editable`);
        their level there ("editor"…), or None for a file or a database without the team's roles."""
        if self.server is None:
            return None
        with server.refusals_explained(self.location), self.engine.connect() as connection:
            if not team_server.installed(connection):
                return None
            standing = team_server.standing(connection)
            self.editable = team_server.editable_agreements(connection, standing.level)
        self.user, self.level = standing.role, standing.level
        return standing.level

    def refusal(self, agreement_id: str | None, title: str = "") -> str | None:
        """Why the agreement's rows cannot be changed from here (None: a new agreement), in one sentence;
        None if they can."""
        if self.read_only is not None:
            return self.read_only
        if self.editable is None or (agreement_id is not None and agreement_id in self.editable):
            return None
        return team_server.editor_window_sentence(self.user, title if agreement_id is not None else None)

    @staticmethod
    def _lock_for_writing(path: Path, user: str) -> tuple[WriterLock | None, DatabaseError | None]:
        """The writer's lock, or why this process cannot write the file."""
        unwritable = _unwritable(path)
        if unwritable is not None:
            return None, StorageError(f"{path} cannot be changed: {unwritable}.")
        try:
            return WriterLock.acquire(path, user), None
        except DatabaseInUseError as error:
            return None, error
        except OSError as error:
            if error.errno == errno.ENOSPC:
                return None, StorageError(
                    f"{path} cannot be changed: the disk is full; free some space and open it again."
                )
            return None, StorageError(
                f"{path} cannot be changed: its lock file cannot be made ({error.strerror}); "
                "check the folder's permissions."
            )

    @classmethod
    def _open_for_writing(cls, path: Path, user: str | None, lock: WriterLock) -> "Store":
        with _looking_at(path) as connection:  # read-only: a damaged file and its -wal stay as found
            revision = _revision(path, connection)
            if lock.unclean:  # the last writer died holding the file: look at every page once
                _quick_check(path, connection)
            head = schema_head()
            if revision != head and (error := cls._schema_error(path, revision)):
                raise error
        if revision != head:
            from db import backup  # db.backup uses Store

            backup.take_of_file(path, backup.Reason.UPGRADE)
        store = cls(path, _make_engine(path), user, lock=lock)
        try:
            if revision != head:
                store._migrate()
            desk.claim(store)
        except BaseException:
            store.close()
            raise
        return store

    @staticmethod
    def _schema_error(location: Location, revision: str) -> DatabaseError | None:
        if revision not in _known_revisions():
            return DatabaseError(
                f"{location} was written by a newer version of Accord Desk (schema {revision}); "
                "update Accord Desk to open it."
            )
        return None

    @classmethod
    def create(cls, location: Location | str, user: str | None = None) -> "Store":
        """Create a new, empty database. Refuses to touch an existing file, or a database on a server that
        holds tables already."""
        location = parse_location(location)
        if isinstance(location, Server):
            return cls._create_on_server(location, user)
        path = location
        if path.exists():
            raise DatabaseError(f"{path} already exists; choose a new file name or remove it first.")
        if not path.parent.is_dir():
            raise DatabaseError(f"{path.parent} does not exist; create the folder first or choose another.")
        try:
            lock = WriterLock.acquire(path, user or current_user())
        except OSError as error:
            raise DatabaseError(
                f"{path} cannot be created ({error.strerror}); choose a folder you can write to."
            ) from None
        try:
            path.touch(exist_ok=False)  # the inode the lock and the in-process registry know
            store = cls(path, _make_engine(path), user, lock=lock)
        except BaseException:
            lock.release()
            raise
        try:
            with refusals_explained(path):
                store._migrate()
                desk.claim(store)
        except (OperationalError, StorageError) as error:
            store.close()
            remove_database_files(path)
            raise DatabaseError(
                f"{path} cannot be created ({getattr(error, 'orig', error)}); choose a folder you can write to."
            ) from None
        except BaseException:
            store.close()
            remove_database_files(path)
            raise
        return store

    @classmethod
    def _create_on_server(cls, location: Server, user: str | None) -> "Store":
        """The database is made if the server has none of that name (CREATE DATABASE needs the CREATEDB
        right); an empty one an administrator made is used as it is."""
        made = not server.database_exists(location)
        if made:
            server.create_database(location)
        store = cls(location, server.make_engine(location, _BEGIN), user)
        try:
            with server.refusals_explained(location):
                if not made:
                    with store.engine.connect() as connection:
                        if held := server.tables(connection):
                            what = "an Accord Desk record" if "alembic_version" in held else f"{len(held)} tables"
                            raise DatabaseError(
                                f"{location} already holds {what}; choose a new database name, or open it with --db."
                            )
                store._migrate()
                desk.claim(store)
        except BaseException:
            store.close()
            if made:
                server.drop_database(location)
            raise
        return store

    def _migrate(self) -> None:
        from alembic import command

        config = _alembic_config()
        with self.engine.connect() as connection:
            if self.server is not None:  # two officers opening an older database at once upgrade it once
                connection.info[_BEGIN] = "IMMEDIATE"
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                content.rebuild(connection)  # whatever the upgrade did to the rows, the digest follows them
                connection.commit()
            finally:
                connection.info.pop(_BEGIN, None)
            if self.path is not None:
                audit.note_head(self.path, audit.last_entry(connection))

    def sign_as(self, user: str) -> None:
        """Who changes the record from now on (the audit's who), and who the lock file says holds it. On a
        server the database role says who, whatever the officer's settings name."""
        if self.server is not None:
            return
        self.user = user
        if self._lock is not None:
            self._lock.sign(user)

    def close(self) -> None:
        self.engine.dispose()
        if self._identity is not None:
            _OPEN_HERE[self._identity] -= 1
            self._identity = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short read-only transaction; flushing a change in it is an error."""
        with refusals_explained(self.location), self.engine.connect() as connection:
            connection.info[_BEGIN] = "READ"
            try:
                with Session(bind=connection, expire_on_commit=False, autoflush=False) as session:
                    session.info[audit.READ_ONLY] = True
                    try:
                        yield session
                    finally:
                        session.expunge_all()  # what was read stays readable after the transaction
                        session.rollback()
            finally:
                connection.info.pop(_BEGIN, None)

    def _note_refusal(self, action: str, attempted: list, sentence: str) -> None:
        """A refused attempt on a server goes into the trail in a transaction of its own (the refused one
        left nothing), so the trail holds both officers' attempts."""
        with server.refusals_explained(self.location), self.engine.begin() as connection:
            team_server.set_action(connection, action)
            for table_name, row_key, values in attempted:
                team_server.note_refusal(connection, table_name, row_key, values, sentence)

    @contextmanager
    def writing(self, action: str, expect: dict[tuple[str, str], int] | None = None) -> Iterator[Session]:
        """One user action: BEGIN IMMEDIATE, every change audited under `action`, then COMMIT.

        A refusal by the database (locked, disk full, read-only) rolls back and raises StorageError.
        `expect` names the versions the caller read ({(table, row id): version}): updating or
        deleting such a row at another version raises StaleRecordError and nothing is written.
        Afterwards `audit.versions_left(session)` says what the action left behind.
        """
        if self.read_only is not None:
            raise StorageError(f"{self.read_only} Nothing was changed.")
        with refusals_explained(self.location), self.engine.connect() as connection:
            connection.info[_BEGIN] = "IMMEDIATE"
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    audit.attach(session, who=self.user, action=action, expect=expect)
                    try:
                        yield session
                        session.commit()
                    except (StaleDataError, StaleRecordError) as error:
                        attempted = audit.attempted(session)
                        session.rollback()
                        if isinstance(error, StaleDataError):
                            error = StaleRecordError(audit.stale_sentence("A record this action changes"))
                        if self.server is not None:
                            self._note_refusal(action, attempted, str(error))
                        raise error from None
                    except BaseException:
                        session.rollback()
                        raise
                    if self.path is not None:
                        audit.note_head(self.path, audit.chain_head(session))
            finally:
                connection.info.pop(_BEGIN, None)


def remove_database_files(location: Location | str) -> None:
    """The database's files; on a server, the database itself (only ever one this process just made)."""
    location = parse_location(location)
    if isinstance(location, Server):
        server.drop_database(location)
        return
    path = location
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if candidate.exists():
            os.remove(candidate)
