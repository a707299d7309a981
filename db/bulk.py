"""Bulk work: inserts (SQL from SQLAlchemy Core, values handed to the driver's executemany), lookups
by many keys at once, and a pause of the cycle collector meanwhile.

Core's `connection.execute(insert(model), dicts)` processes every parameter of every row in Python;
for an import of 100,000 events with their actors that was 40% of the time (tests/bench_import.py).
Here Core compiles the INSERT once for the connection's dialect (a PostgreSQL server takes the rows by
COPY instead: db.copy_rows), values
come column by column, each distinct value of a column whose type converts it (dates, aware datetimes)
is converted once, and the driver does the rest. Callers audit the rows themselves (db.audit); the
content digest counts them here (db.content).
"""

import gc
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, Row, insert, select
from sqlmodel import SQLModel

from db import content
from db.dialects import values_of

COPY_FROM = 2  # rows a bulk insert sends a server by COPY; one row goes as an INSERT (COPY's set-up costs more)
_pauses = 0  # pauses under way, in any thread
_resume = False  # whether the collector ran before the first of them
_pauses_lock = threading.Lock()


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector held off while bulk work builds millions of acyclic tuples.

    Reference counting still frees them; the collector would only walk them again and again
    (2.3 of 15 s of an import of 100,000 rows, tests/bench_import.py). The switch is process-wide,
    so pauses in several threads are counted and the last one to end restores it.
    """
    global _pauses, _resume
    with _pauses_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def bulk_insert(
    connection: Connection,
    model: type[SQLModel],
    columns: dict[str, Sequence[Any]],
    constants: dict[str, Any],
) -> tuple[list[str], list[tuple]]:
    """Insert one row per value of `columns` (all as long), with `constants` the same in every row.

    Every column of the table must be named: the driver cannot fill in Core's Python-side defaults.
    Returns the column names and the rows as handed to the driver (an import's audit digests them, so
    values are plain: str, not a StrEnum member, which pickles otherwise than the str SQLite returns).
    """
    count = len(next(iter(columns.values())))
    if count == 0:
        return [], []
    table, dialect = model.__table__, connection.dialect
    given = {**columns, **constants}
    compiled = insert(table).compile(dialect=dialect, column_keys=list(given))
    order = compiled.positiontup or list(compiled.params)
    if missing := set(order) - set(given):
        raise ValueError(f"bulk rows of {table.name} lack {', '.join(sorted(missing))}")
    prepared = []
    for key in order:
        processor = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if key in constants:
            value = constants[key]
            prepared.append(repeat(processor(value) if processor else value, count))
        elif processor is None:
            prepared.append(columns[key])
        else:
            converted = {value: processor(value) for value in set(columns[key])}
            prepared.append(map(converted.__getitem__, columns[key]))
    rows = list(zip(*prepared, strict=False))  # repeat() is endless: the columns set the length
    if dialect.name == "postgresql" and count >= COPY_FROM:
        from db.copy_rows import copy_rows  # psycopg is imported only where a server is used

        copy_rows(connection, table.name, order, rows)
    else:
        named = compiled.positiontup is None
        connection.exec_driver_sql(
            str(compiled), [dict(zip(order, row, strict=True)) for row in rows] if named else rows
        )
    content.add_rows(connection, table.name, order, rows)
    return list(order), rows


def bulk_insert_rows(connection: Connection, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """The same for rows given as dicts that all have the same keys."""
    if rows:
        bulk_insert(connection, model, {key: [row[key] for row in rows] for key in rows[0]}, {})


def select_matching(
    connection: Connection, columns: Sequence[Any], key: Any, values: Sequence[str], *where: Any
) -> list[Row]:
    """The rows of `columns` whose `key` is one of `values` (and that meet `where`), in one statement
    however many they are.

    The values travel as one JSON array that the database unpacks (db.dialects.values_of): an IN (…) of 100,000
    bound values, in chunks under SQLite's limit of variables, took SQLAlchemy 0.6 s just to render.
    """
    if not values:
        return []
    return list(connection.execute(select(*columns).where(key.in_(values_of(connection, values)), *where)))


class KeysMet:
    """The keys of a long run of rows, each with the line it was first met on, in a private SQLite file of
    its own (a temporary file, deleted when closed) rather than in memory: a million keys in a set of str
    took 100 MB; this holds SQLite's default page cache of 2 MB, however many they are. Not the record's
    connection, so it works alike on a server and in a read-only transaction."""

    def __init__(self):
        self.database = sqlite3.connect("", isolation_level=None)
        self.database.execute("CREATE TABLE met (key TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID")
        self.database.execute("BEGIN")  # never committed: nothing of it is kept

    def __enter__(self) -> "KeysMet":
        return self

    def __exit__(self, *_exception) -> None:
        self.database.close()

    def first_lines(self, keys: Sequence[str]) -> dict[str, int]:
        """The keys met before, with their lines (one statement however many are asked)."""
        return dict(self.database.execute(
            "SELECT key, line FROM met WHERE key IN (SELECT value FROM json_each(?))", (json.dumps(keys),)
        ))  # fmt: skip

    def add(self, met: Iterable[tuple[str, int]]) -> None:
        """Keys not met before, each with its line."""
        self.database.executemany("INSERT INTO met (key, line) VALUES (?, ?)", met)
