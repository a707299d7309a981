"""Reading the compliance engine's facts for one agreement, as plain tuples (through Core: db.tree) turned
into dataclasses."""

from collections import defaultdict

from sqlalchemy import true
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from db.compliance import EvidenceFact, QuantityFacts
from db.event_rules import grade_label
from db.models import (
    Actor,
    Event,
    EventObligation,
    Metric,
    MetricObligation,
    Obligation,
    Observation,
    TargetPoint,
)
from db.trajectory import ObservationFact, Series, TargetFact

SUMMARY_LENGTH = 90


def _summary(notes: str | None, event_type: str, sub_type: str | None, location: str | None) -> str:
    text = (notes or "").strip() or " — ".join(filter(None, [event_type, sub_type]))
    if location:
        text = f"{text} ({location})" if len(text) < SUMMARY_LENGTH else text
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1].rstrip() + "…"


def evidence_by_obligation(session: Session, agreement_id: str | None) -> dict[str, list[EvidenceFact]]:
    """The evidence of the agreement's obligations (of every agreement's, for None)."""
    found = defaultdict(list)
    rows = session.connection().execute(
        select(
            EventObligation.obligation_id,
            Event.occurred_on,
            EventObligation.bearing,
            Event.notes,
            Event.event_type,
            Event.sub_event_type,
            Event.location,
            Event.date_precision,
            Event.reliability,
            Event.credibility,
            Event.occurred_until,
        )  # fmt: skip
        .join(Event, Event.id == EventObligation.event_id)
        .join(Obligation, Obligation.id == EventObligation.obligation_id)
        .where(_of(Obligation.agreement_id, agreement_id))
    ).all()  # fetched at once: iterating a result fetches row by row, a third slower
    for obligation_id, on, bearing, notes, kind, sub, location, precision, reliability, credibility, until in rows:
        grade = grade_label(reliability, credibility)
        found[obligation_id].append(
            EvidenceFact(on, bearing, _summary(notes, kind, sub, location), precision, grade, until)
        )
    return found


def quantities_by_obligation(session: Session, agreement_id: str | None) -> dict[str, QuantityFacts]:
    """For each obligation tied to a metric that has a target point set by that obligation (of the
    agreement, or of every agreement for None)."""
    clause = aliased(Obligation)
    targets = defaultdict(list)
    for metric_id, on, value, obligation_id, ref in session.connection().execute(
        select(
            TargetPoint.metric_id, TargetPoint.on, TargetPoint.value, TargetPoint.obligation_id, clause.ref
        )
        .join(Metric, Metric.id == TargetPoint.metric_id)
        .outerjoin(clause, clause.id == TargetPoint.obligation_id)
        .where(_of(Metric.agreement_id, agreement_id))
        .order_by(TargetPoint.on)
    ).all():
        targets[metric_id].append(TargetFact(on, value, obligation_id, ref))
    observations = defaultdict(list)
    for metric_id, on, value, precision, qualifier, claimant, source in session.connection().execute(
        select(
            Observation.metric_id,
            Observation.observed_on,
            Observation.value,
            Observation.date_precision,
            Observation.qualifier,
            Actor.name,
            Observation.source,
        )  # fmt: skip
        .join(Metric, Metric.id == Observation.metric_id)
        .outerjoin(Actor, Actor.id == Observation.claimant_id)
        .where(_of(Metric.agreement_id, agreement_id))
        # no ORDER BY: Series sorts them by the day each became known in any case
    ).all():
        # The named source says more than the actor behind it ("CENTCOM commander McKenzie").
        observations[metric_id].append(ObservationFact(on, value, precision, qualifier, claimant, source))
    series = {metric_id: Series(observed) for metric_id, observed in observations.items()}
    found: dict[str, QuantityFacts] = {}
    for obligation_id, metric_id, name, unit, direction, tolerance in session.connection().execute(
        select(
            MetricObligation.obligation_id,
            Metric.id,
            Metric.name,
            Metric.unit,
            Metric.direction,
            Metric.tolerance,
        )
        .join(Metric, Metric.id == MetricObligation.metric_id)
        .where(_of(Metric.agreement_id, agreement_id))
        .order_by(Metric.name)
    ).all():
        own = [t for t in targets[metric_id] if t.obligation_id == obligation_id]
        if own and obligation_id not in found:
            found[obligation_id] = QuantityFacts(
                name,
                unit,
                direction,
                tolerance,
                tuple(targets[metric_id]),
                series.get(metric_id) or Series(()),
                own[-1],
            )
    return found


def _of(column, agreement_id: str | None):
    """The condition "of this agreement" (of any, for None)."""
    return column == agreement_id if agreement_id is not None else true()
