"""Quantitative series: the target trajectory, what was observed as of a date, disputes and pace.

Plain functions over plain values. An observation dated only to a week or a month is taken to be known
at the end of its period: as of an earlier date nobody could have cited it.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from db.as_of import period
from db.event_rules import date_label
from db.vocabulary import DatePrecision, Direction, Qualifier


@dataclass(frozen=True)
class TargetFact:
    on: date
    value: float
    obligation_id: str | None = None
    clause: str | None = None  # the ref of the clause that sets it


class _Observed(NamedTuple):
    on: date
    value: float
    precision: str = DatePrecision.DAY
    qualifier: str = Qualifier.EXACT
    claimant: str | None = None
    source: str | None = None
    period: tuple[date, date] | None = None  # worked out from `on` and `precision` as it is made
    known_on: date | None = None


class ObservationFact(_Observed):
    """A reported figure. A named tuple, not a frozen dataclass: a series runs to thousands of reports,
    each made on every read of the tree, and a frozen dataclass took 6× as long to make. The days it
    may stand for are worked out once as it is made, as every question about the series asks them."""

    __slots__ = ()

    def __new__(cls, on: date, value: float, precision: str = DatePrecision.DAY, qualifier: str = Qualifier.EXACT,
                claimant: str | None = None, source: str | None = None) -> "ObservationFact":  # fmt: skip
        days = (on, on) if precision == DatePrecision.DAY else period(on, precision)
        return tuple.__new__(cls, (on, value, precision, qualifier, claimant, source, days, days[1]))

    @property
    def claim(self) -> str:
        """Who stands behind the figure: claims from different claimants compete."""
        return self.claimant or self.source or ""

    @property
    def cited(self) -> str:
        """Whom a reason names: the source says more than its actor ("CENTCOM commander McKenzie")."""
        return self.source or self.claimant or ""


def target_at(targets: list[TargetFact], day: date) -> float | None:
    """The trajectory's value: linear between target points, flat after the last, none before the first."""
    points = sorted(targets, key=lambda t: t.on)
    if not points or day < points[0].on:
        return None
    for before, after in zip(points, points[1:], strict=False):
        if before.on <= day <= after.on:
            span = (after.on - before.on).days
            if span == 0:
                return after.value
            return before.value + (after.value - before.value) * (day - before.on).days / span
    return points[-1].value


class Series(tuple):
    """A metric's observations in the order they became known (by the end of their period, then by
    date), with those days beside them: what was known as of a date is a prefix found by bisection, not
    a scan and a sort of the whole series at every question (a series runs to thousands of reports)."""

    known_ons: list[date]

    def __new__(cls, observations) -> "Series":
        if isinstance(observations, Series):
            return observations
        series = super().__new__(cls, sorted(observations, key=lambda o: (o.known_on, o.on)))
        series.known_ons = [o.known_on for o in series]
        return series

    def known_as_of(self, day: date) -> list[ObservationFact]:
        return list(self[: bisect_right(self.known_ons, day)])


def known_as_of(observations, day: date) -> list[ObservationFact]:
    """The observations that could be cited on `day` (db.as_of.happened_by), oldest first."""
    return Series(observations).known_as_of(day)


def current_claims(observations, day: date) -> list[ObservationFact]:
    """The latest figure as of `day`, with every other claim about an overlapping period."""
    series = Series(observations)
    known = bisect_right(series.known_ons, day)
    if not known:
        return []
    # Every known claim ends by the latest's end; those ending on or after its start overlap it.
    start = series[known - 1].period[0]
    return list(series[bisect_left(series.known_ons, start, 0, known) : known])


def dispute(
    claims: list[ObservationFact], tolerance: float
) -> tuple[ObservationFact, ObservationFact] | None:
    """Two claims from different sources that differ beyond the tolerance, if any (the furthest apart)."""
    pairs = [(a, b) for a in claims for b in claims if a.claim != b.claim and a.value < b.value]
    if not pairs:
        return None
    low, high = max(pairs, key=lambda pair: pair[1].value - pair[0].value)
    return (low, high) if high.value - low.value > tolerance else None


def reaches(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == Direction.DECREASE else value >= target


def behind_by(observed: float, expected: float, direction: str) -> float:
    """How far the observed value lags the trajectory (negative when ahead)."""
    return observed - expected if direction == Direction.DECREASE else expected - observed


def first_reaching(
    observations, target: float, direction: str, day: date
) -> ObservationFact | None:
    return next((o for o in known_as_of(observations, day) if reaches(o.value, target, direction)), None)


@dataclass(frozen=True)
class Pace:
    needed_per_day: float | None  # rate needed from the as-of date to reach the target by the deadline
    observed_per_day: float | None  # rate over the last two observations
    projected_on: date | None  # when the target is reached at the observed rate


def pace(known: list[ObservationFact], target: float, deadline: date | None, as_of: date) -> Pace:
    if not known:
        return Pace(None, None, None)
    last = known[-1]
    needed = None
    if deadline is not None and deadline > as_of:
        needed = (target - last.value) / (deadline - as_of).days
    earlier = [o for o in known if o.on < last.on]
    if not earlier:
        return Pace(needed, None, None)
    previous = earlier[-1]
    rate = (last.value - previous.value) / (last.on - previous.on).days
    projected = None
    if rate and (target - last.value) / rate >= 0:
        projected = last.on + timedelta(days=round((target - last.value) / rate))
    elif last.value == target:
        projected = last.on
    return Pace(needed, rate, projected)


def figure(value: float) -> str:
    """8600.0 → "8,600"; a fraction only where it matters (2.5, not 12,641.5)."""
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:,.1f}"


QUALIFIER_WORDS = {
    Qualifier.EXACT: "",
    Qualifier.ABOUT: "about ",
    Qualifier.AT_LEAST: "at least ",
    Qualifier.AT_MOST: "at most ",
}


def claim_text(observation: ObservationFact) -> str:
    """'about 8,500 reported 2020-06-18 by CENTCOM commander McKenzie'."""
    when = {DatePrecision.DAY: "", DatePrecision.WEEK: "in the week of "}.get(observation.precision, "in ")
    day = date_label(observation.on, observation.precision).removeprefix("week of ")
    by = f" by {observation.cited}" if observation.cited else ""
    return f"{QUALIFIER_WORDS.get(observation.qualifier, '')}{figure(observation.value)} reported {when}{day}{by}"
