"""Metrics: the series behind quantitative obligations, read for the plot and edited point by point."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from db.errors import RecordError
from db.models import Actor, Metric, MetricObligation, Obligation, Observation, TargetPoint, new_id
from db.records import get_or_refuse
from db.values import FIGURE, check_date, check_number, check_text, sentence
from db.vocabulary import DatePrecision, Qualifier


@dataclass(frozen=True)
class MetricSummary:
    id: str
    name: str
    unit: str
    obligation_ids: tuple[str, ...]


@dataclass(frozen=True)
class TargetRow:
    id: str
    on: date
    value: float
    clause: str | None  # ref of the obligation that sets it
    obligation_id: str | None
    note: str | None


@dataclass(frozen=True)
class ObservationRow:
    id: str
    on: date
    precision: str
    value: float
    qualifier: str
    claimant: str | None  # actor name
    claimant_id: str | None
    source: str | None
    note: str | None

    @property
    def claim(self) -> str:
        return self.claimant or self.source or "Unattributed"


@dataclass(frozen=True)
class Deadline:
    on: date
    clause: str


@dataclass
class MetricSeries:
    id: str
    name: str
    unit: str
    direction: str
    tolerance: float
    targets: list[TargetRow] = field(default_factory=list)
    observations: list[ObservationRow] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)


def list_metrics(session: Session, agreement_id: str) -> list[MetricSummary]:
    links: dict[str, list[str]] = {}
    for metric_id, obligation_id in session.exec(
        select(MetricObligation.metric_id, MetricObligation.obligation_id)
        .join(Metric, Metric.id == MetricObligation.metric_id)
        .where(Metric.agreement_id == agreement_id)
    ):
        links.setdefault(metric_id, []).append(obligation_id)
    rows = session.exec(
        select(Metric.id, Metric.name, Metric.unit)
        .where(Metric.agreement_id == agreement_id)
        .order_by(Metric.name)
    )
    return [MetricSummary(i, name, unit, tuple(links.get(i, ()))) for i, name, unit in rows]


def metric_series(session: Session, metric_id: str) -> MetricSeries:
    metric = session.get(Metric, metric_id)
    if metric is None:
        raise RecordError("That metric is no longer in the record.")
    clause = aliased(Obligation)
    series = MetricSeries(metric.id, metric.name, metric.unit, metric.direction, metric.tolerance)
    series.targets = [
        TargetRow(*row)
        for row in session.exec(
            select(
                TargetPoint.id,
                TargetPoint.on,
                TargetPoint.value,
                clause.ref,
                TargetPoint.obligation_id,
                TargetPoint.note,
            )
            .outerjoin(clause, clause.id == TargetPoint.obligation_id)
            .where(TargetPoint.metric_id == metric_id)
            .order_by(TargetPoint.on)
        )
    ]
    series.observations = [
        ObservationRow(*row)
        for row in session.exec(
            select(
                Observation.id,
                Observation.observed_on,
                Observation.date_precision,
                Observation.value,
                Observation.qualifier,
                Actor.name,
                Observation.claimant_id,
                Observation.source,
                Observation.note,
            )  # fmt: skip
            .outerjoin(Actor, Actor.id == Observation.claimant_id)
            .where(Observation.metric_id == metric_id)
            .order_by(Observation.observed_on, Observation.value)
        )
    ]
    # A deadline is a target point that a clause sets; the signing-day baseline is not one.
    series.deadlines = [
        Deadline(t.on, t.clause) for t in series.targets if t.clause and t != series.targets[0]
    ]
    return series


@dataclass
class TargetFields:
    on: date
    value: float
    obligation_id: str | None = None
    note: str | None = None


@dataclass
class ObservationFields:
    on: date
    value: float
    precision: str = DatePrecision.DAY
    qualifier: str = Qualifier.EXACT
    claimant_id: str | None = None
    source: str | None = None
    note: str | None = None


def _check_point(fields: TargetFields | ObservationFields) -> None:
    """The bounds of db.values, whichever door the point came through (a form, a cell, a script)."""
    try:
        check_date(fields.on)
        check_number(fields.value, FIGURE)
        for name in ("note", "source"):
            check_text(getattr(fields, name, None) or "", f"the {name}")
    except ValueError as error:
        raise RecordError(sentence(str(error))) from None


def _check_observation(fields: ObservationFields) -> None:
    _check_point(fields)
    if fields.precision not in list(DatePrecision):
        raise RecordError(f"'{fields.precision}' is not a date precision; use day, week or month.")
    if fields.qualifier not in list(Qualifier):
        raise RecordError(f"'{fields.qualifier}' is not a qualifier; use exact, about, at_least or at_most.")


def add_target(session: Session, metric_id: str, fields: TargetFields, target_id: str | None = None) -> str:
    _check_point(fields)
    row = TargetPoint(id=target_id or new_id(), metric_id=metric_id, **fields.__dict__)
    session.add(row)
    session.flush()
    return row.id


def add_observation(
    session: Session, metric_id: str, fields: ObservationFields, observation_id: str | None = None
) -> str:
    _check_observation(fields)
    row = Observation(
        id=observation_id or new_id(), metric_id=metric_id, observed_on=fields.on, value=fields.value,
        date_precision=fields.precision, qualifier=fields.qualifier, claimant_id=fields.claimant_id,
        source=fields.source, note=fields.note,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


def update_target(session: Session, target_id: str, fields: TargetFields) -> None:
    _check_point(fields)
    row = _get(session, TargetPoint, target_id)
    for key, value in fields.__dict__.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    session.flush()


def update_observation(session: Session, observation_id: str, fields: ObservationFields) -> None:
    _check_observation(fields)
    row = _get(session, Observation, observation_id)
    values = {
        "observed_on": fields.on, "value": fields.value, "date_precision": fields.precision,
        "qualifier": fields.qualifier, "claimant_id": fields.claimant_id, "source": fields.source, "note": fields.note,
    }  # fmt: skip
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    session.flush()


def target_fields(session: Session, target_id: str) -> TargetFields:
    row = _get(session, TargetPoint, target_id)
    return TargetFields(row.on, row.value, row.obligation_id, row.note)


def observation_fields(session: Session, observation_id: str) -> ObservationFields:
    row = _get(session, Observation, observation_id)
    return ObservationFields(
        row.observed_on, row.value, row.date_precision, row.qualifier, row.claimant_id, row.source, row.note
    )


def delete_point(session: Session, model: type[TargetPoint] | type[Observation], point_id: str) -> None:
    session.delete(_get(session, model, point_id))
    session.flush()


def _get(session: Session, model, point_id: str):
    return get_or_refuse(session, model, point_id, "point")
