"""A metric's data as CSV: every target point and observation, one row each, safe in a spreadsheet."""

import csv
from pathlib import Path

from db.atomic_file import write_atomically
from db.event_csv import protect
from db.metrics import MetricSeries

HEADER = (
    "metric",
    "kind",
    "date",
    "precision",
    "value",
    "qualifier",
    "clause",
    "claimed_by",
    "source",
    "note",
)


def series_rows(series: MetricSeries) -> list[tuple[str, ...]]:
    rows = [
        (
            series.name,
            "target",
            t.on.isoformat(),
            "day",
            repr(t.value),
            "",
            t.clause or "",
            "",
            "",
            t.note or "",
        )
        for t in series.targets
    ]
    rows += [
        (
            series.name,
            "observation",
            o.on.isoformat(),
            o.precision,
            repr(o.value),
            o.qualifier,
            "",
            o.claimant or "",
            o.source or "",
            o.note or "",
        )  # fmt: skip
        for o in series.observations
    ]
    return rows


def write_series_csv(series: MetricSeries, path: Path) -> int:
    """Write all or nothing; returns the number of data rows."""
    rows = series_rows(series)

    def write(out) -> int:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(HEADER)
        writer.writerows([protect(cell) for cell in row] for row in rows)
        return len(rows)

    return write_atomically(path, write)
