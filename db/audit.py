"""The audit trail: every change to the record, who made it, when, and the row before and after.

Changes made through the ORM are captured in one place, the session's before_flush hook, so no
service can forget to audit. Bulk writes through SQLAlchemy Core call `record` themselves.
"""

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlmodel import Session, SQLModel

from db.bulk import bulk_insert_rows
from db.clock import utc_now
from db.models import AuditEntry

READ_ONLY = "accord_desk_read_only"
_WHO = "accord_desk_who"
_ACTION = "accord_desk_action"
_OUTSIDE = "the record was changed outside Store.writing(); changes must be audited"


def attach(session: Session, *, who: str, action: str) -> None:
    session.info[_WHO] = who
    session.info[_ACTION] = action


def who(session: Session) -> str:
    return session.info.get(_WHO, "")


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


def _row_id(row: SQLModel) -> str:
    identity = inspect(row).mapper.primary_key_from_instance(row)
    return "/".join(str(part) for part in identity)


def _dump(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


def record(
    session: Session,
    operation: str,
    table_name: str,
    row_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add one audit entry to the session's transaction."""
    session.add(_entry(session, operation, table_name, row_id, before, after))


def record_many(session: Session, entries: Iterable[tuple[str, str, str, dict | None, dict | None]]) -> None:
    """Audit entries for a bulk write made through SQLAlchemy Core, inserted the same way.

    Each entry is (operation, table name, row id, before, after), as for `record`.
    """
    if session.info.get(READ_ONLY) or _ACTION not in session.info:
        raise RuntimeError(_OUTSIDE)
    bulk_insert_rows(session.connection(), AuditEntry, [_entry_values(session, *entry) for entry in entries])


def _entry_values(session, operation, table_name, row_id, before, after) -> dict[str, Any]:
    return {
        "at": utc_now(),
        "who": session.info[_WHO],
        "action": session.info[_ACTION],
        "operation": operation,
        "table_name": table_name,
        "row_id": row_id,
        "before": _dump(before),
        "after": _dump(after),
    }


def _entry(session, operation, table_name, row_id, before, after) -> AuditEntry:
    return AuditEntry(**_entry_values(session, operation, table_name, row_id, before, after))


@event.listens_for(Session, "before_flush")
def _audit_changes(session: Session, _context, _instances) -> None:
    changed = [r for r in (*session.new, *session.dirty, *session.deleted) if not isinstance(r, AuditEntry)]
    if not changed:
        return
    if session.info.get(READ_ONLY) or _ACTION not in session.info:
        raise RuntimeError(_OUTSIDE)
    entries = []
    for row in session.new:
        if not isinstance(row, AuditEntry):
            entries.append(_entry(session, "insert", row.__tablename__, _row_id(row), None, row_values(row)))
    for row in session.dirty:
        if session.is_modified(row, include_collections=False):
            before, after = _values_before_change(row), row_values(row)
            if before != after:
                entries.append(_entry(session, "update", row.__tablename__, _row_id(row), before, after))
    for row in session.deleted:
        entries.append(
            _entry(session, "delete", row.__tablename__, _row_id(row), _values_before_change(row), None)
        )
    session.add_all(entries)
