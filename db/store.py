"""Opening, creating and upgrading the database file, and the transactions every action runs in.

One user action is one transaction that starts with BEGIN IMMEDIATE (`Store.writing`), so two
desks on one file never interleave half-done actions. Reads run in short deferred transactions.
"""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from db import audit
from db.clock import current_user
from db.errors import DatabaseError, StaleRecordError

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")
_BEGIN = "accord_desk_begin"
# Every connection's settings. 32 MB of page cache (default 2 MB): an import of 100,000 events
# otherwise spilled pages to the WAL in the middle of its transaction.
PRAGMAS = ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000", "cache_size=-32768")


def default_database_path() -> Path:
    """The database in the user's data folder (where QStandardPaths.AppDataLocation points too)."""
    from platformdirs import user_data_path

    return user_data_path("accord-desk", appauthor=False) / "accord-desk.sqlite"


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def schema_head() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


@cache
def _known_revisions() -> frozenset[str]:
    return frozenset(
        script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    )


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from pysqlite, which issues no BEGIN before DDL or SELECT.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(f"BEGIN {connection.info.get(_BEGIN, 'DEFERRED')}")

    return engine


def inspect_file(path: Path) -> str:
    """The schema revision of an Accord Desk database file, read without changing the file.

    Raises DatabaseError saying what is wrong with the file otherwise.
    """
    if not path.exists():
        raise DatabaseError(
            f"{path}: no such file; check the path, or create a database with 'accord-desk init {path}'."
        )
    if not path.is_file():
        raise DatabaseError(f"{path} is a folder, not a database file; name the database file itself.")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseError(f"{path} cannot be read ({error.strerror}); check its permissions.") from None
    if not header.startswith(SQLITE_HEADER):
        raise DatabaseError(
            f"{path} is not an Accord Desk database (it is not an SQLite file); choose the database file."
        )
    try:
        # Only reads follow. Not mode=ro: a read-only connection cannot remove the -wal and -shm
        # files it creates, and would leave them beside the user's file.
        connection = sqlite3.connect(path)
    except sqlite3.Error as error:
        raise DatabaseError(f"{path} cannot be opened ({error}); check its permissions.") from None
    try:
        check = connection.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise DatabaseError(
                f"{path} is damaged (SQLite reports: {check[0][0]}); restore it from a backup."
            )
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables or "obligation" not in tables:
            raise DatabaseError(
                f"{path} is an SQLite database but not an Accord Desk database; choose the database file."
            )
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(
            f"{path} is damaged (SQLite reports: {error}); restore it from a backup."
        ) from None
    finally:
        connection.close()
    if row is None:
        raise DatabaseError(f"{path} has no schema version; it was not made by Accord Desk.")
    return row[0]


class Store:
    """An open Accord Desk database."""

    def __init__(self, path: Path, engine: Engine, user: str | None = None):
        self.path = path
        self.engine = engine
        self.user = user or current_user()

    @classmethod
    def open(cls, path: Path | str, user: str | None = None) -> "Store":
        """Open an existing database, upgrading an older schema (after a backup copy)."""
        path = Path(path)
        revision = inspect_file(path)
        head = schema_head()
        if revision != head:
            if revision not in _known_revisions():
                raise DatabaseError(
                    f"{path} was written by a newer version of Accord Desk (schema {revision}); "
                    "update Accord Desk to open it."
                )
            _backup(path, path.with_name(f"{path.name}.before-{head}.bak"))
        store = cls(path, _make_engine(path), user)
        if revision != head:
            store._migrate()
        return store

    @classmethod
    def create(cls, path: Path | str, user: str | None = None) -> "Store":
        """Create a new, empty database. Refuses to touch an existing file."""
        path = Path(path)
        if path.exists():
            raise DatabaseError(f"{path} already exists; choose a new file name or remove it first.")
        if not path.parent.is_dir():
            raise DatabaseError(f"{path.parent} does not exist; create the folder first or choose another.")
        store = cls(path, _make_engine(path), user)
        try:
            store._migrate()
        except OperationalError as error:
            store.close()
            remove_database_files(path)
            raise DatabaseError(
                f"{path} cannot be created ({error.orig}); choose a folder you can write to."
            ) from None
        except BaseException:
            store.close()
            remove_database_files(path)
            raise
        return store

    def _migrate(self) -> None:
        config = _alembic_config()
        with self.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
            audit.note_head(self.path, audit.last_entry(connection))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short read-only transaction; flushing a change in it is an error."""
        with Session(self.engine, expire_on_commit=False, autoflush=False) as session:
            session.info[audit.READ_ONLY] = True
            try:
                yield session
            finally:
                session.expunge_all()  # what was read stays readable after the transaction
                session.rollback()

    @contextmanager
    def writing(self, action: str, expect: dict[tuple[str, str], int] | None = None) -> Iterator[Session]:
        """One user action: BEGIN IMMEDIATE, every change audited under `action`, then COMMIT.

        `expect` names the versions the caller read ({(table, row id): version}): updating or
        deleting such a row at another version raises StaleRecordError and nothing is written.
        Afterwards `audit.versions_left(session)` says what the action left behind.
        """
        with self.engine.connect() as connection:
            connection.info[_BEGIN] = "IMMEDIATE"
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    audit.attach(session, who=self.user, action=action, expect=expect)
                    try:
                        yield session
                        session.commit()
                    except StaleDataError:
                        session.rollback()
                        raise StaleRecordError(audit.stale_sentence("A record this action changes")) from None
                    except BaseException:
                        session.rollback()
                        raise
                    audit.note_head(self.path, audit.chain_head(session))
            finally:
                connection.info.pop(_BEGIN, None)


def _backup(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def remove_database_files(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if candidate.exists():
            os.remove(candidate)
