"""What the window and `accord-desk status` read: the obligation tree and one obligation's detail.

Rows are read as plain tuples through Core (DESIGN.md: ORM objects cost 15× more to load, and even
the ORM's processing of plain column rows was a third of load_tree) and judged by db.compliance; callers get plain dataclasses and never a Session-bound object.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import true
from sqlmodel import Session, select

from db.changes import Changes
from db.compliance import AssessmentFact, ObligationFacts, Standing, evaluate
from db.event_rules import grade_label
from db.facts import evidence_by_obligation, quantities_by_obligation
from db.models import (
    Actor,
    Agreement,
    Assessment,
    Event,
    EventObligation,
    Metric,
    MetricObligation,
    Obligation,
    ObligationDependency,
    ObligationObligor,
    Party,
)
from db.vocabulary import WITHDRAWN, ObligationKind, PartyRole, Status


@dataclass
class AgreementSummary:
    id: str
    title: str
    short_title: str
    signed_on: date | None
    place: str
    parties: list[tuple[str, str]] = field(default_factory=list)  # (actor name, role)

    @property
    def label(self) -> str:
        return self.short_title or self.title


@dataclass
class ObligationNode:
    id: str
    parent_id: str | None
    position: int
    ref: str
    title: str
    kind: str
    obligors: list[str]
    standing: Standing
    children: list["ObligationNode"] = field(default_factory=list)

    @property
    def is_section(self) -> bool:
        return self.kind == ObligationKind.SECTION

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class AssessmentRow:
    id: str
    as_of: date
    status: str
    score: int | None
    confidence: str
    rationale: str
    assessed_by: str
    recorded_at: datetime
    superseded: bool = False  # a newer version of the same date corrects or withdraws it


@dataclass
class LinkedEvent:
    id: str
    occurred_on: date
    date_precision: str
    event_type: str
    sub_event_type: str | None
    location: str | None
    bearing: str
    notes: str | None
    source_name: str | None
    grade: str
    occurred_until: date | None = None  # the last day of a range (UCDP)


@dataclass
class ObligationDetail:
    id: str
    agreement_id: str
    parent_id: str | None
    ref: str
    title: str
    text: str | None
    kind: str
    obligors: list[tuple[str, str]]  # (actor id, name)
    beneficiary: tuple[str, str] | None
    deadline_on: date | None
    deadline_rule: str | None
    ongoing: bool
    deadline_note: str | None
    depends_on: list[tuple[str, str, str | None]]  # (ref, title, note)
    required_by: list[tuple[str, str, str | None]]
    assessments: list[AssessmentRow]  # newest first
    events: list[LinkedEvent]
    metrics: list[str]


def list_agreements(session: Session) -> list[AgreementSummary]:
    rows = session.exec(
        select(
            Agreement.id, Agreement.title, Agreement.short_title, Agreement.signed_on, Agreement.place
        ).order_by(Agreement.signed_on, Agreement.title)
    ).all()
    parties = defaultdict(list)
    for agreement_id, name, role in session.exec(
        select(Party.agreement_id, Actor.name, Party.role).join(Actor, Actor.id == Party.actor_id)
    ):
        parties[agreement_id].append((name, role))
    roles = list(PartyRole)  # signatories first, then as the scale lists them
    for named in parties.values():
        named.sort(key=lambda party: (roles.index(party[1]) if party[1] in roles else len(roles), party[0]))
    return [AgreementSummary(*row, parties=parties[row[0]]) for row in rows]


@dataclass
class AgreementFacts:
    """What the compliance engine needs of one agreement. The window's desk keeps them for every
    agreement: an as-of change or an agreement switch only evaluates them, and a change re-reads only
    the part it touched (reread_facts)."""

    signed_on: date | None
    rows: list = field(default_factory=list)  # the obligations, in position order
    obligors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    assessments: dict[str, list[AssessmentFact]] = field(default_factory=lambda: defaultdict(list))
    evidence: dict[str, list] = field(default_factory=dict)
    quantities: dict[str, object] = field(default_factory=dict)


def read_facts(session: Session, agreement_id: str | None = None) -> dict[str, AgreementFacts]:
    """The facts of the agreement, or (None) of every agreement — each part read once for all of them."""
    signed = session.connection().execute(
        select(Agreement.id, Agreement.signed_on).where(
            Agreement.id == agreement_id if agreement_id is not None else true()
        )
    )
    facts = {found: AgreementFacts(signed_on) for found, signed_on in signed}
    _read_obligations(session, agreement_id, facts)
    _read_assessments(session, agreement_id, facts)
    _read_evidence(session, agreement_id, facts)
    _read_quantities(session, agreement_id, facts)
    return facts


def reread_facts(session: Session, facts: dict[str, AgreementFacts], changes: Changes) -> dict[str, AgreementFacts]:
    """Every agreement's facts after a change: only the parts it touched are read again."""
    if changes.everything or changes.agreements:
        return read_facts(session)
    if changes.tree or changes.obligations:
        _read_obligations(session, None, facts)
    if changes.assessments:
        _read_assessments(session, None, facts)
    if changes.evidence:
        _read_evidence(session, None, facts)
    if changes.metrics or changes.tree:
        _read_quantities(session, None, facts)
    return facts


