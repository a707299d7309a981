"""The audit trail read back: the history of one record, and the whole trail filtered and exported.

A record's history is every entry about its own row, the rows that belong to it (an obligation's
obligors and dependencies, an event's actors and links: their ids start with the record's) and, for an
obligation, its assessments; for an imported event, the one bulk entry of the import that brought it in
(db.event_import writes one entry per file, naming its events). Each entry says what changed, field
by field, before and after, as the trail recorded it.
"""

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from db.atomic_file import write_atomically
from db.audit import record_name
from db.event_csv import protect
from db.models import Assessment, AuditEntry, Event, Obligation

TRAIL_LIMIT = 5000  # rows a screen shows at once; the export writes every match
_HIDDEN = frozenset({"version"})  # bookkeeping every update changes
# an import's entry lists its events and a digest: the history says so in words, not in thousands of ids
_BULK_KEYS = frozenset({"event_ids", "columns", "chunk", "digest"})


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    who: str
    action: str
    operation: str
    table_name: str
    row_id: str
    changes: tuple[Change, ...]

    def what(self) -> str:
        """One line: "changed: title: 'Old' → 'New'; …", what was added or removed, or what an import or an
        upgrade did."""
        if self.operation == "migrate":
            added = next((c.after for c in self.changes if c.field == "added"), None) or {}
            columns = [f"{table}.{column}" for table, names in added.items() for column in names]
            return f"schema upgraded; columns added: {', '.join(columns)}" if columns else "schema upgraded"
        if self._bulk():
            count = next((c.after for c in self.changes if c.field == "events"), None)
            return f"imported with {count:,} events from {self._value('file_name')}" if count else "imported"
        verb = {"insert": "added", "delete": "removed"}.get(self.operation, "changed")
        fields = self._fields()
        return f"{verb}: " + "; ".join(fields) if fields else verb

    def in_full(self) -> str:
        """The entry as a few lines: when, who and what, then each field changed on a line of its own."""
        head = f"{self.at.astimezone():%Y-%m-%d %H:%M:%S} — {self.who} — {self.action} ({self.operation} {self.table_name})"
        body = [self.what()] if self.operation == "migrate" or self._bulk() else self._fields()
        return "\n".join([head, *body])

    def _fields(self) -> list[str]:
        if self.operation == "update":
            return [f"{c.field}: {_shown(c.before)} → {_shown(c.after)}" for c in self.changes]
        side = "after" if self.operation == "insert" else "before"
        return [f"{c.field}: {_shown(getattr(c, side))}" for c in self.changes if getattr(c, side) is not None]

    def _bulk(self) -> bool:
        return any(c.field == "events" for c in self.changes)

    def _value(self, name: str) -> Any:
        return next((c.after for c in self.changes if c.field == name), None)


def _shown(value: Any) -> str:
    return "—" if value is None or value == "" else repr(value) if isinstance(value, str) else str(value)


def changes_of(operation: str, before: str | None, after: str | None) -> tuple[Change, ...]:
    """The fields an entry changed: for an update those that differ, else every field it holds."""
    old, new = json.loads(before) if before else {}, json.loads(after) if after else {}
    if _BULK_KEYS & new.keys():  # an import: its file and how many events, not the ids themselves
        kept = {k: v for k, v in new.items() if k not in _BULK_KEYS}
        return tuple(Change(k, None, v) for k, v in kept.items()) + (Change("events", None, len(new["event_ids"])),)
    names = [n for n in dict.fromkeys([*old, *new]) if n not in _HIDDEN and n != "id"]
    if operation == "update":
        names = [n for n in names if old.get(n) != new.get(n)]
    if operation == "migrate":
        return (Change("added", None, new.get("added")),)
    return tuple(Change(n, old.get(n), new.get(n)) for n in names)


def _entry(row: AuditEntry) -> HistoryEntry:
    return HistoryEntry(
        row.id, row.at, row.who, row.action, row.operation, row.table_name, row.row_id,
        changes_of(row.operation, row.before, row.after),
    )  # fmt: skip


