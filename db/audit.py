"""The audit trail: every change to the record, who made it, when, and the row before and after.

Changes made through the ORM are captured in one place, the session's before_flush hook, so no
service can forget to audit. Bulk writes through SQLAlchemy Core call `record_many` themselves.

The trail is a hash chain: each entry's `hash` is SHA-256 over the previous entry's hash and the
entry's own content (`entry_hash`), so a forged, altered or removed entry breaks every hash after it.
Entries get their ids here, in order, inside the writer's transaction (BEGIN IMMEDIATE: no other
writer can interleave), so the chain follows the ids.

The hook also keeps the row versions (db.models.Versioned): an update sets the next version, a
caller can name the versions it expects (`expect`, see Store.writing) and is refused with
StaleRecordError when a row it updates or deletes has another, and `versions_left` tells what the
transaction left behind.
"""

import hashlib
import io
import json
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, event, inspect, select
from sqlmodel import Session, SQLModel

from db import team_server
from db.bulk import bulk_insert_rows
from db.clock import utc_now
from db.dialects import driver_rows, is_sqlite, json_table
from db.errors import RecordError, StaleRecordError
from db.models import AuditEntry

READ_ONLY = "accord_desk_read_only"
_WHO = "accord_desk_who"
_ACTION = "accord_desk_action"
_EXPECT = "accord_desk_expect"
_LEFT = "accord_desk_versions_left"
_HEAD = "accord_desk_chain_head"
_READ = "accord_desk_versions_read"
_ATTEMPTED = "accord_desk_attempted"
_OUTSIDE = "the record was changed outside Store.writing(); changes must be audited"
GENESIS = "0" * 64  # the "previous hash" of the first entry

RowKey = tuple[str, str]  # (table name, row id as the trail writes it)


def attach(session: Session, *, who: str, action: str, expect: dict[RowKey, int] | None = None) -> None:
    if on_server(session):  # the server's triggers write the trail: who is the database role
        connection = session.connection()
        team_server.set_action(connection, action)
        who = team_server.session_role(connection)
    session.info[_WHO] = who
    session.info[_ACTION] = action
    session.info[_EXPECT] = dict(expect or {})
    session.info[_LEFT] = {}


def on_server(session: Session) -> bool:
    """Whether the session writes a team database, whose own triggers write the trail (db.team_server)."""
    return session.get_bind().dialect.name == "postgresql"


def attempted(session: Session) -> list[tuple[str, str, dict[str, Any]]]:
    """On a server, what the transaction tried to write through the ORM: (table, row id, values)."""
    return session.info.get(_ATTEMPTED, [])


def who(session: Session) -> str:
    return session.info.get(_WHO, "")


def versions_left(session: Session) -> dict[RowKey, int | None]:
    """Each row the transaction inserted, updated or deleted through the ORM: its version after, None if deleted."""
    return session.info.get(_LEFT, {})


def versions_read(session: Session) -> dict[RowKey, int]:
    """The version of each record row the session has loaded: what a form shows as it opens. Passed as
    `expect` to the write of its OK, an update of a row changed since is refused, not overwritten."""
    return dict(session.info.get(_READ, {}))


@event.listens_for(Session, "loaded_as_persistent")
def _note_version_read(session: Session, row) -> None:
    # Noted as rows load: the identity map holds rows weakly, and a form keeps only the values it shows.
    version = getattr(row, "version", None)
    if version is not None and not isinstance(row, AuditEntry):
        session.info.setdefault(_READ, {})[(row.__tablename__, row_id(row))] = version


def chain_head(session: Session) -> tuple[int, str] | None:
    """The newest entry this transaction appended (id, hash), None if it appended none."""
    return session.info.get(_HEAD)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def column_values(row: SQLModel) -> dict[str, Any]:
    """The row's column values as they are, e.g. to insert the row again."""
    return {column.key: getattr(row, column.key) for column in inspect(row).mapper.column_attrs}


def plain_values(values: dict[str, Any]) -> dict[str, Any]:
    """Column values as JSON-ready plain data."""
    return {key: _plain(value) for key, value in values.items()}