def _owners(facts: dict[str, AgreementFacts]) -> dict[str, AgreementFacts]:
    """Each obligation's agreement's facts, by obligation id."""
    return {row.id: kept for kept in facts.values() for row in kept.rows}


class ObligationRow(NamedTuple):
    """An obligation as the tree reads it. A named tuple: a SQLAlchemy Row's attribute costs 3.4 µs
    against a tuple's 0.05, and building the tree of 2,000 obligations asked some 30,000 of them."""

    id: str
    parent_id: str | None
    position: int
    ref: str
    title: str
    kind: str
    deadline_on: date | None
    deadline_rule: str | None
    ongoing: bool
    agreement_id: str


def _read_obligations(session: Session, agreement_id: str | None, facts: dict[str, AgreementFacts]) -> None:
    result = session.connection().execute(
        select(*(getattr(Obligation, name) for name in ObligationRow._fields))
        .where(_of(agreement_id))
        .order_by(Obligation.position)
    )
    rows = list(map(ObligationRow._make, result.all()))
    for kept in facts.values():
        kept.rows, kept.obligors = [], defaultdict(list)
    for row in rows:
        if row.agreement_id in facts:
            facts[row.agreement_id].rows.append(row)
    owners = _owners(facts)
    for obligation_id, name in session.connection().execute(
        select(ObligationObligor.obligation_id, Actor.name)
        .join(Actor, Actor.id == ObligationObligor.actor_id)
        .join(Obligation, Obligation.id == ObligationObligor.obligation_id)
        .where(_of(agreement_id))
        .order_by(ObligationObligor.position)
    ).all():
        if obligation_id in owners:
            owners[obligation_id].obligors[obligation_id].append(name)


def _read_assessments(session: Session, agreement_id: str | None, facts: dict[str, AgreementFacts]) -> None:
    for kept in facts.values():
        kept.assessments = defaultdict(list)
    owners = _owners(facts)
    for obligation_id, *values in session.connection().execute(
        select(
            Assessment.obligation_id,
            Assessment.as_of,
            Assessment.status,
            Assessment.recorded_at,
            Assessment.assessed_by,
            Assessment.score,
            Assessment.confidence,
            Assessment.rationale,
        )  # fmt: skip
        .join(Obligation, Obligation.id == Assessment.obligation_id)
        .where(_of(agreement_id))
    ).all():
        as_of_date, status, *rest = values
        status = Status(status) if status != WITHDRAWN else WITHDRAWN
        if obligation_id in owners:
            owners[obligation_id].assessments[obligation_id].append(AssessmentFact(as_of_date, status, *rest))


def _read_evidence(session: Session, agreement_id: str | None, facts: dict[str, AgreementFacts]) -> None:
    _split(facts, evidence_by_obligation(session, agreement_id), "evidence")


def _read_quantities(session: Session, agreement_id: str | None, facts: dict[str, AgreementFacts]) -> None:
    _split(facts, quantities_by_obligation(session, agreement_id), "quantities")


def _split(facts: dict[str, AgreementFacts], by_obligation: dict, part: str) -> None:
    """Hand each agreement its obligations' share of what was read for all."""
    for kept in facts.values():
        setattr(kept, part, {})
    owners = _owners(facts)
    for obligation_id, value in by_obligation.items():
        if obligation_id in owners:
            getattr(owners[obligation_id], part)[obligation_id] = value


def _of(agreement_id: str | None):
    return Obligation.agreement_id == agreement_id if agreement_id is not None else true()


def load_tree(session: Session, agreement_id: str, as_of: date) -> list[ObligationNode]:
    """The agreement's obligation tree with every node's standing as of the date."""
    return build_tree(read_facts(session, agreement_id)[agreement_id], as_of)


def build_tree(facts: AgreementFacts, as_of: date) -> list[ObligationNode]:
    """The tree of the facts, every node judged as of the date (no reading: db.compliance is pure)."""
    rows = facts.rows
    judged = [
        ObligationFacts(
            id=row.id,
            ref=row.ref,
            kind=row.kind,
            parent_id=row.parent_id,
            deadline_on=row.deadline_on,
            deadline_rule=row.deadline_rule,
            ongoing=row.ongoing,
            assessments=tuple(facts.assessments.get(row.id, ())),
            evidence=tuple(facts.evidence.get(row.id, ())),
            quantity=facts.quantities.get(row.id),
        )
        for row in rows
    ]
    standings = evaluate(judged, facts.signed_on, as_of)
    nodes = {
        row.id: ObligationNode(
            row.id,
            row.parent_id,
            row.position,
            row.ref,
            row.title,
            row.kind,
            list(facts.obligors.get(row.id, ())),
            standings[row.id],
        )
        for row in rows
    }
    roots = []
    for row in rows:  # already in position order, so children come out ordered
        node = nodes[row.id]
        (nodes[row.parent_id].children if row.parent_id else roots).append(node)
    return roots


