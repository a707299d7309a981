"""Key findings from the record: what page 1 of the summary tells a chief, computed, each with its evidence.

Judgements are the officer's: these are findings — what the record shows as of a date — and the report
labels them so. Pure function over the evaluated tree's leaves (db.tree.ObligationNode) and the status
changes since a date, so the choice of findings is tested with plain tables.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from db.tree import ObligationNode
from db.vocabulary import COMPLETED, STATUS_SEVERITY, Status

MAX_FINDINGS = 6


@dataclass(frozen=True)
class Finding:
    headline: str
    evidence: tuple[str, ...]  # one line per obligation or fact behind it


@dataclass(frozen=True)
class Completion:
    """An obligation whose status became met or met late since the `since` date, with the events cited."""

    node: ObligationNode
    evidence: tuple[str, ...]


MOST_CITED = 220  # characters of a reason or rationale quoted as evidence; the tables carry it whole


def _quoted(text: str) -> str:
    return text if len(text) <= MOST_CITED else text[: text.rfind(" ", 0, MOST_CITED)].rstrip(",;:") + " …"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _days(number: int) -> str:
    return _count(number, "day")


def _named(node: ObligationNode) -> str:
    obligors = f" ({', '.join(node.obligors)})" if node.obligors else ""
    return f"{node.ref} {node.title}{obligors}"


def _overall(leaves: list[ObligationNode], as_of: date) -> Finding:
    counts = Counter(node.standing.status for node in leaves)
    met = counts[Status.MET] + counts[Status.MET_LATE]
    late = f" ({counts[Status.MET_LATE]} late)" if counts[Status.MET_LATE] else ""
    rest = [f"{counts[s]} {s.label.lower()}" for s in STATUS_SEVERITY if s not in COMPLETED and counts[s]]
    headline = f"{met} of {_count(len(leaves), 'obligation')} met{late} as of {as_of.isoformat()}"
    headline += f"; {', '.join(rest)}." if rest else "."
    by_obligor: dict[str, Counter] = {}
    for node in leaves:
        for obligor in node.obligors:
            by_obligor.setdefault(obligor, Counter())[node.standing.status] += 1
    evidence = tuple(
        f"{obligor}: " + ", ".join(f"{c[s]} {s.label.lower()}" for s in STATUS_SEVERITY if c[s])
        for obligor, c in by_obligor.items()
    )
    return Finding(headline, evidence)


def _overdue(leaves: list[ObligationNode], as_of: date) -> Finding:
    overdue = [n for n in leaves if n.standing.status == Status.OVERDUE]
    if not overdue:
        return Finding(f"Nothing is overdue as of {as_of.isoformat()}.", ())

    def late(node: ObligationNode) -> int:
        due = node.standing.deadline.on
        return (as_of - due).days if due else 0

    overdue.sort(key=late, reverse=True)
    longest = overdue[0]
    headline = (
        f"{_count(len(overdue), 'obligation')} overdue; the longest, {longest.ref}, by {_days(late(longest))}."
    )
    evidence = []
    for node in overdue:
        due = node.standing.deadline.on
        when = f"due {due.isoformat()}, {_days(late(node))} late" if due else "overdue"
        quantity = node.standing.quantity
        said = (
            f"; latest figure {quantity.claims[0]}" if quantity is not None and quantity.claims else
            "; no completion recorded"
        )  # fmt: skip
        evidence.append(f"{_named(node)}: {when}{said}.")
    return Finding(headline, tuple(evidence))


def _with_reasons(leaves: list[ObligationNode], status: Status, headline) -> Finding | None:
    """The obligations of a status, each with its reason; `headline(count)` says what they are."""
    these = [n for n in leaves if n.standing.status == status]
    if not these:
        return None
    return Finding(headline(len(these)), tuple(f"{_named(n)}: {_quoted(n.standing.reason)}" for n in these))


def _at_risk(leaves: list[ObligationNode]) -> Finding | None:
    return _with_reasons(leaves, Status.AT_RISK, lambda count: (
        f"{_count(count, 'obligation')} at risk of missing {'its' if count == 1 else 'their'} deadline."
    ))  # fmt: skip


def _breached(leaves: list[ObligationNode]) -> Finding | None:
    return _with_reasons(
        leaves, Status.BREACHED, lambda count: f"{_count(count, 'obligation')} breached, as linked events indicate."
    )


def _disputed(leaves: list[ObligationNode]) -> Finding | None:
    disputed = [n for n in leaves if n.standing.computed == Status.DISPUTED]
    if not disputed:
        return None
    refs = ", ".join(n.ref for n in disputed)
    evidence = []
    for node in disputed:
        claims = node.standing.quantity.claims if node.standing.quantity else ()
        evidence.append(f"{_named(node)}: " + _quoted("; ".join(claims) if claims else node.standing.reason))
    return Finding(f"Claimants disagree on {refs}: the figures reported differ beyond tolerance.", tuple(evidence))


def _met_since(completions: list[Completion], since: date) -> Finding:
    if not completions:
        return Finding(f"No obligation was met since {since.isoformat()}.", ())
    late = sum(1 for c in completions if c.node.standing.status == Status.MET_LATE)
    late_text = f", {late} of them late" if late else ""
    evidence = []
    for completion in completions:
        status = completion.node.standing.status.label.lower()
        cited = _quoted("; ".join(completion.evidence) or completion.node.standing.reason)
        evidence.append(f"{_named(completion.node)}: {status} — {cited}")
    return Finding(
        f"{_count(len(completions), 'obligation')} met since {since.isoformat()}{late_text}.", tuple(evidence)
    )


def _next_due(leaves: list[ObligationNode], as_of: date) -> Finding | None:
    coming = sorted(
        (n for n in leaves if n.standing.status in (Status.NOT_DUE, Status.ON_TRACK) and n.standing.deadline.on),
        key=lambda n: n.standing.deadline.on,
    )
    if not coming:
        return None
    first = coming[0]
    days = (first.standing.deadline.on - as_of).days
    return Finding(
        f"Next deadline: {first.ref} on {first.standing.deadline.on.isoformat()}, in {_days(days)}.",
        tuple(f"{_named(n)}: due {n.standing.deadline.on.isoformat()}." for n in coming[:4]),
    )


def _unevidenced(leaves: list[ObligationNode]) -> Finding | None:
    unknown = [n for n in leaves if n.standing.status == Status.UNKNOWN]
    if not unknown:
        return None
    return Finding(
        f"{_count(len(unknown), 'obligation')} cannot be judged from the record: "
        "no linked event or assessment yet.",
        (", ".join(n.ref for n in unknown) + ".",),
    )


def key_findings(
    leaves: list[ObligationNode], as_of: date, since: date | None = None, completions: list[Completion] = ()
) -> list[Finding]:
    """Three to six findings, most pressing first: the standing overall, breaches, what is overdue and by
    how long, what is at risk and why, disputes between claimants, what was met since `since`, the next
    deadline, and what the record cannot yet say."""
    found = [
        _overall(leaves, as_of),
        _breached(leaves),
        _overdue(leaves, as_of),
        _at_risk(leaves),
        _disputed(leaves),
        _met_since(list(completions), since) if since is not None else None,
        _next_due(leaves, as_of),
        _unevidenced(leaves),
    ]
    return [finding for finding in found if finding is not None][:MAX_FINDINGS]
