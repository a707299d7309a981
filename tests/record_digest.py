"""A digest of everything a database holds, to prove that a refused action changed nothing."""

import hashlib
import sqlite3
from pathlib import Path

from db.search import is_index_table
from db.team_server import CHAIN_TABLES


def content_digest(path: Path) -> str:
    """Every row of every table (the audit trail included), in a stable order."""
    connection = sqlite3.connect(path)
    try:
        return _digest(connection)
    finally:
        connection.close()


def store_digest(store, record_only: bool = False) -> str:
    """The same digest read through an open Store's own engine: opening the file a second time in the
    process would drop the store's POSIX locks (DESIGN.md, "Keeping the record whole").

    `record_only`: the record's rows without the audit trail (which an undo extends; on a server with its
    chain's head row), the search index
    (its row numbers follow each write; `search_digest` compares its text) and the version columns (which
    an undo counts on): what an undo must put back exactly."""
    connection = store.engine.raw_connection()
    try:
        return _digest(connection.driver_connection, record_only)
    finally:
        connection.close()


_TABLES = {
    sqlite3.Connection: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    "server": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
}


def table_names(connection) -> list[str]:
    """The tables of a driver's connection (sqlite3's or psycopg's), by name."""
    return [name for (name,) in connection.execute(_TABLES.get(type(connection), _TABLES["server"])).fetchall()]


def _digest(connection, record_only: bool = False) -> str:
    digest = hashlib.sha256()
    for table in table_names(connection):
        if record_only and (table == "auditentry" or table in CHAIN_TABLES or is_index_table(table)):
            continue
        cursor = connection.execute(f'SELECT * FROM "{table}"')
        names = [column[0] for column in cursor.description]
        keep = [i for i, name in enumerate(names) if not (record_only and name == "version")]
        digest.update(f"{table}{[names[i] for i in keep]}".encode())
        for row in sorted(repr(tuple(row[i] for i in keep)) for row in cursor):
            digest.update(row.encode())
    return digest.hexdigest()


def search_digest(store) -> str:
    """What the search index holds, whatever its row numbers: which record is found by which text."""
    connection = store.engine.raw_connection()
    try:
        rows = connection.driver_connection.execute(
            "SELECT kind, record_id, goes_to, agreement_id, heading, body FROM search_source ORDER BY kind, record_id"
        ).fetchall()
        return hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        connection.close()
