"""Compliance status of every obligation as of a date, from deadlines and officers' assessments.

Pure functions over plain values: the services read the facts, these rules judge them.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from db.deadlines import SIGNING, parse_rule, resolve
from db.vocabulary import COMPLETED, STATUS_SEVERITY, ObligationKind, Status


@dataclass(frozen=True)
class AssessmentFact:
    as_of: date
    status: Status
    recorded_at: datetime
    assessed_by: str = ""
    score: int | None = None
    confidence: str = "medium"
    rationale: str = ""


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


@dataclass(frozen=True)
class Deadline:
    """A deadline as of a date: `on` is None while a rule's anchor has not happened yet."""

    on: date | None
    explanation: str  # the rule it comes from, "ongoing", or "" for a fixed date or none


@dataclass(frozen=True)
class Standing:
    status: Status  # what the officer sees: the newest assessment if any, otherwise computed
    computed: Status
    assessed: Status | None
    reason: str
    deadline: Deadline
    counts: dict[Status, int] = field(default_factory=dict)  # children's statuses, for parents


def worst(statuses) -> Status:
    return min(statuses, key=STATUS_SEVERITY.index)


def latest_assessment(assessments, as_of: date) -> AssessmentFact | None:
    """The newest assessment made as of the date: latest as_of, then latest recorded."""
    current = [a for a in assessments if a.as_of <= as_of]
    return max(current, key=lambda a: (a.as_of, a.recorded_at), default=None)


def completed_on(assessments, as_of: date) -> date | None:
    """When an officer first judged the obligation met (or met late), if that is known by as_of."""
    dates = [a.as_of for a in assessments if a.status in COMPLETED and a.as_of <= as_of]
    return min(dates, default=None)


def resolve_deadline(
    facts: ObligationFacts, signed_on: date | None, completions: dict[str, date]
) -> Deadline:
    if facts.deadline_on is not None:
        return Deadline(facts.deadline_on, "")
    if facts.deadline_rule:
        rule = parse_rule(facts.deadline_rule)
        anchor = signed_on if rule.anchor == SIGNING else completions.get(rule.anchor)
        if anchor is None:
            what = (
                "the signing date is not recorded"
                if rule.anchor == SIGNING
                else f"{rule.anchor} is not yet completed"
            )
            return Deadline(None, f"{rule}, and {what}")
        return Deadline(resolve(rule, anchor), str(rule))
    return Deadline(None, "ongoing" if facts.ongoing else "")


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
            return Status.UNKNOWN, "Ongoing commitment; no assessment yet."
        if deadline.explanation:
            return Status.UNKNOWN, f"Deadline pending: {deadline.explanation}; no assessment yet."
        return Status.UNKNOWN, "No deadline; no assessment yet."
    left = (deadline.on - as_of).days
    if left >= 0:
        rule = f" ({deadline.explanation})" if deadline.explanation else ""
        return Status.NOT_DUE, f"Due {deadline.on.isoformat()}{rule}; {_days(left)} left."
    return (
        Status.OVERDUE,
        f"Deadline {deadline.on.isoformat()} passed {_days(-left)} ago with no completion recorded.",
    )


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _assessment_reason(assessment: AssessmentFact) -> str:
    score = "" if assessment.score is None else f"score {assessment.score}, "
    who = f" by {assessment.assessed_by}" if assessment.assessed_by else ""
    text = (
        f"Assessed {assessment.status.label.lower()} as of {assessment.as_of.isoformat()}{who} "
        f"({score}{assessment.confidence} confidence)"
    )
    return f"{text}: {assessment.rationale}" if assessment.rationale else f"{text}."


def evaluate(obligations: list[ObligationFacts], signed_on: date | None, as_of: date) -> dict[str, Standing]:
    """The standing of every obligation, parents rolled up from their children."""
    completions = {
        facts.ref: done
        for facts in obligations
        if (done := completed_on(facts.assessments, as_of)) is not None
    }
    children: dict[str | None, list[ObligationFacts]] = {}
    for facts in obligations:
        children.setdefault(facts.parent_id, []).append(facts)

    result: dict[str, Standing] = {}

    def judge(facts: ObligationFacts) -> Standing:
        deadline = resolve_deadline(facts, signed_on, completions)
        kids = [judge(child) for child in children.get(facts.id, [])]
        own = None
        if facts.kind != ObligationKind.SECTION or not kids:
            own = computed_status(deadline, facts.ongoing, completions.get(facts.ref), as_of)
        assessment = latest_assessment(facts.assessments, as_of)
        standing = _roll_up(kids, own, deadline) if kids else Standing(own[0], own[0], None, own[1], deadline)
        if assessment is not None:
            reason = _assessment_reason(assessment)
            if assessment.status != standing.computed:
                reason += f" Computed: {standing.computed.label.lower()} — {standing.reason}"
            standing = Standing(
                assessment.status, standing.computed, assessment.status, reason, deadline, standing.counts
            )
        result[facts.id] = standing
        return standing

    for root in children.get(None, []):
        judge(root)
    return result


def _roll_up(kids: list[Standing], own: tuple[Status, str] | None, deadline: Deadline) -> Standing:
    counts = Counter(kid.status for kid in kids)
    statuses = list(counts) + ([own[0]] if own else [])
    status = worst(statuses)
    summary = ", ".join(f"{counts[s]} {s.label.lower()}" for s in sorted(counts, key=STATUS_SEVERITY.index))
    noun = "item" if len(kids) == 1 else "items"
    reason = f"Worst of {len(kids)} {noun}: {summary}."
    if own:
        reason = f"{own[1]} {reason}"
    return Standing(status, status, None, reason, deadline, dict(counts))
