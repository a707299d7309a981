"""The compliance engine: every obligation's status as of a date, with a reason that cites the evidence.

Pure functions over plain values (DESIGN.md, "Compliance status scale"); db.tree reads the facts.
- Deadline obligations are met, or met late, from the first evidence of completion: an officer's
  "met" assessment, an event that supports compliance, or for quantitative ones the first observation
  that reaches the target. Unmet, they are not due until the deadline and overdue after it.
- Quantitative obligations follow their metric: the trajectory is linear between target points, and
  before the deadline the latest figure is on track, or at risk when behind by more than the metric's
  tolerance. Claims about one period from different sources that differ beyond it are disputed.
- Prohibitions and ongoing commitments are breached once linked evidence indicates breach, on track
  while the evidence supports compliance, and unknown without evidence.
- The newest assessment as of the date wins over the computed status; both are kept.
- A parent shows the worst standing of its children, with counts.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from db.as_of import happened_by, known_on
from db.deadlines import SIGNING, parse_rule, resolve
from db.trajectory import (
    ObservationFact,
    Pace,
    Series,
    TargetFact,
    behind_by,
    claim_text,
    current_claims,
    dispute,
    figure,
    first_reaching,
    known_as_of,
    pace,
    target_at,
)
from db.vocabulary import (
    COMPLETED,
    STATUS_SEVERITY,
    WITHDRAWN,
    Bearing,
    DatePrecision,
    ObligationKind,
    Status,
)


@dataclass(frozen=True)
class AssessmentFact:
    as_of: date
    status: Status | str  # a Status, or WITHDRAWN for the withdrawal of the date's judgement
    recorded_at: datetime
    assessed_by: str = ""
    score: int | None = None
    confidence: str = "medium"
    rationale: str = ""


@dataclass(frozen=True)
class EvidenceFact:
    """An event linked to the obligation, with its bearing."""

    on: date
    bearing: str
    summary: str
    precision: str = "day"
    grade: str = ""
    until: date | None = None  # the last day of a range (UCDP)

    @property
    def known_on(self) -> date:
        return known_on(self.on, self.precision, self.until)

    def happened_by(self, as_of: date) -> bool:
        return happened_by(self.on, self.precision, as_of, self.until)


@dataclass(frozen=True)
class QuantityFacts:
    """The metric behind a quantitative obligation and the target point its clause sets."""

    metric: str
    unit: str
    direction: str
    tolerance: float
    targets: tuple[TargetFact, ...]
    observations: tuple[ObservationFact, ...]
    target: TargetFact


@dataclass(frozen=True)
class ObligationFacts:
    id: str
    ref: str
    kind: str
    parent_id: str | None = None
    deadline_on: date | None = None
    deadline_rule: str | None = None
    ongoing: bool = False
    assessments: tuple[AssessmentFact, ...] = ()
    evidence: tuple[EvidenceFact, ...] = ()
    quantity: QuantityFacts | None = None


@dataclass(frozen=True)
class Deadline:
    """A deadline as of a date: `on` is None while a rule's anchor has not happened yet."""

    on: date | None
    explanation: str  # the rule it comes from, "ongoing", or "" for a fixed date or none


@dataclass(frozen=True)
class QuantityStanding:
    metric: str
    unit: str
    target: float
    target_on: date
    expected: float | None  # the trajectory's value as of the date
    observed: float | None  # the latest figure known as of the date
    observed_on: date | None
    claims: tuple[str, ...]  # every current claim, as text
    pace: Pace


@dataclass(frozen=True)
class Standing:
    status: Status  # what the officer sees: the newest assessment if any, otherwise computed
    computed: Status
    assessed: Status | None
    reason: str
    deadline: Deadline
    counts: dict[Status, int] = field(default_factory=dict)  # children's statuses, for parents
    quantity: QuantityStanding | None = None


def worst(statuses) -> Status:
    return min(statuses, key=STATUS_SEVERITY.index)


