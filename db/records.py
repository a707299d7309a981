"""Fetching the row an officer acts on, refused in one sentence when another desk has deleted it."""

from typing import TypeVar

from sqlmodel import Session, SQLModel

from db.errors import RecordError

Row = TypeVar("Row", bound=SQLModel)


def get_or_refuse(session: Session, model: type[Row], row_id: str, what: str) -> Row:
    row = session.get(model, row_id)
    if row is None:
        raise RecordError(f"That {what} is no longer in the record; it may have been deleted elsewhere.")
    return row
