"""This desk: its id, and what it knows of the other desks it exchanges with (db/exchange.py).

A desk is a database file. Its id is a UUID taken when the file is made, with the file's identity
(device and inode) and the machine's (/etc/machine-id, else the network address Python reports). Every
open for writing compares them with the file it opened: a file copied, or restored from a backup as a
new file, or opened on another machine, is another desk and takes a new id (`claim`); a restore in place
takes one too (db.backup.restore), since it winds the desk's history back. Limits: a file moved within
one disk keeps its inode and its id, which is right (it is the same desk); a copy that keeps the inode
(a disk image restored whole, a virtual machine's snapshot) is not detected; a network share or a disk
that renumbers inodes makes a desk take new ids it did not need, which costs nothing but a new name in
the others' knowledge.

Each desk id owns the audit entries written after the one that was newest when it was taken
(`from_entry`): a change's place in the desk's history is its entry's id, the counter that version
vectors count in (never a clock).
"""

import os
import uuid
from pathlib import Path

from sqlalchemy import text

from db import server
from db.clock import utc_now
from db.dialects import append_only, greatest, guarded_operations, later_rows_last
from db.ids import new_id
from db.location import Server

TABLES = ("desk_identity", "desk_knowledge", "received_change", "received_entry")
CREATE = (
    # The ids this file has had, the newest last; each owns the entries after from_entry.
    "CREATE TABLE desk_identity (desk_id VARCHAR(36) PRIMARY KEY, from_entry INTEGER NOT NULL, "
    "file_device INTEGER NOT NULL, file_inode INTEGER NOT NULL, machine TEXT NOT NULL, "
    "taken_at TEXT NOT NULL, reason TEXT NOT NULL)",
    # The newest change of each other desk this desk has taken in (directly or relayed): a version vector.
    "CREATE TABLE desk_knowledge (desk_id VARCHAR(36) PRIMARY KEY, counter INTEGER NOT NULL)",
    # The row versions taken from another desk: whose change a row holds (desk, counter), as of the
    # local entry at_entry (a later local entry of the row makes it this desk's change again); deleted
    # rows are tombstones.
    "CREATE TABLE received_change (table_name TEXT NOT NULL, row_id TEXT NOT NULL, desk_id VARCHAR(36) NOT NULL, "
    "counter INTEGER NOT NULL, at_entry INTEGER NOT NULL, deleted BOOLEAN NOT NULL, PRIMARY KEY (table_name, row_id))",
    # The other desks' audit trails as received, by the chain (sending desk) they came in.
    "CREATE TABLE received_entry (chain VARCHAR(36) NOT NULL, id INTEGER NOT NULL, at TEXT NOT NULL, who TEXT NOT NULL, "
    "action TEXT NOT NULL, operation TEXT NOT NULL, table_name TEXT NOT NULL, row_id TEXT NOT NULL, before TEXT, "
    "after TEXT, hash VARCHAR(64) NOT NULL, bundle VARCHAR(64) NOT NULL, PRIMARY KEY (chain, id))",
)


def create_statements(dialect_name: str) -> list[str]:
    """The tables, and the received trails made append-only as this desk's own."""
    return [*CREATE, *(
        statement
        for operation in guarded_operations(dialect_name)
        for statement in append_only(dialect_name, "received_entry", f"received_entry_no_{operation.lower()}",
                                     operation, "received audit entries are append-only")
    )]  # fmt: skip


def machine() -> str:
    for marker in (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id")):
        try:
            text = marker.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text:
            return text
    return f"node-{uuid.getnode():012x}"


def _last_entry(connection) -> int:
    return connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM auditentry").scalar_one()


def current(connection) -> tuple[str, int, int, str] | None:
    """(desk id, device, inode, machine) of the newest id, None before the first."""
    row = connection.exec_driver_sql(
        "SELECT desk_id, file_device, file_inode, machine FROM desk_identity "
        f"ORDER BY from_entry DESC, {later_rows_last(connection)} DESC LIMIT 1"
    ).first()
    return tuple(row) if row else None


def _here(location: Path | Server, connection=None) -> tuple[int, int, str]:
    if isinstance(location, Server):
        return server.identity(connection)
    status = os.stat(location)
    return status.st_dev, status.st_ino, machine()


def claimed(connection, location: Path | Server) -> str | None:
    """The desk id, if the database is the one it was taken for (else a copy not yet opened for writing)."""
    found = current(connection)
    return found[0] if found is not None and found[1:] == _here(location, connection) else None


def claim(store) -> str:
    """The desk id of the store's file; a new one if the file is not the one the newest id was taken for."""
    with store.reading() as session:
        found = current(session.connection())
        desk_id = claimed(session.connection(), store.location)
        here = _here(store.location, session.connection())[2]
    if desk_id is not None:
        return desk_id
    reason = "the database was made" if found is None else (
        "the file is a copy or was restored as a new file" if found[3] == here else "the file was opened on another machine"
    )  # fmt: skip
    return renew(store, reason)


RENEW = (
    "INSERT INTO desk_identity SELECT :desk_id, (SELECT coalesce(max(id), 0) FROM auditentry), :device, :inode, "
    ":machine, :taken_at, :reason"
)


def new_identity(here: tuple[int, int, str], reason: str) -> dict:
    """The parameters of RENEW: a new desk id for the changes from now on (the old ids keep theirs)."""
    device, inode, on = here
    return {"desk_id": new_id(), "device": device, "inode": inode, "machine": on, "taken_at": utc_now().isoformat(),
            "reason": reason}  # fmt: skip


def file_identity(path: Path) -> tuple[int, int, str]:
    return _here(path)


def renew(store, reason: str) -> str:
    with store.writing("Take a new desk id") as session:
        parameters = new_identity(_here(store.location, session.connection()), reason)
        session.connection().execute(text(RENEW), parameters)
    return parameters["desk_id"]


def desk_id(connection) -> str:
    found = current(connection)
    if found is None:
        raise RuntimeError("the database has no desk id; Store.open takes one")
    return found[0]


def identities(connection) -> list[tuple[str, int]]:
    """(desk id, from_entry) of every id this file has had, oldest first."""
    return [tuple(r) for r in connection.exec_driver_sql(
        f"SELECT desk_id, from_entry FROM desk_identity ORDER BY from_entry, {later_rows_last(connection)}")]


def owner_of(identities_: list[tuple[str, int]], entry_id: int) -> str:
    """The desk id that wrote this entry: the newest id taken before it."""
    owner = identities_[0][0]
    for candidate, from_entry in identities_:
        if from_entry < entry_id:
            owner = candidate
    return owner


def knowledge(connection) -> dict[str, int]:
    """What this desk holds of every desk: its own ids' newest entries and what it received (a version vector)."""
    known = dict(connection.exec_driver_sql("SELECT desk_id, counter FROM desk_knowledge").all())
    owned = identities(connection)
    last = _last_entry(connection)
    for index, (owner, _from_entry) in enumerate(owned):
        until = owned[index + 1][1] if index + 1 < len(owned) else last
        known[owner] = max(known.get(owner, 0), until)
    return known


def learn(connection, received: dict[str, int]) -> None:
    """Raise this desk's knowledge to what a whole bundle said its sender held."""
    mine = desk_id(connection)  # its own former ids learn too: a copy's original went on under them
    for other, counter in received.items():
        if other != mine:
            connection.execute(
                text("INSERT INTO desk_knowledge VALUES (:desk, :counter) ON CONFLICT (desk_id) DO UPDATE SET counter = "
                     f"{greatest(connection)}(desk_knowledge.counter, excluded.counter)"),
                {"desk": other, "counter": counter},
            )