def latest_versions(assessments, as_of: date) -> list[AssessmentFact]:
    """The assessments that stand as of the date: for each date judged, its newest version (a correction
    supersedes what it corrects), unless that is a withdrawal. History stays; only this choice reads it."""
    if not assessments:  # most obligations: asked twice for each at every read of the tree
        return []
    newest: dict[date, AssessmentFact] = {}
    for a in assessments:
        if happened_by(a.as_of, DatePrecision.DAY, as_of) and (
            a.as_of not in newest or a.recorded_at > newest[a.as_of].recorded_at
        ):
            newest[a.as_of] = a
    return sorted((a for a in newest.values() if a.status != WITHDRAWN), key=lambda a: a.as_of)


def latest_assessment(assessments, as_of: date) -> AssessmentFact | None:
    """The newest assessment standing as of the date (latest_versions): the latest date judged wins."""
    standing = latest_versions(assessments, as_of)
    return standing[-1] if standing else None


def completed_on(facts: ObligationFacts, as_of: date) -> date | None:
    """The first evidence of completion known by as_of, if any."""
    dates = [a.as_of for a in latest_versions(facts.assessments, as_of) if a.status in COMPLETED]
    if facts.quantity is not None:
        q = facts.quantity
        reached = first_reaching(q.observations, q.target.value, q.direction, as_of)
        dates += [reached.known_on] if reached else []
    elif facts.kind not in (ObligationKind.PROHIBITION, ObligationKind.SECTION) and not facts.ongoing:
        dates += [e.known_on for e in facts.evidence if e.bearing == Bearing.SUPPORTS and e.happened_by(as_of)]
    return min(dates, default=None)


def resolve_deadline(
    facts: ObligationFacts, signed_on: date | None, completions: dict[str, date]
) -> Deadline:
    if facts.deadline_on is not None:
        return Deadline(facts.deadline_on, "")
    if facts.deadline_rule:
        try:
            rule = parse_rule(facts.deadline_rule)
        except ValueError as error:  # saved before the record bounded rules: shown, never fatal
            return Deadline(None, f"the rule cannot be counted ({error})")
        anchor = signed_on if rule.anchor == SIGNING else completions.get(rule.anchor)
        if anchor is None:
            what = (
                "the signing date is not recorded"
                if rule.anchor == SIGNING
                else f"{rule.anchor} is not yet completed"
            )
            return Deadline(None, f"{rule}, and {what}")
        return Deadline(resolve(rule, anchor), str(rule))
    if facts.quantity is not None:
        return Deadline(facts.quantity.target.on, "the metric's target date")
    return Deadline(None, "ongoing" if facts.ongoing else "")


NOTHING_ON_RECORD = "Ongoing; no linked event or assessment on record yet."


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count:,} days"


def computed_status(
    deadline: Deadline, ongoing: bool, done_on: date | None, as_of: date
) -> tuple[Status, str]:
    """Status and reason from the deadline and the completion date alone."""
    if done_on is not None:
        if deadline.on is None:
            return Status.MET, f"Met {done_on.isoformat()}."
        late = (done_on - deadline.on).days
        if late <= 0:
            return Status.MET, f"Met {done_on.isoformat()}, by its deadline {deadline.on.isoformat()}."
        return (
            Status.MET_LATE,
            f"Met {done_on.isoformat()}, {_days(late)} after its deadline {deadline.on.isoformat()}.",
        )
    if deadline.on is None:
        if ongoing:
            return Status.UNKNOWN, NOTHING_ON_RECORD
        if deadline.explanation:
            return Status.UNKNOWN, f"Deadline pending: {deadline.explanation}; no assessment yet."
        return Status.UNKNOWN, "No deadline; no linked event or assessment on record yet."
    left = (deadline.on - as_of).days
    if left >= 0:
        rule = f" ({deadline.explanation})" if deadline.explanation else ""
        return Status.NOT_DUE, f"Due {deadline.on.isoformat()}{rule}; {_days(left)} left."
    return Status.OVERDUE, f"{_days(-left)} late: due {deadline.on.isoformat()}, no completion recorded."


def evidence_status(evidence: tuple[EvidenceFact, ...], as_of: date) -> tuple[Status, str]:
    """Prohibitions and ongoing commitments: what the linked events say."""
    known = sorted((e for e in evidence if e.happened_by(as_of)), key=lambda e: e.on)
    breaches = [e for e in known if e.bearing == Bearing.BREACH]
    if breaches:
        latest = breaches[-1]
        count = (
            "1 linked event indicates" if len(breaches) == 1 else f"{len(breaches)} linked events indicate"
        )
        return Status.BREACHED, f"{count} breach, latest {_cite(latest)}."
    supports = [e for e in known if e.bearing == Bearing.SUPPORTS]
    if supports:
        return Status.ON_TRACK, f"Latest evidence supports compliance: {_cite(supports[-1])}."
    return Status.UNKNOWN, NOTHING_ON_RECORD


