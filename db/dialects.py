"""The few SQL spellings SQLite and PostgreSQL do not share, each said once.

Statements the services write by hand name their parameters (`:ids`), which SQLAlchemy's text() and
`driver_rows` give each driver in its own style. A list of values travels as one JSON array, unpacked by
the database (json_each on SQLite, json_array_elements_text on PostgreSQL): one parameter however many
values, under SQLite's limit of bound variables.
"""

import json
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, Connection, Select, String, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def is_sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def json_table(connection: Connection, parameter: str, alias: str = "j") -> str:
    """A FROM item over the JSON array `:parameter` with columns value (text) and key (its order)."""
    if is_sqlite(connection):
        return f"json_each(:{parameter}) AS {alias}"
    return f"json_array_elements_text(CAST(:{parameter} AS json)) WITH ORDINALITY AS {alias}(value, key)"


def json_values(connection: Connection, parameter: str) -> str:
    """A subquery of the JSON array's values, for `… IN (<this>)`."""
    return f"SELECT j.value FROM {json_table(connection, parameter)}"


def greatest(connection: Connection) -> str:
    """The function of the larger of two values (SQLite's scalar max)."""
    return "max" if is_sqlite(connection) else "greatest"


def later_rows_last(connection: Connection) -> str:
    """An ORDER BY term for desk_identity's rows in the order they were written: SQLite's rowid, and on a
    server the time each was taken (ISO text, so ordered as written)."""
    return "rowid" if is_sqlite(connection) else "taken_at"


def driver_rows(connection: Connection, sql: str, parameters: Mapping[str, Any] | None = None) -> list[tuple]:
    """The rows as the driver returns them (no SQLAlchemy result processing: what the content and bulk
    digests hash), for SQL with :named parameters."""
    cursor = connection.connection.cursor()
    try:
        if parameters is None:
            cursor.execute(sql)
        elif is_sqlite(connection):
            cursor.execute(sql, parameters)
        else:
            cursor.execute(_NAMED.sub(r"%(\1)s", sql.replace("%", "%%")), parameters)
        return cursor.fetchall()
    finally:
        cursor.close()


def defer_foreign_keys(connection: Connection) -> None:
    """Check the foreign keys at the transaction's end, not each statement's (a receive adds a tree's rows in
    any order and moves records to new ids before the rows naming them): SQLite's pragma, and on a server
    the keys migration 0014 made DEFERRABLE."""
    if is_sqlite(connection):
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    elif keys := _deferrable_keys(connection):
        connection.exec_driver_sql(f"SET CONSTRAINTS {keys} DEFERRED")


def dangling_reference(connection: Connection) -> tuple[str, str, str] | None:
    """A row whose foreign key names a row that is not there, checked now: (its table, which row, the table
    it names); None if there is none. On a server the deferred keys are checked by making them immediate,
    named one by one (ALL would run the audit chain's deferred trigger, which must be the last step); a
    dangling row aborts the transaction, which the caller then refuses."""
    if is_sqlite(connection):
        for table, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check"):
            return table, f"rowid {rowid}", parent
        return None
    if not (keys := _deferrable_keys(connection)):
        return None
    try:
        connection.exec_driver_sql(f"SET CONSTRAINTS {keys} IMMEDIATE")
    except IntegrityError as error:  # 'Key (obligation_id)=(…) is not present in table "obligation".'
        detail = error.orig.diag.message_detail or ""
        found = re.match(r'Key \((.*)\)=\((.*)\) is not present in table "?(\w+)"?', detail)
        if found is None:
            raise
        return error.orig.diag.table_name, f"{found[1]} {found[2]}", found[3]
    return None


def _deferrable_keys(connection: Connection) -> str:
    return connection.exec_driver_sql(
        "SELECT string_agg(quote_ident(n.nspname) || '.' || quote_ident(c.conname), ', ' ORDER BY c.conname) FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND c.condeferrable AND n.nspname = 'public'"
    ).scalar_one() or ""


_REFUSE = "accord_desk_refuse"  # the one plpgsql function every guard trigger calls, with its sentence


