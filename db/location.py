"""Where a record lives: a database file (SQLite, the offline desk) or a PostgreSQL server (the team's).

What the officer types after --db (or `init`) is a path, unless it is a `postgresql://` address. The
address is kept as SQLAlchemy's URL for the psycopg 3 driver (SQLAlchemy reads a bare `postgresql://` as
psycopg2); a password in it is used to connect but never shown or remembered: `shown` and `remembered`
leave it out, so ~/.pgpass (or PGPASSWORD) is where a password belongs.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from db.errors import DatabaseError

SCHEMES = ("postgresql", "postgres")
DRIVER = "postgresql+psycopg"


@dataclass(frozen=True)
class Server:
    """A database on a PostgreSQL server."""

    url: URL  # for the driver: postgresql+psycopg, the password if one was given

    @property
    def database(self) -> str:
        return self.url.database or ""

    @property
    def host(self) -> str:
        """The server as libpq finds it: the host name, or the socket folder of ?host=…"""
        return self.url.host or str(self.url.query.get("host", "")) or "localhost"

    @property
    def remembered(self) -> str:
        """The address as the officer would type it, without the password (recent lists, settings)."""
        # URL.set(password=None) keeps the password (None there means "unchanged")
        address = self.url._replace(drivername="postgresql", password=None).render_as_string(hide_password=False)
        return unquote(address)  # ?host=/run/postgresql as typed, not %2Frun%2Fpostgresql

    @property
    def name(self) -> str:
        """How a title bar names it: "accord on db.example.org"."""
        return f"{self.database} on {self.host}"

    def __str__(self) -> str:
        return self.remembered

    def with_database(self, database: str) -> "Server":
        return Server(self.url.set(database=database))


Location = Path | Server


def is_server_address(text: str) -> bool:
    return text.split(":", 1)[0].split("+", 1)[0].lower() in SCHEMES and "://" in text


def parse_location(text: str | Path) -> Location:
    """A path, or the server a `postgresql://USER@HOST/NAME` address names. Raises DatabaseError for an
    address that cannot be read."""
    if isinstance(text, Path | Server):
        return text
    if not is_server_address(text):
        return Path(text)
    try:
        url = make_url(text)
    except ArgumentError:
        url = None
    if url is None or not url.database:
        raise DatabaseError(
            f"{_without_password(text)} is not a database address; write it as postgresql://USER@HOST/NAME."
        )
    return Server(url.set(drivername=DRIVER))


def _without_password(text: str) -> str:
    head, at, tail = text.rpartition("@")
    if not at or "://" not in head:
        return text
    scheme, _, credentials = head.partition("://")
    return f"{scheme}://{credentials.split(':', 1)[0]}@{tail}"


def shown(location: Location) -> str:
    """The location as sentences name it (a server's address without its password)."""
    return str(location)


def same_database(one: Location, other: Location) -> bool:
    """Whether two locations name one database (a file by its identity, so a link or another spelling is it too)."""
    if isinstance(one, Server) or isinstance(other, Server):
        return isinstance(one, Server) and isinstance(other, Server) and one.remembered == other.remembered
    return one.exists() and other.exists() and os.path.samefile(one, other)