def _cite(evidence: EvidenceFact) -> str:
    grade = f" ({evidence.grade})" if evidence.grade else ""
    return f"{evidence.on.isoformat()} {evidence.summary}{grade}"


def quantity_status(
    q: QuantityFacts, deadline: Deadline, as_of: date
) -> tuple[Status, str, QuantityStanding]:
    due = deadline.on or q.target.on
    target = q.target.value
    observations = Series(q.observations)  # sorted once for every question below
    known = known_as_of(observations, as_of)
    claims = current_claims(observations, as_of)
    latest = known[-1] if known else None
    expected = target_at(list(q.targets), as_of)
    standing = QuantityStanding(
        q.metric, q.unit, target, due, expected, latest.value if latest else None, latest.on if latest else None,
        tuple(claim_text(c) for c in claims), pace(known, target, due, as_of),
    )  # fmt: skip
    aim = f"target {figure(target)} by {due.isoformat()}"
    reached = first_reaching(observations, target, q.direction, as_of)
    if reached is not None:
        contested = dispute(current_claims(observations, reached.known_on), q.tolerance)
        if contested is None:
            status = Status.MET if reached.known_on <= due else Status.MET_LATE
            reason = f"{_capital(claim_text(reached))}; {aim}."
            if status == Status.MET_LATE:
                if reached.period[0] <= due:
                    reason += f" Dated only to the {reached.precision}, it is not known to be in time."
                else:
                    reason += f" Reached {_days((reached.known_on - due).days)} late."
            return status, reason, standing
    contested = dispute(claims, q.tolerance)
    if contested is not None:
        low, high = contested
        return (
            Status.DISPUTED,
            f"Competing claims: {claim_text(low)} against {claim_text(high)}; {aim}.",
            standing,
        )
    if as_of > due:
        said = _capital(claim_text(latest)) if latest else "No figure reported"
        return Status.OVERDUE, f"{said}; {aim}, {_days((as_of - due).days)} late.", standing
    if latest is None:
        return Status.NOT_DUE, f"No figure reported yet; {aim}.", standing
    status, where = Status.ON_TRACK, ""
    if expected is not None:
        lag = behind_by(latest.value, expected, q.direction)
        if lag > q.tolerance:
            status = Status.AT_RISK
            where = f"; {figure(lag)} behind the trajectory's {figure(expected)} as of {as_of.isoformat()}"
        else:
            where = f"; trajectory {figure(expected)} as of {as_of.isoformat()}"
    return status, f"{_capital(claim_text(latest))}{where}; {aim}.{_pace_text(standing.pace)}", standing


def _pace_text(p: Pace) -> str:
    if p.needed_per_day is None or p.observed_per_day is None:
        return ""
    text = f" Needs {_change(p.needed_per_day)} a month; the last two reports show {_change(p.observed_per_day)} a month"
    return text + (
        f", reaching the target {p.projected_on.isoformat()}."
        if p.projected_on
        else ", not towards the target."
    )


def _change(per_day: float) -> str:
    per_month = per_day * 365.25 / 12
    return f"a {'fall' if per_month < 0 else 'rise'} of {figure(abs(per_month))}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _assessment_reason(assessment: AssessmentFact) -> str:
    score = "" if assessment.score is None else f"score {assessment.score} of 3, "
    who = f" by {assessment.assessed_by}" if assessment.assessed_by else ""
    text = (
        f"Assessed {assessment.status.label.lower()} as of {assessment.as_of.isoformat()}{who} "
        f"({score}{assessment.confidence} confidence)"
    )
    return f"{text}: {assessment.rationale}" if assessment.rationale else f"{text}."


