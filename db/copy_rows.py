"""Bulk rows into a PostgreSQL server through COPY (psycopg's cursor.copy): what an INSERT per row is to
SQLite, COPY is to a server, which otherwise parses, plans and acknowledges every row of an executemany.

db.bulk prepares the rows as for any driver (the values its column types convert, converted once) and
hands them here on a server; the rows go in the connection's own transaction, so a refusal or a cancel
takes them back with the rest of the action. tests/bench_copy.py measures it beside a raw COPY.
"""

from collections.abc import Sequence
from typing import Any

from psycopg import sql
from sqlalchemy import Connection


def copy_rows(connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()