def row_values(row: SQLModel) -> dict[str, Any]:
    return plain_values(column_values(row))


def _values_before_change(row: SQLModel) -> dict[str, Any]:
    state = inspect(row)
    before = row_values(row)
    for attribute in state.mapper.column_attrs:
        history = state.attrs[attribute.key].history
        if history.deleted:
            before[attribute.key] = _plain(history.deleted[0])
    return before


def row_id(row: SQLModel) -> str:
    identity = inspect(row).mapper.primary_key_from_instance(row)
    return "/".join(str(part) for part in identity)


class IdList:
    """Ids for an entry's `after`, kept as their JSON text a chunk at a time: a bulk entry names every event
    an import added, and a million of them held as str objects in a list took 93 MB against 40 as text.
    Written once: `dump` hands its parts over to the entry's text (40 MB at a million ids), so the two are
    never held at once beside the copy the driver makes."""

    def __init__(self):
        self.parts: list[str] | None = []
        self.count = 0

    def extend(self, ids: list[str]) -> None:
        if ids:
            self.parts.append(json.dumps(ids, ensure_ascii=False)[1:-1])
            self.count += len(ids)

    def __len__(self) -> int:
        return self.count

    def handed_over(self) -> list[str]:
        """The list's JSON text in pieces, once: the list keeps none of it."""
        if self.parts is None:
            raise RuntimeError("an id list is written into one entry only")
        parts, self.parts = self.parts, None
        pieces = ["["]
        for at, part in enumerate(parts):
            pieces += [", ", part] if at else [part]
        return [*pieces, "]"]


def dump(values: dict[str, Any] | None) -> str | None:
    """An entry's before or after as the trail stores it: canonical JSON (an IdList as the list it holds)."""
    if values is None:
        return None
    lists = {key: value for key, value in values.items() if isinstance(value, IdList)}
    text = json.dumps({**values, **{key: _ID_LIST.format(key) for key in lists}}, ensure_ascii=False, sort_keys=True)
    pieces = [text]
    for key, ids in sorted(lists.items()):  # spliced in as text, in one join: the list is never made
        head, tail = pieces.pop().split(json.dumps(_ID_LIST.format(key)), 1)
        pieces += [head, *ids.handed_over(), tail]
    return "".join(pieces)


_ID_LIST = "\0id list {}\0"  # where an IdList goes: JSON writes the NULs escaped, no file name or key holds them
_SLICE = 1 << 20  # characters of a long text escaped at a time


def _canonical_parts(content: list[Any]) -> Iterator[str]:
    """json.dumps(content, ensure_ascii=False, separators=(",", ":")) in parts, long texts escaped a slice at
    a time (JSON escapes character by character): an import's entry is 40 MB at a million events."""
    yield "["
    for at, value in enumerate(content):
        if at:
            yield ","
        if isinstance(value, str) and len(value) > _SLICE:
            yield '"'
            for start in range(0, len(value), _SLICE):
                yield _COMPACT(value[start : start + _SLICE])[1:-1]
            yield '"'
        else:
            yield _COMPACT(value)
    yield "]"


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def entry_hash(previous: str, values: dict[str, Any]) -> str:
    """SHA-256 over the previous entry's hash and this entry's content, serialised canonically:
    a compact JSON array of id, time (ISO 8601, UTC), who, action, operation, table, row id, and
    before and after as stored (JSON text or null)."""
    content = [
        values["id"], values["at"].isoformat(), values["who"], values["action"], values["operation"],
        values["table_name"], values["row_id"], values["before"], values["after"],
    ]  # fmt: skip
    digest = hashlib.sha256(previous.encode())
    for part in _canonical_parts(content):
        digest.update(part.encode())
    return digest.hexdigest()


def last_entry(connection: Connection) -> tuple[int, str]:
    """(id, hash) of the newest entry in the file; (0, GENESIS) for an empty trail."""
    newest = connection.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (newest[0], newest[1]) if newest else (0, GENESIS)


def chain(connection: Connection, entries: list[dict[str, Any]]) -> tuple[int, str]:
    """Give the entries their ids and hashes, following the newest entry in the file; the new head."""
    last_id, last_hash = last_entry(connection)
    for values in entries:
        last_id += 1
        values["id"] = last_id
        values["hash"] = last_hash = entry_hash(last_hash, values)
    return last_id, last_hash


