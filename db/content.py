"""The content digest: what the record holds, as one SHA-256 that costs a read of a few rows.

Per table of the record, `contentdigest` keeps the number of rows and the sum, modulo 2**256, of each
row's SHA-256: a sum does not depend on the order rows came in, so two desks holding the same rows hold
the same digest, however and in whatever order each got them (an exchange between desks, an import, a
restore). Every write keeps it up to date in its own transaction: the ORM's flushes through the hook
below (one read of the touched rows before the flush and one after), bulk inserts (db.bulk) through
`add_rows`, other Core updates and deletes inside `rows_changing`. So the report's fingerprint no longer hashes every row (79% of
`export-pdf` on a million events).

Why not triggers: SQLite has no hash function of its own, so a trigger would call one registered by
Python on every connection, and any other connection (the sqlite3 shell, a tool, a test altering the
file on purpose) could then no longer write the record at all; and an Alembic batch migration, which
copies a table, drops its triggers with it. What a write outside Accord Desk leaves stale, `fresh`
recomputes and the check compares.

Which columns count: all but `version`, the number of changes a row went through on this desk (two
desks that hold the same row counted its edits differently). Ids are content: the records are the same
only if they are the same records (exchange merges by UUID). A row is hashed as SQLite stores it
(dates as ISO text, figures as floats), read back from the file or, for a bulk insert, as handed to
the driver, and written as canonical JSON. Store._migrate rebuilds the figures after any upgrade.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from functools import cache
from itertools import repeat
from operator import itemgetter, methodcaller
from typing import Any

from sqlalchemy import Boolean, Connection, Date, DateTime, Float, Integer, event, inspect, text
from sqlmodel import Session, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from db.dialects import driver_rows, is_sqlite, json_values
from db.models import AuditEntry

TABLE = "contentdigest"
NOT_CONTENT = frozenset({"version"})
_MODULUS = 2**256
_CHANGING = "accord_desk_content_changing"
_BEGUN = "accord_desk_content_figures"
Figures = dict[str, tuple[int, int]]  # table → (rows, sum of their hashes)


def create_statements() -> list[str]:
    return [f"CREATE TABLE {TABLE} (table_name VARCHAR NOT NULL PRIMARY KEY, row_count INTEGER NOT NULL, "
            "row_sum VARCHAR(64) NOT NULL)"]  # fmt: skip


@cache
def record_tables() -> dict[str, Any]:
    """The record's tables by name: every model's but the audit trail's (history, not content)."""
    return {
        name: table
        for name, table in sorted(SQLModel.metadata.tables.items())
        if name != AuditEntry.__tablename__
    }


def content_columns(table) -> list[str]:
    return [column.name for column in table.columns if column.name not in NOT_CONTENT]


def _sqlite_datetime(value) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it in SQLite


