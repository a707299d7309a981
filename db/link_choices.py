"""The obligations an event can be linked to, grouped by agreement, the current agreement's first: an event
can bear on obligations of several agreements (issue 13), and the event log then shows it under each of them
(db.event_log.agreement_events). Each agreement's obligations come in its tree's order, with their depth."""

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from db.models import Obligation
from db.tree import list_agreements


@dataclass(frozen=True)
class LinkChoice:
    obligation_id: str
    ref: str
    title: str
    depth: int  # 0 for a top section


@dataclass(frozen=True)
class AgreementChoices:
    agreement_id: str
    label: str  # the agreement's short title, or its title
    obligations: list[LinkChoice]


def in_tree_order(rows: list[tuple[str, str | None, int, str, str]]) -> list[LinkChoice]:
    """(id, parent id, position, ref, title) rows of one tree, parents before their children."""
    children = defaultdict(list)
    for row in rows:
        children[row[1]].append(row)
    ordered: list[LinkChoice] = []

    def walk(parent_id: str | None, depth: int) -> None:
        for obligation_id, _parent, _position, ref, title in sorted(children[parent_id], key=lambda r: (r[2], r[3])):
            ordered.append(LinkChoice(obligation_id, ref, title, depth))
            walk(obligation_id, depth + 1)

    walk(None, 0)
    return ordered


def link_choices(session: Session, current_agreement_id: str | None) -> list[AgreementChoices]:
    rows = defaultdict(list)
    for agreement_id, *row in session.exec(
        select(Obligation.agreement_id, Obligation.id, Obligation.parent_id, Obligation.position, Obligation.ref,
               Obligation.title)  # fmt: skip
    ):
        rows[agreement_id].append(tuple(row))
    agreements = sorted(list_agreements(session), key=lambda a: a.id != current_agreement_id)  # stable: current first
    return [AgreementChoices(a.id, a.label, in_tree_order(rows[a.id])) for a in agreements if rows[a.id]]