def counts_by_party(
    tree: list[ObligationNode], parties: list[tuple[str, str]]
) -> list[tuple[str, dict[Status, int]]]:
    """Status counts of each obligor's obligations (not sections): parties first, then other obligors."""
    by_obligor: dict[str, Counter] = {}
    for node in (found for root in tree for found in root.walk()):
        if node.is_section:
            continue
        for obligor in node.obligors:
            by_obligor.setdefault(obligor, Counter())[node.standing.status] += 1
    named = [name for name, _ in parties if name in by_obligor]
    others = sorted(name for name in by_obligor if name not in named)
    return [(name, dict(by_obligor[name])) for name in named + others]


def obligation_detail(session: Session, obligation_id: str) -> ObligationDetail:
    # Core reads, not the ORM's: the window reads one at start, and the ORM's first compilation of each
    # statement costs twice Core's.
    read = session.connection().execute
    row = read(
        select(Obligation.id, Obligation.agreement_id, Obligation.parent_id, Obligation.ref, Obligation.title,
               Obligation.text, Obligation.kind, Obligation.beneficiary_id, Obligation.deadline_on,
               Obligation.deadline_rule, Obligation.ongoing, Obligation.deadline_note)
        .where(Obligation.id == obligation_id)
    ).first()  # fmt: skip
    if row is None:
        raise LookupError(f"obligation {obligation_id} is not in the record")
    obligors = read(
        select(Actor.id, Actor.name)
        .join(ObligationObligor, ObligationObligor.actor_id == Actor.id)
        .where(ObligationObligor.obligation_id == obligation_id)
        .order_by(ObligationObligor.position)
    ).all()
    beneficiary = (
        read(select(Actor.id, Actor.name).where(Actor.id == row.beneficiary_id)).first()
        if row.beneficiary_id
        else None
    )
    # Both directions in one read: what it depends on, and what depends on it.
    depends_on, required_by = [], []
    for own, ref, title, note in read(
        select(ObligationDependency.obligation_id, Obligation.ref, Obligation.title, ObligationDependency.note)
        .join(
            Obligation,
            ((ObligationDependency.obligation_id == obligation_id) & (Obligation.id == ObligationDependency.depends_on_id))
            | ((ObligationDependency.depends_on_id == obligation_id) & (Obligation.id == ObligationDependency.obligation_id)),
        )
        .order_by(Obligation.ref)
    ):
        (depends_on if own == obligation_id else required_by).append((ref, title, note))

    assessments = [
        AssessmentRow(*r)
        for r in read(
            select(
                Assessment.id,
                Assessment.as_of,
                Assessment.status,
                Assessment.score,
                Assessment.confidence,
                Assessment.rationale,
                Assessment.assessed_by,
                Assessment.recorded_at,
            )  # fmt: skip
            .where(Assessment.obligation_id == obligation_id)
            .order_by(Assessment.as_of.desc(), Assessment.recorded_at.desc())
        )
    ]
    for newer, older in zip(assessments, assessments[1:], strict=False):  # newest version of a date first
        older.superseded = older.as_of == newer.as_of
    events = [
        LinkedEvent(*r[:9], grade=grade_label(r[9], r[10]), occurred_until=r[11])
        for r in read(
            select(
                Event.id,
                Event.occurred_on,
                Event.date_precision,
                Event.event_type,
                Event.sub_event_type,
                Event.location,
                EventObligation.bearing,
                Event.notes,
                Event.source_name,
                Event.reliability,
                Event.credibility,
                Event.occurred_until,
            )  # fmt: skip
            .join(EventObligation, EventObligation.event_id == Event.id)
            .where(EventObligation.obligation_id == obligation_id)
            .order_by(Event.occurred_on)
        )
    ]
    metrics = list(
        read(
            select(Metric.name)
            .join(MetricObligation, MetricObligation.metric_id == Metric.id)
            .where(MetricObligation.obligation_id == obligation_id)
            .order_by(Metric.name)
        ).scalars()
    )
    return ObligationDetail(
        id=row.id, agreement_id=row.agreement_id, parent_id=row.parent_id, ref=row.ref, title=row.title,
        text=row.text, kind=row.kind, obligors=[tuple(o) for o in obligors],
        beneficiary=tuple(beneficiary) if beneficiary else None, deadline_on=row.deadline_on,
        deadline_rule=row.deadline_rule, ongoing=row.ongoing, deadline_note=row.deadline_note,
        depends_on=depends_on, required_by=required_by,
        assessments=assessments, events=events, metrics=metrics,
    )  # fmt: skip


def list_actors(session: Session, parties_of: str | None = None) -> list[tuple[str, str]]:
    """(id, name) of every actor by name; with `parties_of`, that agreement's parties come first (the
    obligor picker: an agreement binds its parties, not every actor an import brought in)."""
    query = select(Actor.id, Actor.name)
    if parties_of is not None:
        party = select(Party.actor_id).where(Party.agreement_id == parties_of)
        query = query.order_by(Actor.id.not_in(party))
    return [tuple(r) for r in session.exec(query.order_by(Actor.name))]