def record_history(session: Session, table: str, record_id: str) -> list[HistoryEntry]:
    """Every entry about the record and what belongs to it, newest first."""
    mine = or_(
        and_(AuditEntry.table_name == table, AuditEntry.row_id == record_id),
        col(AuditEntry.row_id).startswith(f"{record_id}/"),  # its link rows (obligor, actor, link…)
    )
    if table == "obligation":
        assessments = select(Assessment.id).where(Assessment.obligation_id == record_id)
        mine = or_(mine, and_(AuditEntry.table_name == "assessment", col(AuditEntry.row_id).in_(assessments)))
    if table == "event":
        imported = select(Event.import_file_id).where(Event.id == record_id).scalar_subquery()
        mine = or_(mine, and_(AuditEntry.table_name == "event", AuditEntry.row_id == imported))
    rows = session.exec(select(AuditEntry).where(mine).order_by(col(AuditEntry.id).desc())).scalars()
    return [_entry(row) for row in rows]


def named_history(session: Session, table: str, record_id: str) -> tuple[str, list[HistoryEntry]]:
    """How the record is named (db.audit.record_name) and its history; a record deleted keeps its history."""
    row = session.get({"obligation": Obligation, "event": Event}[table], record_id)
    name = record_name(row) if row is not None else f"A deleted {table}"
    return name, record_history(session, table, record_id)


@dataclass(frozen=True)
class TrailFilter:
    who: str = ""  # a part of the name
    action: str = ""  # a part of the action's text ("Import", "Undo")
    table: str = ""  # the record's kind: obligation, event, assessment…
    record: str = ""  # a record id or its first characters
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list:
        found = []
        if self.who:
            found.append(col(AuditEntry.who).icontains(self.who, autoescape=True))
        if self.action:
            found.append(col(AuditEntry.action).icontains(self.action, autoescape=True))
        if self.table:
            found.append(AuditEntry.table_name == self.table)
        if self.record:
            found.append(col(AuditEntry.row_id).startswith(self.record, autoescape=True))
        if self.since:
            found.append(AuditEntry.at >= datetime.combine(self.since, time.min).astimezone())
        if self.until:
            found.append(AuditEntry.at < datetime.combine(self.until + timedelta(days=1), time.min).astimezone())
        return found


def trail(
    session: Session, wanted: TrailFilter | None = None, limit: int | None = TRAIL_LIMIT
) -> tuple[list[HistoryEntry], int]:
    """The newest entries matching the filter (at most `limit`), and how many match in all."""
    where = (wanted or TrailFilter()).conditions()
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*where)).scalar_one()
    query = select(AuditEntry).where(*where).order_by(col(AuditEntry.id).desc())
    rows = session.exec(query.limit(limit) if limit else query).scalars()
    return [_entry(row) for row in rows], total


def tables(session: Session) -> list[str]:
    """The kinds of record the trail names, for a filter's choices."""
    return list(session.exec(select(AuditEntry.table_name).distinct().order_by(AuditEntry.table_name)).scalars())


TRAIL_COLUMNS = ("entry", "at", "who", "action", "operation", "record", "record_id", "what")


def trail_cells(entry: HistoryEntry) -> list[str]:
    """One CSV row: every text cell protected from a spreadsheet's formulas (db.event_csv.protect)."""
    values = [str(entry.id), entry.at.isoformat(), entry.who, entry.action, entry.operation, entry.table_name,
              entry.row_id, entry.what()]  # fmt: skip
    return [values[0], values[1], *(protect(v) for v in values[2:])]


def write_trail_csv(entries: Iterable[HistoryEntry], path: Path) -> int:
    """The entries as UTF-8 CSV (with the byte-order mark Excel needs), written whole or not at all."""

    def write(handle) -> int:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(TRAIL_COLUMNS)
        rows = [trail_cells(entry) for entry in entries]
        writer.writerows(rows)
        return len(rows)

    return write_atomically(path, write, encoding="utf-8-sig")
