"""Metrics: the series behind quantitative obligations, read for the plot and edited point by point."""

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from db.audit import column_values
from db.changes import Changes
from db.errors import RecordError
from db.event_rules import parse_date, parse_number
from db.ids import new_id
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
    event_id: str | None = None  # the event that reported it

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
    return metrics_by_agreement(session, agreement_id).get(agreement_id, [])


def metrics_by_agreement(session: Session, agreement_id: str | None = None) -> dict[str, list[MetricSummary]]:
    """The metrics of the agreement, or (None) of every agreement, by name, with the obligations they measure."""
    found: dict[str, MetricSummary] = {}
    owner: dict[str, str] = {}
    query = (
        select(Metric.id, Metric.name, Metric.unit, MetricObligation.obligation_id, Metric.agreement_id)
        .outerjoin(MetricObligation, MetricObligation.metric_id == Metric.id)
        .order_by(Metric.name, Metric.id)
    )
    if agreement_id is not None:
        query = query.where(Metric.agreement_id == agreement_id)
    for metric_id, name, unit, obligation_id, agreement in session.exec(query):
        summary = found.setdefault(metric_id, MetricSummary(metric_id, name, unit, ()))
        owner[metric_id] = agreement
        if obligation_id is not None:
            found[metric_id] = replace(summary, obligation_ids=(*summary.obligation_ids, obligation_id))
    by_agreement: dict[str, list[MetricSummary]] = {}
    for metric_id, summary in found.items():
        by_agreement.setdefault(owner[metric_id], []).append(summary)
    return by_agreement


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
                Observation.event_id,
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
    event_id: str | None = None  # the event that reported it, if any


TARGET, OBSERVATION = "target", "observation"  # the two kinds of point of a series


@dataclass
class PointForm:
    """A target point or an observation as the officer typed it in its form: text, or chosen ids."""

    on: str = ""
    value: str = ""
    precision: str = DatePrecision.DAY
    qualifier: str = Qualifier.EXACT
    claimant_id: str = ""
    source: str = ""
    event_id: str = ""
    obligation_id: str = ""  # the clause that sets a target
    note: str = ""

    @classmethod
    def from_fields(cls, fields: "TargetFields | ObservationFields") -> "PointForm":
        if isinstance(fields, TargetFields):
            return cls(fields.on.isoformat(), repr(fields.value), obligation_id=fields.obligation_id or "",
                       note=fields.note or "")  # fmt: skip
        return cls(
            fields.on.isoformat(), repr(fields.value), fields.precision, fields.qualifier, fields.claimant_id or "",
            fields.source or "", fields.event_id or "", note=fields.note or "",
        )  # fmt: skip


def parse_value(text: str) -> float:
    """A figure as typed: "8,600", "8600" or "8600.0", within db.values' bounds (what the plot draws)."""
    return parse_number(text.replace(",", "").replace("\u202f", ""), FIGURE)


def read_point_form(
    kind: str, form: PointForm
) -> tuple["TargetFields | ObservationFields | None", dict[str, str]]:
    """The point the form describes, or None with what is wrong, by field name (one sentence each)."""
    problems: dict[str, str] = {}

    def attempt(name, parse, text):
        try:
            return parse(text)
        except ValueError as error:
            problems[name] = sentence(str(error))
            return None

    on = attempt("on", parse_date, form.on) if form.on.strip() else None
    if not form.on.strip():
        problems["on"] = "Give the date, as YYYY-MM-DD."
    value = attempt("value", parse_value, form.value) if form.value.strip() else None
    if not form.value.strip():
        problems["value"] = "Give the figure, e.g. 8600."
    note = attempt("note", lambda text: check_text(text.strip(), "the note"), form.note) or None
    if kind == TARGET:
        fields = TargetFields(on, value, form.obligation_id or None, note)
    else:
        if form.precision not in list(DatePrecision):
            problems["precision"] = f"'{form.precision}' is not a date precision; use day, week or month."
        if form.qualifier not in list(Qualifier):
            problems["qualifier"] = (
                f"'{form.qualifier}' is not a qualifier; use exact, about, at least or at most."
            )
        source = attempt("source", lambda text: check_text(text.strip(), "the source"), form.source) or None
        if source is None and "source" not in problems and not form.event_id:
            problems["source"] = "Name the source of the figure, or choose the event that reported it."
        fields = ObservationFields(on, value, form.precision, form.qualifier, form.claimant_id or None, source,
                                   note, form.event_id or None)  # fmt: skip
    return (None, problems) if problems else (fields, {})


