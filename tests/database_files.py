"""Database files the backup, restore and upgrade tests share: an old schema, damage, and what a file holds."""

import hashlib
import sqlite3
from pathlib import Path

from alembic import command

from db.store import _alembic_config, _make_engine


def database_at_0001(path: Path) -> Path:
    """A database at the first schema revision holding one event, 'e1'."""
    engine, config = _make_engine(path), _alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001_record")
        connection.exec_driver_sql(
            "INSERT INTO event (id, occurred_on, date_precision, event_type, origin, recorded_at, recorded_by) "
            "VALUES ('e1', '2020-03-03', 'day', 'Battles', 'typed', '2020-03-03 00:00:00', 'tester')"
        )
        connection.commit()
    engine.dispose()
    return path


def damage(path: Path) -> None:
    """Wreck the pages after the header, as a failing disk would."""
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * (4096 * 2)
    path.write_bytes(bytes(data))


def quietly_damaged(path: Path) -> None:
    """Wreck the root page of an event index: the file opens and reads, only a page-by-page check sees it."""
    connection = sqlite3.connect(path)
    (page,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_event_occurred_on'").fetchone()
    (size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.execute("PRAGMA journal_mode=DELETE")  # everything in the main file, no -wal beside it
    connection.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * size : page * size] = b"\xff" * size
    path.write_bytes(bytes(data))


def rows(path: Path, sql: str) -> list[tuple]:
    """Rows read through a read-only connection, which leaves the file as it is."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def event_rows(path: Path) -> list[tuple]:
    return rows(path, "SELECT id, event_type, notes FROM event ORDER BY id")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
