"""A digest of everything a database holds, to prove that a refused action changed nothing."""

import hashlib
import sqlite3
from pathlib import Path


def content_digest(path: Path) -> str:
    """Every row of every table (the audit trail included), in a stable order."""
    connection = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for (table,) in tables.fetchall():
            digest.update(table.encode())
            for row in sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"'))):
                digest.update(row.encode())
        return digest.hexdigest()
    finally:
        connection.close()