def point_problems(kind: str, form: PointForm) -> dict[str, str]:
    """What is wrong with the point's form, by field name; empty when it can be saved."""
    return read_point_form(kind, form)[1]


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
    row = Observation(id=observation_id or new_id(), metric_id=metric_id, **_observation_columns(fields))
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
    for key, value in _observation_columns(fields).items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    session.flush()


def _observation_columns(fields: ObservationFields) -> dict:
    return {
        "observed_on": fields.on, "value": fields.value, "date_precision": fields.precision,
        "qualifier": fields.qualifier, "claimant_id": fields.claimant_id, "source": fields.source,
        "note": fields.note, "event_id": fields.event_id,
    }  # fmt: skip


def target_fields(session: Session, target_id: str) -> TargetFields:
    row = _get(session, TargetPoint, target_id)
    return TargetFields(row.on, row.value, row.obligation_id, row.note)


def observation_fields(session: Session, observation_id: str) -> ObservationFields:
    row = _get(session, Observation, observation_id)
    return ObservationFields(
        row.observed_on,
        row.value,
        row.date_precision,
        row.qualifier,
        row.claimant_id,
        row.source,
        row.note,
        row.event_id,
    )


_POINT_TABLES = {TARGET: TargetPoint, OBSERVATION: Observation}


@dataclass(frozen=True)
class DeletedPoint:
    """A deleted point as its row was, so an undo puts back the very row (its event's link included)."""

    kind: str
    values: dict

    @property
    def changes(self) -> Changes:
        return Changes(metrics=frozenset({self.values["metric_id"]}))


def point_changes(session: Session, kind: str, point_id: str) -> Changes:
    """What writing the point changed: its metric's series (and the standing of the obligations it measures)."""
    return Changes(metrics=frozenset({_get(session, _POINT_TABLES[kind], point_id).metric_id}))


def delete_point(session: Session, kind: str, point_id: str) -> DeletedPoint:
    row = _get(session, _POINT_TABLES[kind], point_id)
    deleted = DeletedPoint(kind, column_values(row))
    session.delete(row)
    session.flush()
    return deleted


def restore_point(session: Session, deleted: DeletedPoint) -> None:
    session.add(_POINT_TABLES[deleted.kind](**deleted.values))
    session.flush()


def _get(session: Session, model, point_id: str):
    return get_or_refuse(session, model, point_id, "point")


def metric_events(session: Session, metric_id: str, also: str | None = None) -> list[tuple[str, str]]:
    """The events that may report the metric's figures — those linked to its obligations, and `also`
    (the event an observation names now) — as (id, "2020-06-18 · Statement · CENTCOM"), by date."""
    linked = (
        select(EventObligation.event_id)
        .join(MetricObligation, MetricObligation.obligation_id == EventObligation.obligation_id)
        .where(MetricObligation.metric_id == metric_id)
    )
    rows = session.exec(
        select(Event.id, Event.occurred_on, Event.event_type, Event.source_name)
        .where(col(Event.id).in_(linked) | (Event.id == also))
        .order_by(Event.occurred_on, Event.event_type)
    )
    return [(i, " · ".join(p for p in (on.isoformat(), kind, source) if p)) for i, on, kind, source in rows]