def _chain(session: Session, entries: list[dict[str, Any]]) -> None:
    if entries:
        session.info[_HEAD] = chain(session.connection(), entries)


def migration_entry(connection: Connection, revision: str, who: str, added: dict[str, dict[str, Any]]) -> None:
    """The entry of a schema upgrade: the columns it `added` ({table: {column: value every row got}}).

    db.integrity compares a row with an earlier entry only over the columns that entry recorded,
    and with these values for the columns added since.
    """
    values = {
        "at": utc_now(), "who": who, "action": f"Upgrade the record to schema {revision}",
        "operation": "migrate", "table_name": "", "row_id": revision, "before": None,
        "after": dump({"added": added}),
    }  # fmt: skip
    if team_server.is_server(connection) and team_server.installed(connection):
        team_server.note(connection, "migrate", "", revision, None, values["after"])
        return
    chain(connection, [values])
    bulk_insert_rows(connection, AuditEntry, [values])


def record_many(session: Session, entries: Iterable[tuple[str, str, str, dict | None, dict | None]]) -> None:
    """Audit entries for a bulk write made through SQLAlchemy Core, inserted the same way.

    Each entry is (operation, table name, row id, before, after).
    """
    if session.info.get(READ_ONLY) or _ACTION not in session.info:
        raise RuntimeError(_OUTSIDE)
    session.flush()  # entries pending in the session come first in the chain
    if on_server(session):
        return  # the server's triggers audited the rows as they were written
    values = [_entry_values(session, *entry) for entry in entries]
    _chain(session, values)
    bulk_insert_rows(session.connection(), AuditEntry, values)


def record_note(session: Session, operation: str, row_key: str, after: dict[str, Any]) -> None:
    """One entry of the application's own that names no record row (a receive's merge), after the entries
    of the rows written before it."""
    if not on_server(session):
        record_many(session, [(operation, "", row_key, None, after)])
        return
    session.flush()
    team_server.note(session.connection(), operation, "", row_key, None, dump(after))


def newest_entry(session: Session) -> int:
    """The id of the newest entry this transaction appended, for rows that name it (received_change); on a
    server a stand-in that its commit replaces with the id (team_server.at_commit)."""
    if on_server(session):
        return team_server.at_commit(session.connection())
    return chain_head(session)[0]


def _entry_values(session, operation, table_name, row_id, before, after) -> dict[str, Any]:
    return {
        "at": utc_now(),
        "who": session.info[_WHO],
        "action": session.info[_ACTION],
        "operation": operation,
        "table_name": table_name,
        "row_id": row_id,
        "before": dump(before),
        "after": dump(after),
    }


def stale_sentence(name: str) -> str:
    return f"{name} was changed since you read it (on another desk or by an import); reload and try again."


def record_name(row: SQLModel) -> str:
    """How a refusal names a row: the clause reference, the event's ACLED id, the actor's name."""
    table = row.__tablename__
    if table == "obligation":
        return row.ref
    if table == "agreement":
        return f"The agreement {row.short_title or row.title}"
    if table == "actor":
        return f"The actor {row.name}"
    if table == "event":
        return f"The event {row.external_id}" if row.external_id else f"The event of {row.occurred_on.isoformat()}"
    return f"A {table} row ({row_id(row)})"


def _check_expected(session: Session, row: SQLModel, version: int) -> None:
    expected = session.info[_EXPECT].get((row.__tablename__, row_id(row)), version)
    if expected != version:
        session.info.setdefault(_ATTEMPTED, []).append((row.__tablename__, row_id(row), row_values(row)))
        raise StaleRecordError(stale_sentence(record_name(row)))


