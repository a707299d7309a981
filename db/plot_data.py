"""What the trajectory plot draws, as plain numbers: the window's plot and the PDF figure share it."""

from dataclasses import dataclass, field, replace
from datetime import date
from statistics import fmean

from db.as_of import happened_by
from db.metrics import MetricSeries
from db.trajectory import TargetFact, figure, target_at
from db.values import FIGURE, check_number


@dataclass
class PlotData:
    target_dates: list[date]
    target_values: list[float]
    target_labels: list[str]  # "8,600 (P1-A.1)", one per target point (the curve may run on flat)
    claims: dict[str, list[tuple[date, float]]]  # claimant → points, in date order
    gap_dates: list[date] = field(default_factory=list)  # where target and observed are both known
    gap_target: list[float] = field(default_factory=list)
    gap_observed: list[float] = field(default_factory=list)
    deadlines: list[tuple[date, str]] = field(default_factory=list)


def drawable(value: float) -> bool:
    """A figure within db.values' bounds; a record saved before them may hold ±inf or NaN."""
    try:
        return check_number(value, FIGURE) is not None
    except ValueError:
        return False


def series_as_of(series: MetricSeries, as_of: date) -> MetricSeries:
    """The series as it stood on the as-of date: the agreed trajectory whole, only the observations that
    had happened by then (db.as_of.happened_by). The window's plot and the PDF's figures draw this."""
    known = [o for o in series.observations if happened_by(o.on, o.precision, as_of)]
    return replace(series, observations=known)


def plot_data(series: MetricSeries) -> PlotData:
    series = replace(
        series,
        targets=[t for t in series.targets if drawable(t.value)],
        observations=[o for o in series.observations if drawable(o.value)],
    )
    targets = [TargetFact(t.on, t.value) for t in series.targets]
    claims: dict[str, list[tuple[date, float]]] = {}
    by_date: dict[date, list[float]] = {}
    for observation in series.observations:
        claims.setdefault(observation.claim, []).append((observation.on, observation.value))
        by_date.setdefault(observation.on, []).append(observation.value)
    target_dates, target_values = [t.on for t in series.targets], [t.value for t in series.targets]
    last_report = max((o.on for o in series.observations), default=None)
    if target_dates and last_report and last_report > target_dates[-1]:
        # The target holds after its last point: draw it on to the last report so the gap shows.
        target_dates.append(last_report)
        target_values.append(target_values[-1])
    data = PlotData(
        target_dates,
        target_values,
        [f"{figure(t.value)} ({t.clause})" if t.clause else figure(t.value) for t in series.targets],
        claims,
        deadlines=[(d.on, d.clause) for d in series.deadlines],
    )
    # The gap follows the reported level (competing claims averaged) from the first report on.
    for day in sorted(by_date):
        expected = target_at(targets, day)
        if expected is not None:
            data.gap_dates.append(day)
            data.gap_target.append(expected)
            data.gap_observed.append(fmean(by_date[day]))
    return data


def observed_as_of(series: MetricSeries, day: date) -> float | None:
    """The latest reported level on or before the day (competing claims of that date averaged)."""
    known = [o for o in series.observations if o.on <= day]
    if not known:
        return None
    latest = max(o.on for o in known)
    return fmean(o.value for o in known if o.on == latest)
