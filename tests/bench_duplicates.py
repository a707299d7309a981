"""Benchmark: the import's duplicate check (db.duplicates.rows_like_record) at 100,000 rows against a record
already holding 100,000 events, beside raw baselines.

    nice -n 10 .venv/bin/python -m tests.bench_duplicates [--rows 100000] [--runs 3]

The record: tests/bench_import's generated ACLED rows, imported. The file checked: as many rows generated
with another seed and keys, 1% of them copies of recorded rows under new keys (the same happenings).
Measured, medians of --runs:
- the check over every row of the file (ours), and per row;
- raw: its candidate statement alone through sqlite3 (the indexed search by place and date, no Python);
- the previous way, one query per row reading every event of its type within 62 days (events_like before
  this check), timed on --sample rows and scaled to the file;
- the import's dry run with and without the check, and the import's write with and without the index on
  place and date that the check needs (what it costs an import that does not ask).
Not collected by pytest (its files are test_*.py).
"""

import argparse
import csv
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from unittest import mock

from db import duplicates, event_import
from db.duplicates import _NEAR, _NEAR_EVENTS, likely_duplicates, near_parameters, rows_like_record
from db.event_file import read_event_file
from db.event_import import import_events
from db.examples import create_database
from db.store import Store
from tests.bench_import import generate


def _second_file(recorded: Path, path: Path, rows: int, copies: float = 0.01) -> int:
    """Rows of another seed under other keys, `copies` of them recorded rows again; returns how many copies."""
    generate(path, rows, seed=2026)
    with recorded.open(encoding="utf-8", newline="") as handle:
        old = list(csv.reader(handle))
    with path.open(encoding="utf-8", newline="") as handle:
        new = list(csv.reader(handle))
    random.seed(7)
    chosen = set(random.sample(range(1, len(new)), int(rows * copies)))
    body = [(old[n] if n in chosen else new[n]) for n in range(1, len(new))]
    for n, row in enumerate(body):
        row[0] = f"AFGB{n + 1:06d}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([new[0], *body])
    return len(chosen)


def _sketch(chunk, row: int) -> duplicates.EventSketch:
    return duplicates.EventSketch(
        chunk.value(row, "occurred_on"), chunk.value(row, "date_precision"), chunk.value(row, "event_type"),
        chunk.value(row, "location") or "", chunk.value(row, "admin1") or "",
    )  # fmt: skip


def _median(measure, runs: int) -> tuple[float, list[float]]:
    times = [measure() for _ in range(runs)]
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        recorded, checked = folder / "recorded.csv", folder / "checked.csv"
        generate(recorded, args.rows)
        copies = _second_file(recorded, checked, args.rows)
        template = folder / "template.sqlite"
        create_database(template, user="bench").close()
        database = folder / "record.sqlite"
        shutil.copyfile(template, database)
        store = Store.open(database, user="bench")
        import_events(store, recorded)
        file = read_event_file(checked)
        rows = range(sum(len(chunk.rows) for chunk in file.chunks()))
        print(f"record: {args.rows:,} events; file: {len(rows):,} rows, {copies:,} of them recorded happenings again")

        found = {}

        def ours() -> float:
            started = time.perf_counter()
            with store.reading() as session:
                for chunk in file.chunks():
                    found.update(rows_like_record(session, chunk, chunk.rows))
            return time.perf_counter() - started

        mine, mine_runs = _median(ours, args.runs)

        sketches = [_sketch(chunk, row) for chunk in file.chunks() for row in chunk.rows]

        def raw() -> float:
            connection = sqlite3.connect(database)
            started = time.perf_counter()
            for start in range(0, len(sketches), duplicates._CHUNK):
                parameters = {**near_parameters(sketches[start : start + duplicates._CHUNK]), "last_before": duplicates._ALL}
                connection.execute(str(_NEAR_EVENTS), parameters).fetchall()
            elapsed = time.perf_counter() - started
            connection.close()
            return elapsed

        bare, bare_runs = _median(raw, args.runs)

        sample = random.Random(3).sample(list(rows), min(args.sample, len(rows)))

        def previous() -> float:
            # events_like before the check: every event of the row's type within 62 days, compared in Python
            started = time.perf_counter()
            with store.reading() as session:
                connection = session.connection()
                for row in sample:
                    sketch = sketches[row]
                    near = connection.exec_driver_sql(
                        "SELECT id, occurred_on, date_precision, event_type, location, admin1, admin2, notes "
                        "FROM event WHERE lower(event_type) = lower(?) AND occurred_on BETWEEN ? AND ?",
                        (sketch.event_type, (sketch.occurred_on - _NEAR).isoformat(),
                         (sketch.occurred_on + _NEAR).isoformat()),
                    ).all()  # fmt: skip
                    likely_duplicates(sketch, [
                        duplicates.EventSketch(date.fromisoformat(on), p, k, loc or "", a1 or "", a2 or "", notes=n or "",
                                               id=i) for i, on, p, k, loc, a1, a2, n in near
                    ])  # fmt: skip
            return (time.perf_counter() - started) * len(rows) / len(sample)

        before, before_runs = _median(previous, 1)

        def dry_run(check: bool) -> float:
            started = time.perf_counter()
            if check:
                import_events(store, checked, dry_run=True)
            else:
                with mock.patch.object(event_import, "rows_like_record", lambda *a: {}):
                    import_events(store, checked, dry_run=True)
            return time.perf_counter() - started

        with_check, with_runs = _median(lambda: dry_run(True), args.runs)
        without_check, without_runs = _median(lambda: dry_run(False), args.runs)
        store.close()

        def write(index: bool, run: int) -> float:
            path = folder / f"write-{index}-{run}.sqlite"
            shutil.copyfile(template, path)
            if not index:
                with sqlite3.connect(path) as connection:
                    connection.execute("DROP INDEX ix_event_location_occurred_on")
                connection.close()
            fresh = Store.open(path, user="bench")
            try:
                with mock.patch.object(event_import, "rows_like_record", lambda *a: {}):
                    started = time.perf_counter()
                    import_events(fresh, recorded)
                    return time.perf_counter() - started
            finally:
                fresh.close()

        with_index = [write(True, run) for run in range(args.runs)]
        without_index = [write(False, run) for run in range(args.runs)]

        per_row = 1e6 / len(rows)

        def line(name: str, median: float, runs: list[float]) -> None:
            print(f"{name:58}{median:8.2f}s {median * per_row:8.1f} µs/row   " + " ".join(f"{t:.2f}" for t in runs))

        print(f"{'':58}{'median':>9} {'per row':>13}   runs")
        line("the check, rows_like_record (ours)", mine, mine_runs)
        line("raw: its candidate statement alone, sqlite3", bare, bare_runs)
        line(f"previous: a query per row by type and date (on {len(sample):,} rows)", before, before_runs)
        line("import dry run with the check", with_check, with_runs)
        line("import dry run without the check", without_check, without_runs)
        line("import of the record's rows, with the place index", statistics.median(with_index), with_index)
        line("import of the record's rows, without it", statistics.median(without_index), without_index)
        print(f"ours / raw: {mine / bare:.2f}x; previous / ours: {before / mine:.1f}x; "
              f"the check adds {with_check / without_check:.2f}x to a dry run; the index costs an import "
              f"{statistics.median(with_index) / statistics.median(without_index):.2f}x")  # fmt: skip
        print(f"found {len(found):,} likely duplicates; {copies:,} rows were recorded happenings again")


if __name__ == "__main__":
    main()