@event.listens_for(Session, "before_flush")
def _audit_changes(session: Session, _context, _instances) -> None:
    changed = [r for r in (*session.new, *session.dirty, *session.deleted) if not isinstance(r, AuditEntry)]
    if not changed:
        return
    if session.info.get(READ_ONLY) or _ACTION not in session.info:
        raise RuntimeError(_OUTSIDE)
    left = session.info[_LEFT]
    entries = []
    for row in session.new:
        if not isinstance(row, AuditEntry):
            entries.append(_entry_values(session, "insert", row.__tablename__, row_id(row), None, row_values(row)))
            left[(row.__tablename__, row_id(row))] = row.version
    for row in session.dirty:
        if isinstance(row, AuditEntry) or not session.is_modified(row, include_collections=False):
            continue
        before = _values_before_change(row)
        if before == row_values(row):
            continue
        _check_expected(session, row, before["version"])
        row.version = before["version"] + 1
        entries.append(_entry_values(session, "update", row.__tablename__, row_id(row), before, row_values(row)))
        left[(row.__tablename__, row_id(row))] = row.version
    for row in session.deleted:
        before = _values_before_change(row)
        _check_expected(session, row, before["version"])
        entries.append(_entry_values(session, "delete", row.__tablename__, row_id(row), before, None))
        left[(row.__tablename__, row_id(row))] = None
    if on_server(session):
        _refuse_rows_of_other_agreements(session, entries)
        session.info.setdefault(_ATTEMPTED, []).extend(
            (e["table_name"], e["row_id"], json.loads(e["after"] or e["before"])) for e in entries
        )
        return  # the server's triggers write the trail
    _chain(session, entries)
    session.add_all(AuditEntry(**values) for values in entries)


def _refuse_rows_of_other_agreements(session: Session, entries: list[dict[str, Any]]) -> None:
    """The server hides rows of agreements the role may not edit from its updates and deletes (row-level
    security): asked first, the refusal says so rather than that the row changed meanwhile."""
    changing = [(e["table_name"], e["row_id"]) for e in entries if e["operation"] != "insert"]
    refused = team_server.refused_rows(session.connection(), changing)
    if refused:
        table_name, key = refused[0]
        raise RecordError(team_server.rights_sentence(session.info[_WHO], f"the {table_name} row {key}"))


# The head kept outside the file: a chain kept in the file it protects can be recomputed by whoever
# edits the file, so each committed write appends the new head to a log beside the database, and
# db.integrity compares the chain with the newest head it finds there.
def head_log(database: Path) -> Path:
    return database.with_name(f"{database.name}.audit-head")


class LoggedHead(NamedTuple):
    """A line of the head log: the head the trail must hold, when it was written, and the head it may
    hold instead (the one before a restore that was under way: a kill leaves either)."""

    entry_id: int
    entry_hash: str
    written: datetime | None
    or_else: tuple[int, str] | None = None

    def heads(self) -> list[tuple[int, str]]:
        return [(self.entry_id, self.entry_hash), *([self.or_else] if self.or_else else [])]


def note_head(database: Path, head: tuple[int, str] | None, or_else: tuple[int, str] | None = None) -> None:
    """Append the chain head a committed transaction left; one short line, no fsync (a lost line
    only makes the log lag, which the check allows). `or_else`: a head the trail may hold instead."""
    if head is None:
        return
    alternative = f" or {or_else[0]} {or_else[1]}" if or_else else ""
    try:
        with head_log(database).open("a", encoding="ascii") as log:
            log.write(f"{head[0]} {head[1]} {utc_now().isoformat()}{alternative}\n")
    except OSError:
        pass  # the record is committed; a folder that refuses the log only weakens the check, which says so


