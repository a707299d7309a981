"""The record on a PostgreSQL server: the engine, what the server's refusals mean, making the database.

One user action is still one transaction, and writers still take turns as on a file (BEGIN IMMEDIATE
there): a writing transaction first takes a transaction-level advisory lock of its database, so the
content digest's figures and the audit chain, which each action reads and then writes, never interleave;
a writer waiting longer than LOCK_WAIT is told to try again. Reads run in REPEATABLE READ READ ONLY
transactions: one snapshot, as a deferred transaction on a file gives. Sessions speak UTC, so the
record's datetimes come back as they went in.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError

from db import team_server
from db.errors import DatabaseError, StorageError
from db.location import Server

WRITER_LOCK = 0x4163636F7264  # "Accord": advisory locks are per database, so one key serves every record
LOCK_WAIT_MS = 5000  # as busy_timeout on a file
_MODES = {
    "READ": "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    "IMMEDIATE": f"SELECT pg_advisory_xact_lock({WRITER_LOCK})",
}


def make_engine(server: Server, begin_key: str, read_only: bool = False) -> Engine:
    options = f"-c timezone=UTC -c lock_timeout={LOCK_WAIT_MS}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    engine = create_engine(
        server.url, connect_args={"options": options, "application_name": team_server.APPLICATION}, pool_pre_ping=True
    )

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        statement = _MODES.get(connection.info.get(begin_key, ""))
        if statement is not None:
            connection.exec_driver_sql(statement)

    return engine


def _sentence(server: Server, error) -> DatabaseError | None:
    """What the server's refusal means, in one sentence; None for errors of the record's own rules."""
    import psycopg

    if not isinstance(error, psycopg.Error):
        return None
    state = error.sqlstate or ""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    # A refused connection has no SQLSTATE, only the server's FATAL line in the message
    message = " ".join(message.rpartition("FATAL:")[2].split())
    if not state and "role" in message and "does not exist" in message:
        state = "28000"
    where = server.remembered
    if state in ("40001", "40P01"):
        return StorageError(
            f"Another officer changed the same records at the same moment on {server.name}; nothing was saved. "
            "Try again."
        )
    if state == "55P03":
        return StorageError(
            f"{server.name} is busy with another officer's change; nothing was saved. Try again in a moment."
        )
    if state == "3D000" or "does not exist" in message and "database" in message:
        return DatabaseError(
            f"{where}: the server has no database {server.database}; check the name, or create it with "
            f"'accord-desk init {where}'."
        )
    if state in ("28P01", "28000") or "authentication failed" in message or "no password supplied" in message:
        return DatabaseError(
            f"{where}: the server refused the login of {server.url.username or 'this account'} ({message}); "
            "check the user name, and put the password in ~/.pgpass."
        )
    if state == "42501" and (said := team_server.refusal_sentence(error, server.url.username or "")):
        return StorageError(said)
    if state == "42501":
        return StorageError(
            f"{where}: the server refused this ({message}); nothing was changed. Ask the team database's "
            "administrator for the rights it needs."
        )
    if state == "25006":
        return StorageError(f"{where} is open read-only; nothing was changed.")
    if state in ("53100", "53200", "53300"):
        return StorageError(
            f"{server.name} cannot take this now ({message}); nothing was saved. Tell its administrator, then try again."
        )
    if isinstance(error, psycopg.OperationalError) and not state:
        return DatabaseError(
            f"{where}: the server cannot be reached ({message}); check the address, and that the server is running."
        )
    if state.startswith("57P") or state.startswith("08"):
        return StorageError(
            f"{where}: the connection to the server was lost ({message}); nothing was saved. Try again."
        )
    return None


def refusal(server: Server, error: BaseException) -> DatabaseError | None:
    return _sentence(server, error.orig if isinstance(error, DBAPIError) else error)


@contextmanager
def refusals_explained(server: Server) -> Iterator[None]:
    try:
        yield
    except DBAPIError as error:
        translated = refusal(server, error)
        if translated is None:
            raise
        raise translated from None


def _driver_connect(server: Server):
    import psycopg

    url = server.url
    parameters = {
        "dbname": url.database, "user": url.username, "password": url.password, "host": url.host,
        "port": url.port, **{key: value for key, value in url.query.items() if isinstance(value, str)},
    }  # fmt: skip
    try:
        return psycopg.connect(**{key: value for key, value in parameters.items() if value is not None},
                               autocommit=True)  # fmt: skip
    except psycopg.Error as error:
        raise refusal(server, error) or DatabaseError(f"{server}: {error}") from None


def database_exists(server: Server) -> bool:
    """Whether the server has the database (asked of its maintenance database, `postgres`)."""
    with _driver_connect(server.with_database("postgres")) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (server.database,)).fetchone() is not None


def create_database(server: Server) -> None:
    """CREATE DATABASE, which needs the CREATEDB right (or an existing empty database made by an administrator)."""
    import psycopg
    from psycopg import sql

    with _driver_connect(server.with_database("postgres")) as connection:
        try:
            connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                sql.Identifier(server.database)))  # fmt: skip
        except psycopg.errors.InsufficientPrivilege:
            raise DatabaseError(
                f"{server}: this account may not create databases on the server; ask its administrator to "
                f"create the empty database {server.database} (createdb -O {server.url.username or 'YOU'} "
                f"{server.database}), then run init again."
            ) from None


def drop_database(server: Server) -> None:
    from psycopg import sql

    with _driver_connect(server.with_database("postgres")) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(server.database)))


def tables(connection: Connection) -> set[str]:
    return set(connection.execute(text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")).scalars())  # fmt: skip


def revision(server: Server, connection: Connection) -> str:
    """The schema revision of the server's Accord Desk database."""
    names = tables(connection)
    if "alembic_version" not in names or "obligation" not in names:
        raise DatabaseError(
            f"{server} is a PostgreSQL database but not an Accord Desk one; make one with 'accord-desk init {server}'."
        )
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    if row is None:
        raise DatabaseError(f"{server} has no schema version; it was not made by Accord Desk.")
    return row[0]


def identity(connection: Connection) -> tuple[int, int, str]:
    """The desk identity of a database on a server, as (device, inode, machine) are a file's: its oid
    (a dump restored into another database is another desk) on the server it lives on."""
    oid = connection.execute(text("SELECT oid FROM pg_database WHERE datname = current_database()")).scalar_one()
    return 0, int(oid), "postgresql"
