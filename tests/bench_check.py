"""Benchmark: `accord-desk check` (db.integrity.check_record) on the example plus 100,000 imported events.

    .venv/bin/python -m tests.bench_check [--rows 100000] [--runs 3]

The events are tests/bench_import.py's generated ACLED rows, imported once; 50 of them are then
edited through the desk, so the import's digest is checked with rows put back as they were. Each run
is a fresh process, so its peak memory (VmHWM from /proc/self/status) is the check's own. Baseline:
what SQLite alone does in the same process, its integrity_check plus reading every row of the event
table as tuples. Medians of --runs runs. Not collected by pytest (its files are test_*.py).
"""

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from db.event_import import import_events
from db.events import edit_event
from db.examples import create_database
from db.integrity import check_record
from db.models import Event
from db.store import Store
from tests.bench_import import generate


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ours(path: Path) -> None:
    store = Store.open(path, user="bench")
    started = time.perf_counter()
    report = check_record(store)
    elapsed = time.perf_counter() - started
    store.close()
    print(f"{elapsed:.3f} {peak_mb():.1f} {report.entries} {int(report.whole)}")


def baseline(path: Path) -> None:
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA integrity_check").fetchall()
    for _ in connection.execute("SELECT * FROM event"):
        pass
    connection.close()
    print(f"{time.perf_counter() - started:.3f} {peak_mb():.1f} 0 1")


def _run(kind: str, path: Path) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench_check", f"--{kind}", str(path)], check=True, capture_output=True, text=True
    ).stdout.split()
    return [float(x) for x in out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ours", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours or args.baseline:
        (ours if args.ours else baseline)(args.ours or args.baseline)
        return
    with tempfile.TemporaryDirectory() as folder:
        source, database = Path(folder) / "acled.csv", Path(folder) / "record.sqlite"
        generate(source, args.rows)
        create_database(database, user="bench").close()
        store = Store.open(database, user="bench")
        import_events(store, source)
        with store.reading() as session:
            edited = session.exec(select(Event.id).limit(50)).all()
        for event_id in edited:
            with store.writing("Edit event") as session:
                edit_event(session, event_id, {"fatalities": 99})
        store.close()
        size = database.stat().st_size / 2**20
        results = {"check_record": [], "baseline (integrity_check + read events)": []}
        for _ in range(args.runs):
            results["check_record"].append(_run("ours", database))
            results["baseline (integrity_check + read events)"].append(_run("baseline", database))
        entries, whole = results["check_record"][0][2:]
        print(f"{args.rows:,} imported events, 50 edited since; {size:.0f} MB database, {entries:,.0f} audit entries; "
              f"whole: {bool(whole)}; {args.runs} runs each, each in a fresh process")  # fmt: skip
        print(f"{'':42}{'median':>8}  peak memory (VmHWM)")
        for name, runs in results.items():
            seconds = statistics.median(r[0] for r in runs)
            memory = statistics.median(r[1] for r in runs)
            print(f"{name:42}{seconds:7.2f}s  {memory:6.0f} MB   runs " + " ".join(f"{r[0]:.2f}" for r in runs))


if __name__ == "__main__":
    main()
