"""What deleting an obligation would take with it, told to the officer before they confirm."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import Assessment, EventObligation
from db.obligations import subtree_ids


@dataclass(frozen=True)
class DeletionExtent:
    obligations_beneath: int
    assessments: int
    event_links: int


def deletion_extent(session: Session, obligation_id: str) -> DeletionExtent:
    ids = [i for level in subtree_ids(session, obligation_id) for i in level]

    def linked(model) -> int:
        return session.exec(
            select(func.count()).select_from(model).where(col(model.obligation_id).in_(ids))
        ).one()

    return DeletionExtent(len(ids) - 1, linked(Assessment), linked(EventObligation))
