"""Fetching the row an officer acts on, refused in one sentence when another desk has deleted it; deleting one for an undo."""

from typing import TypeVar

from sqlmodel import Session, SQLModel

from db.errors import RecordError

Row = TypeVar("Row", bound=SQLModel)


def get_or_refuse(session: Session, model: type[Row], row_id: str, what: str) -> Row:
    row = session.get(model, row_id)
    if row is None:
        raise RecordError(f"That {what} is no longer in the record; it may have been deleted elsewhere.")
    return row


def delete_if_there(session: Session, model: type[Row], row_id: str) -> Row | None:
    """Delete the row (an undo of its insert); None, and nothing done, if it is gone already."""
    row = session.get(model, row_id)
    if row is not None:
        session.delete(row)
        session.flush()
    return row