def append_only(dialect_name: str, table: str, name: str, operation: str, message: str, on: bool = True) -> list[str]:
    """Create (or drop) the guard trigger `name` that refuses every `operation` (UPDATE, DELETE) on `table`."""
    if dialect_name == "sqlite":
        if not on:
            return [f"DROP TRIGGER {name}"]
        return [f"CREATE TRIGGER {name} BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END"]
    if not on:
        return [f"DROP TRIGGER {name} ON {table}"]
    return [
        f"CREATE OR REPLACE FUNCTION {_REFUSE}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation'; END $$",
        f"CREATE TRIGGER {name} BEFORE {operation} ON {table} FOR EACH "
        f"{'STATEMENT' if operation == 'TRUNCATE' else 'ROW'} EXECUTE FUNCTION {_REFUSE}('{message}')",
    ]


def guarded_operations(dialect_name: str) -> tuple[str, ...]:
    """What an append-only table refuses: on a server TRUNCATE too, which row triggers do not see."""
    return ("UPDATE", "DELETE") if dialect_name == "sqlite" else ("UPDATE", "DELETE", "TRUNCATE")


def triggers(connection: Connection) -> set[str]:
    """The names of the database's triggers."""
    if is_sqlite(connection):
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return {name for (name,) in connection.exec_driver_sql(sql)}


def ascii_folded(dialect_name: str, expression: str) -> str:
    """The expression as it compares ignoring ASCII case (SQLite's NOCASE; on a server lower() in the C
    collation, which folds ASCII only, whatever the server's locale)."""
    if dialect_name == "sqlite":
        return f"{expression} COLLATE NOCASE"
    return f'lower(({expression}) COLLATE "C")'


def values_of(connection: Connection, values: Sequence[Any]) -> Select:
    """SELECT value FROM the values sent as one parameter (SQLite: a JSON array): for `column.in_(…)`
    however many they are."""
    if is_sqlite(connection):
        table = func.json_each(json.dumps(list(values))).table_valued("value")
    else:  # a server takes a list as an array
        table = func.unnest(literal(list(values), ARRAY(String))).table_valued("value").render_derived()
    return select(table.c.value)


def json_items(connection: Connection, document: str, key: str, alias: str = "j") -> str:
    """A FROM item over the array at `key` of the JSON text `document` (a column): its items as j.value."""
    if is_sqlite(connection):
        return f"json_each({document}, '$.{key}') {alias}"
    return f"json_array_elements(CAST({document} AS json)->'{key}') {alias}(value)"


def json_has(connection: Connection, document: str, key: str) -> str:
    """Whether the JSON text `document` has `key` (its value may be null)."""
    if is_sqlite(connection):
        return f"json_type({document}, '$.{key}') IS NOT NULL"
    return f"CAST({document} AS json)->'{key}' IS NOT NULL"


def _on_a_server(name: str, server_sql: str, doc: str) -> type[FunctionElement]:
    """A text expression that is its argument itself on SQLite and `server_sql` (its argument as {}) on a
    server."""

    element = type(name, (FunctionElement,), {"type": String(), "name": name, "inherit_cache": True, "__doc__": doc})

    @compiles(element)
    def _server(element, compiler, **kw):
        return server_sql.format(compiler.process(element.clauses, **kw))

    @compiles(element, "sqlite")
    def _sqlite(element, compiler, **kw):
        return compiler.process(element.clauses, **kw)

    return element


date_text = _on_a_server(
    "date_text", "to_char({}, 'YYYY-MM-DD')",
    """A date column as the ISO text SQLite holds ("YYYY-MM-DD"): the column itself there (no date object
    made for every row), to_char on a server, whose driver would hand back date objects.""",
)  # fmt: skip
_ascii_lowered = _on_a_server(
    "ascii_lowered", 'lower(({}) COLLATE "C")',
    """Text as LIKE compares it ignoring ASCII case: itself on SQLite, whose LIKE ignores ASCII case
    already; lower() in the C collation on a server, whose LIKE heeds case (ascii_folded).""",
)  # fmt: skip


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def contains_any_case(column, text: str) -> ColumnElement:
    """Whether the column holds `text`, ignoring ASCII case on both engines (SQLite's LIKE); % and _ are
    plain characters."""
    return _ascii_lowered(column).contains(text.translate(_ASCII_LOWER), autoescape=True)
