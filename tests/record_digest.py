"""A digest of everything a database holds, to prove that a refused action changed nothing."""

import hashlib
import sqlite3
from pathlib import Path


def content_digest(path: Path) -> str:
    """Every row of every table (the audit trail included), in a stable order."""
    connection = sqlite3.connect(path)
    try:
        return _digest(connection)
    finally:
        connection.close()


def store_digest(store) -> str:
    """The same digest read through an open Store's own engine: opening the file a second time in the
    process would drop the store's POSIX locks (DESIGN.md, "Keeping the record whole")."""
    connection = store.engine.raw_connection()
    try:
        return _digest(connection.driver_connection)
    finally:
        connection.close()


def _digest(connection) -> str:
    digest = hashlib.sha256()
    tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    for (table,) in tables.fetchall():
        digest.update(table.encode())
        for row in sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"'))):
            digest.update(row.encode())
    return digest.hexdigest()