def _sqlite_date(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _coercions(table, sqlite: bool = True) -> list:
    """How a value handed to the driver (or read from a server) becomes the value SQLite hands back,
    column by column: the same rows hash the same on either engine."""
    def kind(column):
        if isinstance(column.type, Float):
            return float  # REAL affinity: 34 is stored and read as 34.0
        if isinstance(column.type, Integer | Boolean):
            return int
        if not sqlite and isinstance(column.type, DateTime | UTCDateTime):
            return _sqlite_datetime
        if not sqlite and isinstance(column.type, Date):
            return _sqlite_date
        return None

    return [kind(table.c[name]) for name in content_columns(table)]


def _as_stored(connection: Connection, table, rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    """A server's rows as SQLite would hand them back (SQLite's own rows are that already)."""
    if is_sqlite(connection):
        return rows
    fix = [(position, coerce) for position, coerce in enumerate(_coercions(table, False)) if coerce is not None]
    return [_coerced(row, fix) for row in rows]


def _coerced(row: Sequence[Any], fix: list) -> list:
    values = list(row)
    for position, coerce in fix:
        value = values[position]
        if value is not None and type(value) is not coerce:
            values[position] = coerce(value)
    return values


def _compact_json() -> Any:
    """json.dumps(values, separators=(",", ":")) for a row of plain values. The C encoder is made once:
    JSONEncoder.encode makes one on every call, half the time of hashing a million rows' links."""
    if json.encoder.c_make_encoder is None:  # a Python without json's C speedups
        return json.JSONEncoder(separators=(",", ":")).encode
    encode = json.encoder.c_make_encoder(
        None, None, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )  # no circular check (rows are flat), no default (a value JSON lacks is a TypeError), NaN allowed
    return lambda values: "".join(encode(values, 0))


_JSON = _compact_json()


def row_hash(values: Sequence[Any]) -> int:
    """SHA-256 of the row's values as compact JSON (a list or a tuple alike), as a number."""
    return int.from_bytes(hashlib.sha256(_JSON(values).encode()).digest(), "big")


def _figures_of(rows: Iterable[Sequence[Any]]) -> tuple[int, int]:
    """(rows, the sum of their row_hash) in one chain of C calls: a loop in Python cost a third more."""
    rows = rows if isinstance(rows, list) else list(rows)
    digests = map(methodcaller("digest"), map(hashlib.sha256, map(str.encode, map(_JSON, rows))))
    return len(rows), sum(map(int.from_bytes, digests, repeat("big"))) % _MODULUS


def _selected(table) -> str:
    return ", ".join(f'"{name}"' for name in content_columns(table))


def _stored_rows(connection: Connection, table, key: str, values: Iterable[str]) -> list[tuple]:
    """The content columns of the rows whose `key` is one of `values`, as the driver returns them (the
    values as one JSON array: one bound parameter however many there are)."""
    return _as_stored(connection, table, driver_rows(
        connection,
        f'SELECT {_selected(table)} FROM "{table.name}" WHERE "{key}" IN ({json_values(connection, "values")})',
        {"values": json.dumps(sorted(set(values)))},
    ))  # fmt: skip


def _read(connection: Connection) -> Figures:
    return {
        name: (count, int(total, 16))
        for name, count, total in connection.exec_driver_sql(f"SELECT table_name, row_count, row_sum FROM {TABLE}")
    }


def _write(connection: Connection, figures: Figures) -> None:
    if not figures:
        return
    connection.execute(
        text(f"INSERT INTO {TABLE} (table_name, row_count, row_sum) VALUES (:name, :count, :sum) "
             "ON CONFLICT (table_name) DO UPDATE SET row_count = excluded.row_count, row_sum = excluded.row_sum"),
        [{"name": name, "count": count, "sum": f"{total % _MODULUS:064x}"} for name, (count, total) in figures.items()],
    )  # fmt: skip


def _change(connection: Connection, table: str, added: tuple[int, int], removed: tuple[int, int] = (0, 0)) -> None:
    if added == removed:
        return
    count, total = _read(connection).get(table, (0, 0))
    _write(connection, {table: (count + added[0] - removed[0], total + added[1] - removed[1])})


def add_rows(connection: Connection, table_name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Count rows a bulk insert wrote (`columns` names their values, as handed to the driver): db.bulk
    calls it for every one."""
    table = record_tables().get(table_name)
    if table is None or not rows:
        return
    where = {name: index for index, name in enumerate(columns)}
    picked = [where[name] for name in content_columns(table)]
    # Only the columns whose values are not all of the stored type already (an import's are, nearly always).
    fix = [(position, coerce) for position, coerce in enumerate(_coercions(table, is_sqlite(connection)))
           if coerce is not None and set(map(type, map(itemgetter(picked[position]), rows))) - {coerce, type(None)}]  # fmt: skip
    pick = itemgetter(*picked)
    _change(connection, table_name, _figures_of([_coerced(pick(row), fix) for row in rows] if fix else list(map(pick, rows))))


@contextmanager
def rows_changing(connection: Connection, table_name: str, key: str, values: Sequence[str]) -> Iterator[None]:
    """Around a Core update or delete of the rows of `table_name` whose `key` is one of `values`:
    those rows are counted out as they were and back in as they are after."""
    table = record_tables()[table_name]
    before = _figures_of(_stored_rows(connection, table, key, values))
    yield
    _change(connection, table_name, _figures_of(_stored_rows(connection, table, key, values)), before)


def _touched(session: Session) -> dict[str, tuple[str, set[str]]]:
    """Table → (its first key column, the values of it the flush touches, before and after)."""
    touched: dict[str, tuple[str, set[str]]] = {}
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, AuditEntry):
            continue
        state = inspect(row)
        key = state.mapper.primary_key[0].name
        values = touched.setdefault(row.__tablename__, (key, set()))[1]
        values.add(getattr(row, key))
        if state.identity is not None:
            values.add(state.identity[0])  # the key as stored, should the flush change it
    return touched


@event.listens_for(Session, "before_flush")
def _count_out(session: Session, _context, _instances) -> None:
    # Rows sharing the first key of a two-column key are read whole: those the flush leaves alone count
    # out and back in the same. Cascades by the database are not seen, as the audit does not see them:
    # the services delete what hangs on a row themselves.
    touched = _touched(session)
    if not touched:
        return
    connection = session.connection()
    tables = record_tables()
    session.info[_CHANGING] = touched
    session.info[_BEGUN] = {
        name: _figures_of(_stored_rows(connection, tables[name], key, values)) for name, (key, values) in touched.items()
    }


@event.listens_for(Session, "after_flush")
def _count_in(session: Session, _context) -> None:
    touched, before = session.info.pop(_CHANGING, None), session.info.pop(_BEGUN, None)
    if not touched:
        return
    connection = session.connection()
    tables = record_tables()
    for name, (key, values) in touched.items():
        _change(connection, name, _figures_of(_stored_rows(connection, tables[name], key, values)), before[name])


def fresh(connection: Connection) -> Figures:
    """The figures recomputed from every row (what the table must hold)."""
    # the driver's own rows, as the hashes were made of them
    return {name: _figures_of(_as_stored(connection, table, driver_rows(connection, f'SELECT {_selected(table)} FROM "{name}"')))
            for name, table in record_tables().items()}  # fmt: skip


def kept(connection: Connection) -> Figures:
    """The figures the table holds, every record table named."""
    stored = _read(connection)
    return {name: stored.get(name, (0, 0)) for name in record_tables()}


def rebuild(connection: Connection) -> None:
    connection.exec_driver_sql(f"DELETE FROM {TABLE}")
    _write(connection, fresh(connection))


def digest(figures: Figures) -> str:
    """The content digest: SHA-256 over each table's name, row count and sum, in name order."""
    text = "".join(f"{name}\x1f{count}\x1f{total:064x}\x1e" for name, (count, total) in sorted(figures.items()))
    return hashlib.sha256(f"accord-desk content 1\x1e{text}".encode()).hexdigest()


def content_digest(connection: Connection) -> str:
    """The record's content digest as the table keeps it: a read of one row per table."""
    return digest(kept(connection))