def newest_head(database: Path) -> LoggedHead | None:
    """The newest line of the head log, None if there is none."""
    try:
        with head_log(database).open("rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 512))
            lines = log.read().decode("ascii", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        parts = line.split()
        if len(parts) >= 2 and _is_head(parts[0], parts[1]):
            try:
                written = datetime.fromisoformat(parts[2]) if len(parts) > 2 else None
            except ValueError:
                written = None  # a line cut short by a kill: its id and hash are whole
            or_else = (int(parts[4]), parts[5]) if len(parts) >= 6 and _is_head(parts[4], parts[5]) else None
            return LoggedHead(int(parts[0]), parts[1], written, or_else)
    return None


def _is_head(entry_id: str, entry_hash: str) -> bool:
    return entry_id.isdigit() and len(entry_hash) == 64


def file_head(connection) -> tuple[int, str] | None:
    """(id, hash) of the newest entry of a database opened with sqlite3 (a backup), None before the chain."""
    try:
        head = connection.execute("SELECT id, hash FROM auditentry ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # a backup older than the chain has no hash column
        return None
    return tuple(head) if head else None


# The audit unit of a bulk insert (an import): ONE entry for all the events it added, with a digest
# of the rows it wrote (the events, their actor and obligation links), so checking them costs a hash
# rather than an entry per row. Chunk by chunk of the entry's event ids, the digest covers each bulk
# table's rows as the driver received them (SQLite hands the same values back): the events in the
# ids' order, each event's links by their second key. Each chunk's rows are pickled (protocol 5, no memo,
# so the bytes depend on the values only): JSON, from Python or from SQLite, cost the import of
# 100,000 events over a second, pickle a tenth of that (tests/bench_import.py).
BULK_TABLES = {"event": ("id", None), "eventactor": ("event_id", "actor_id"),
               "eventobligation": ("event_id", "obligation_id")}  # fmt: skip


def pickled(rows: list[tuple]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: equal values give equal bytes whichever objects hold them
    pickler.dump(rows)
    return buffer.getvalue()


class BulkDigest:
    """Fed each chunk's rows of every bulk table, in BULK_TABLES order, as the import writes them."""

    def __init__(self, chunk: int):
        self.chunk, self.columns, self.hash = chunk, {}, hashlib.sha256()

    def add(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if rows:
            self.columns[table] = columns
        self.hash.update(pickled(rows))

    def unit(self) -> dict[str, Any]:
        """What the entry records: the columns, the chunk size and the digest."""
        return {"columns": self.columns, "chunk": self.chunk, "digest": self.hash.hexdigest()}


def bulk_digest(connection: Connection, event_ids: list[str], unit: dict[str, Any], put_back: dict | None = None) -> str:
    """The digest of a bulk entry's rows as they are in the file now, computed as BulkDigest did.

    `put_back` ({table: (ids left out, rows in their place)}) is how db.integrity restores rows that
    later entries changed: an id left out is a row's ("E", or "E/A" for a link) or, for links, an
    event's (all its links); rows in place are tuples over the entry's columns.
    """
    digest = hashlib.sha256()
    for start in range(0, len(event_ids), unit["chunk"]):
        ids = event_ids[start : start + unit["chunk"]]
        for table, (key, second) in BULK_TABLES.items():
            columns = unit["columns"].get(table)
            if columns is None:
                digest.update(pickled([]))
                continue
            order = "j.key" + (f', r."{second}"' if second else "")
            selected = ", ".join(f'r."{name}"' for name in columns)
            rows = _as_handed(connection, driver_rows(  # the driver's own rows, as the import handed them over
                connection,
                f'SELECT {selected} FROM {json_table(connection, "ids")} JOIN "{table}" AS r ON r."{key}" = j.value '
                f"ORDER BY {order}",
                {"ids": json.dumps(ids)},
            ))  # fmt: skip
            if put_back and table in put_back:
                rows = _put_back(rows, columns, key, second, ids, *put_back[table])
            digest.update(pickled(rows))
    return digest.hexdigest()


def _as_handed(connection: Connection, rows: list[tuple]) -> list[tuple]:
    """A server's rows as they were handed to it: its times in UTC as Python's own UTC (the driver names
    the session's zone otherwise), so they pickle alike."""
    if is_sqlite(connection):
        return rows
    return [tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in row) for row in rows]


def _put_back(rows, columns, key, second, ids, left_out, in_place) -> list[tuple]:
    k = columns.index(key)
    s = columns.index(second) if second else None
    mine = set(ids)
    kept = [r for r in rows if r[k] not in left_out and (s is None or f"{r[k]}/{r[s]}" not in left_out)]
    kept += [r for r in in_place if r[k] in mine]
    position = {event_id: index for index, event_id in enumerate(ids)}
    return sorted(kept, key=lambda r: (position[r[k]], "" if s is None else r[s]))