def _own_status(facts: ObligationFacts, deadline: Deadline, done_on: date | None, as_of: date):
    if facts.quantity is not None:
        return quantity_status(facts.quantity, deadline, as_of)
    if facts.kind == ObligationKind.PROHIBITION or (facts.ongoing and deadline.on is None):
        return (*evidence_status(facts.evidence, as_of), None)
    return (*computed_status(deadline, facts.ongoing, done_on, as_of), None)


def evaluate(obligations: list[ObligationFacts], signed_on: date | None, as_of: date) -> dict[str, Standing]:
    """The standing of every obligation, parents rolled up from their children."""
    completions = {
        facts.ref: done for facts in obligations if (done := completed_on(facts, as_of)) is not None
    }
    children: dict[str | None, list[ObligationFacts]] = {}
    for facts in obligations:
        children.setdefault(facts.parent_id, []).append(facts)

    result: dict[str, Standing] = {}

    def judge(facts: ObligationFacts) -> Standing:
        deadline = resolve_deadline(facts, signed_on, completions)
        kids = [(child.ref, judge(child)) for child in children.get(facts.id, [])]
        own = None
        if facts.kind != ObligationKind.SECTION or not kids:
            own = _own_status(facts, deadline, completions.get(facts.ref), as_of)
        if kids:
            standing = _roll_up(kids, own, deadline, as_of)
        else:
            standing = Standing(own[0], own[0], None, own[1], deadline, quantity=own[2])
        assessment = latest_assessment(facts.assessments, as_of)
        if assessment is not None:
            reason = _assessment_reason(assessment)
            if assessment.status != standing.computed:
                reason += f" The record alone says {standing.computed.label.lower()}: {standing.reason}"
            standing = Standing(
                assessment.status, standing.computed, assessment.status, reason, deadline, standing.counts,
                standing.quantity,
            )  # fmt: skip
        result[facts.id] = standing
        return standing

    for root in children.get(None, []):
        judge(root)
    return result


def _roll_up(kids: list[tuple[str, Standing]], own, deadline: Deadline, as_of: date) -> Standing:
    counts = Counter(kid.status for _, kid in kids)
    status = worst(list(counts) + ([own[0]] if own else []))
    reason = rolled_up_reason(kids, as_of)
    if own:
        reason = f"{own[1]} {reason}"
    return Standing(status, status, None, reason, deadline, dict(counts), own[2] if own else None)


ROLLED_UP_WORDS = {Status.UNKNOWN: "without evidence yet", Status.NOT_DUE: "not yet due"}
NAMED = (Status.BREACHED, Status.OVERDUE, Status.AT_RISK, Status.DISPUTED, Status.SUSPENDED)  # the refs are given
MOST_NAMED = 3
FELL_DUE = frozenset({Status.MET, Status.MET_LATE, Status.OVERDUE, Status.BREACHED})  # a section has no date


def rolled_up_reason(kids: list[tuple[str, Standing]], as_of: date) -> str:
    """A parent's reason in plain words: "3 of 6 clauses due; 1 overdue (P1-C.3 263 days late); 2 met.",
    the worst first, naming the clauses that need the officer."""
    due = sum(1 for _, kid in kids if kid.status in FELL_DUE or (kid.deadline.on is not None and kid.deadline.on <= as_of))
    parts = [f"{due} of {len(kids)} {'clause' if len(kids) == 1 else 'clauses'} due"]
    by_status: dict[Status, list[tuple[str, Standing]]] = {}
    for ref, kid in kids:
        by_status.setdefault(kid.status, []).append((ref, kid))
    for status in STATUS_SEVERITY:
        these = by_status.get(status)
        if not these:
            continue
        part = f"{len(these)} {ROLLED_UP_WORDS.get(status, status.label.lower())}"
        if status in NAMED:
            if status == Status.OVERDUE:
                these.sort(key=lambda pair: pair[1].deadline.on or as_of)
            named = [_named_late(ref, kid, as_of) if status == Status.OVERDUE else ref for ref, kid in these]
            more = len(named) - MOST_NAMED
            part += f" ({', '.join(named[:MOST_NAMED])}{f' and {more} more' if more > 0 else ''})"
        parts.append(part)
    return "; ".join(parts) + "."


def _named_late(ref: str, kid: Standing, as_of: date) -> str:
    return f"{ref} {_days((as_of - kid.deadline.on).days)} late" if kid.deadline.on else ref
