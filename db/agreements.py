"""Changes to an agreement itself: its title, date and place, its parties with their roles, and its
deletion with everything it holds (undone by putting every row back, audited both ways).

Creating one is db.obligations.create_agreement; each function here takes the action's Session and says
what it changed (db.changes.Changes), a deletion with what its undo needs.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, SQLModel, col, select

from db.audit import column_values
from db.changes import Changes
from db.errors import RecordError
from db.models import (
    Agreement,
    Assessment,
    Event,
    EventActor,
    EventObligation,
    Metric,
    MetricObligation,
    Obligation,
    ObligationDependency,
    ObligationObligor,
    Observation,
    OfficerWords,
    Party,
    PartyMember,
    TargetPoint,
)
from db.parties import refuse_if_grouping
from db.records import get_or_refuse
from db.vocabulary import PartyRole


@dataclass
class AgreementFields:
    """What the officer edits in an agreement."""

    title: str
    short_title: str = ""
    signed_on: date | None = None
    place: str = ""
    parties: list[tuple[str, str]] = field(default_factory=list)  # (actor id, role), in the form's order


def agreement_problems(fields: AgreementFields) -> dict[str, str]:
    """What is wrong with the fields, by field name; empty when they can be saved."""
    problems = {}
    if not fields.title.strip():
        problems["title"] = "Give the agreement a title."
    actors = [actor_id for actor_id, _role in fields.parties]
    if len(set(actors)) != len(actors):
        problems["parties"] = "Name each party once; give it the one role it has."
    roles = [role for _actor, role in fields.parties if role not in list(PartyRole)]
    if roles:
        problems["parties"] = f"'{roles[0]}' is not a party's role; use {', '.join(PartyRole)}."
    return problems


def agreement_fields(session: Session, agreement_id: str) -> AgreementFields:
    row = get_or_refuse(session, Agreement, agreement_id, "agreement")
    parties = session.exec(
        select(Party.actor_id, Party.role).where(Party.agreement_id == agreement_id).order_by(Party.id)
    ).all()
    return AgreementFields(row.title, row.short_title, row.signed_on, row.place, [tuple(p) for p in parties])


def update_agreement(session: Session, agreement_id: str, fields: AgreementFields) -> Changes:
    """Save the form over the agreement: its own columns and its parties (a role changed in place)."""
    problems = agreement_problems(fields)
    if problems:
        raise RecordError(" ".join(problems.values()))
    row = get_or_refuse(session, Agreement, agreement_id, "agreement")
    for name, value in (("title", fields.title.strip()), ("short_title", fields.short_title.strip()),
                        ("signed_on", fields.signed_on), ("place", fields.place.strip())):  # fmt: skip
        if getattr(row, name) != value:
            setattr(row, name, value)
    wanted = dict(fields.parties)
    for party in session.exec(select(Party).where(Party.agreement_id == agreement_id)):
        role = wanted.pop(party.actor_id, None)
        if role is None:
            refuse_if_grouping(session, party)
            session.delete(party)
        elif party.role != role:
            party.role = role
    session.add_all(Party(agreement_id=agreement_id, actor_id=a, role=r) for a, r in wanted.items())
    session.flush()
    return Changes(agreements=frozenset({agreement_id}))


@dataclass(frozen=True)
class AgreementExtent:
    """What goes with an agreement when it is deleted, for the confirmation."""

    obligations: int
    assessments: int
    events: int
    metrics: int


def agreement_extent(session: Session, agreement_id: str) -> AgreementExtent:
    obligations = select(Obligation.id).where(Obligation.agreement_id == agreement_id)

    def count(query) -> int:
        return len(session.exec(query).all())

    return AgreementExtent(
        count(obligations),
        count(select(Assessment.id).where(col(Assessment.obligation_id).in_(obligations))),
        count(select(Event.id).where(Event.agreement_id == agreement_id)),
        count(select(Metric.id).where(Metric.agreement_id == agreement_id)),
    )


@dataclass
class DeletedAgreement:
    """Every row deleting an agreement removed, parents first, so undo inserts them back in order."""

    rows: list[tuple[type[SQLModel], list[dict]]]
    changes: Changes  # what the deletion changed, and its undo too


def delete_agreement(session: Session, agreement_id: str) -> DeletedAgreement:
    """Delete the agreement with its obligations, assessments, metrics, points, parties and its own events.

    Every row is deleted through the session, children first, so the audit trail records each one (the
    database's cascades would remove them unrecorded)."""
    get_or_refuse(session, Agreement, agreement_id, "agreement")
    obligations = select(Obligation.id).where(Obligation.agreement_id == agreement_id)
    events = select(Event.id).where(Event.agreement_id == agreement_id)
    metrics = select(Metric.id).where(Metric.agreement_id == agreement_id)
    children_first = [
        (EventActor, col(EventActor.event_id).in_(events)),
        (EventObligation, col(EventObligation.event_id).in_(events) | col(EventObligation.obligation_id).in_(obligations)),
        (Observation, col(Observation.metric_id).in_(metrics)),
        (TargetPoint, col(TargetPoint.metric_id).in_(metrics)),
        (MetricObligation, col(MetricObligation.metric_id).in_(metrics)),
        (Assessment, col(Assessment.obligation_id).in_(obligations)),
        (ObligationObligor, col(ObligationObligor.obligation_id).in_(obligations)),
        (ObligationDependency, col(ObligationDependency.obligation_id).in_(obligations)
         | col(ObligationDependency.depends_on_id).in_(obligations)),
        (Metric, Metric.agreement_id == agreement_id),
        (OfficerWords, OfficerWords.agreement_id == agreement_id),
        (Event, Event.agreement_id == agreement_id),
    ]  # fmt: skip
    removed: list[tuple[type[SQLModel], list[dict]]] = []
    for model, condition in children_first:
        rows = list(session.exec(select(model).where(condition)))
        removed.append((model, [column_values(row) for row in rows]))
        for row in rows:
            session.delete(row)
        session.flush()
    tree = list(session.exec(select(Obligation).where(Obligation.agreement_id == agreement_id)))
    for level in reversed(_levels(tree)):  # the deepest first: a parent's delete would cascade
        removed.append((Obligation, [column_values(row) for row in level]))
        for row in level:
            session.delete(row)
        session.flush()
    parties = select(Party.id).where(Party.agreement_id == agreement_id)
    for model, condition in (
        (PartyMember, col(PartyMember.party_id).in_(parties)), (Party, Party.agreement_id == agreement_id),
        (Agreement, Agreement.id == agreement_id),
    ):  # fmt: skip
        rows = list(session.exec(select(model).where(condition)))
        removed.append((model, [column_values(row) for row in rows]))
        for row in rows:
            session.delete(row)
        session.flush()
    logged = any(rows for model, rows in removed if model in (Event, EventObligation))
    changes = Changes(agreements=frozenset({agreement_id}), tree=True, event_log=logged, actors=logged)
    return DeletedAgreement(removed[::-1], changes)


def restore_agreement(session: Session, deleted: DeletedAgreement) -> Changes:
    """Undo of delete_agreement: the very rows, parents first."""
    for model, rows in deleted.rows:
        session.add_all(model(**values) for values in rows)
        session.flush()
    return deleted.changes


def _levels(tree: list[Obligation]) -> list[list[Obligation]]:
    """The obligations level by level, the roots first."""
    levels, placed = [], {None}
    remaining = list(tree)
    while remaining:
        level = [row for row in remaining if row.parent_id in placed]
        if not level:  # a cycle cannot be stored (a parent must exist first); guard all the same
            level = remaining
        levels.append(level)
        placed |= {row.id for row in level}
        remaining = [row for row in remaining if row.id not in placed]
    return levels
