"""What is coming: the obligations whose deadline falls within the next days of the as-of date, and
those already past it and not met, soonest first. Pure: it reads the tree the window and `status`
already judged (db.tree)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from db.tree import ObligationNode
from db.vocabulary import Status

WINDOWS = (30, 90)  # the choices the window offers, in days
DONE = frozenset({Status.MET, Status.MET_LATE})  # a deadline kept, late or not, is behind the officer


@dataclass(frozen=True)
class DeadlineAhead:
    obligation_id: str
    ref: str
    title: str
    due: date
    days_left: int  # negative: so many days overdue
    status: Status

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    def when(self) -> str:
        """"in 12 days", "today", "3 days overdue"."""
        if self.days_left == 0:
            return "today"
        days = abs(self.days_left)
        count = f"{days} day" if days == 1 else f"{days} days"
        return f"{count} overdue" if self.overdue else f"in {count}"


def deadlines_ahead(roots: Iterable[ObligationNode], as_of: date, within: int) -> list[DeadlineAhead]:
    """Clauses (not sections) with a dated deadline up to `within` days after `as_of` that are not met:
    those overdue first (the longest overdue leading), then the coming ones, soonest first."""
    last = as_of + timedelta(days=within)
    found = [
        DeadlineAhead(node.id, node.ref, node.title, due, (due - as_of).days, node.standing.status)
        for root in roots
        for node in root.walk()
        if not node.is_section
        and (due := node.standing.deadline.on) is not None
        and due <= last
        and node.standing.status not in DONE
    ]
    return sorted(found, key=lambda d: (d.due, d.ref))


def count_line(ahead: list[DeadlineAhead], as_of: date, within: int) -> str:
    overdue = sum(1 for d in ahead if d.overdue)
    return f"As of {as_of.isoformat()}: {len(ahead) - overdue} due in the next {within} days, {overdue} overdue"


def next_deadline(ahead: Iterable[DeadlineAhead]) -> DeadlineAhead | None:
    """The first deadline not yet passed, for the status bar."""
    return next((d for d in ahead if not d.overdue), None)
