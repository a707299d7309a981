"""Benchmark: the reads of a large record (issue 15) against the example, each in a fresh interpreter.

    nice -n 10 .venv/bin/python -m tests.bench_large_reads LARGE.sqlite EXAMPLE.sqlite [--runs 3]

LARGE is the example with a million imported events (e.g. tests/bench_million.py's cached database, or
tests.bench_import.generate + import-events); EXAMPLE the example alone (`accord-desk init`), both at the
current schema. Printed, medians of --runs, each with the process's peak memory (VmHWM):
- opening: Store.open read-only and to write (median of 5 opens after one), with the statements that
  scan every page (quick_check, integrity_check) counted by a trace callback — target ≤ 150 ms and none;
  beside sqlite3 connecting and reading the schema revision;
- `accord-desk status` on LARGE against EXAMPLE — target ≤ 1.3×;
- `accord-desk export-pdf` (linked events only) on LARGE against EXAMPLE — target ≤ 2×;
- the report's fingerprint (the kept content digest) against the same digest recomputed from every row.

Not collected by pytest (its files are test_*.py).
"""

import argparse
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2021-09-01"


def _opening(database: str, access: str) -> dict:
    from db.store import Access, Store

    scans, connect = [], sqlite3.connect

    def traced(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(lambda sql: scans.append(sql) if "_check" in sql.lower() else None)
        return connection

    sqlite3.connect = traced
    times = []
    for _ in range(6):
        started = time.perf_counter()
        Store.open(database, user="bench", access=Access(access)).close()
        times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times[1:]), "scans": len(scans)}


def _raw_open(database: str) -> dict:
    times = []
    for _ in range(6):
        started = time.perf_counter()
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        connection.execute("SELECT version_num FROM alembic_version").fetchone()
        connection.close()
        times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times[1:])}


def _command(*argv: str) -> dict:
    from gui.cli import main

    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        started = time.perf_counter()
        code = main(list(argv))
    if code != 0:
        raise SystemExit(f"accord-desk {' '.join(argv)} exited {code}")
    return {"seconds": time.perf_counter() - started}


def _fingerprint(database: str) -> dict:
    from db import content
    from db.store import Access, Store

    store = Store.open(database, user="bench", access=Access.READ)
    try:
        with store.reading() as session:
            connection = session.connection()
            started = time.perf_counter()
            kept = content.content_digest(connection)
            middle = time.perf_counter()
            fresh = content.digest(content.fresh(connection))
            ended = time.perf_counter()
    finally:
        store.close()
    return {"seconds": middle - started, "fresh_seconds": ended - middle, "equal": kept == fresh}


def _measure(what: str, database: str) -> dict:
    """In this process: one measurement, with its peak memory."""
    if what.startswith("open-"):
        figures = _opening(database, what.removeprefix("open-"))
    elif what == "raw-open":
        figures = _raw_open(database)
    elif what == "status":
        figures = _command("status", "--db", database, "--as-of", AS_OF)
    elif what == "pdf":
        with tempfile.TemporaryDirectory() as scratch:
            figures = _command("export-pdf", "--db", database, "--as-of", AS_OF, "-o", f"{scratch}/r.pdf")
    else:
        figures = _fingerprint(database)
    hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    return {**figures, "peak_mib": int(hwm.split()[1]) / 1024}


def measured(what: str, database: str, runs: int) -> dict:
    """The medians of `runs` fresh interpreters each making the measurement."""
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-m", "tests.bench_large_reads", "--child", what, database],
                              check=True, capture_output=True, text=True, cwd=ROOT)  # fmt: skip
        results.append(json.loads(done.stdout.splitlines()[-1]))
    return {key: statistics.median(r[key] for r in results) for key in results[0] if key != "equal"} | {
        "runs": [round(r["seconds"], 3) for r in results]
    }


def line(label: str, figures: dict, note: str = "") -> None:
    print(f"  {label:50}{figures['seconds']:9.3f} s {figures['peak_mib']:7.0f} MiB   runs {figures['runs']}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("large")
    parser.add_argument("example", nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.large, args.example)))
        return
    print(f"load {os.getloadavg()[0]:.2f}; medians of {args.runs} runs")
    print("opening — target ≤ 150 ms, no page-by-page check on a clean open")
    for what in ("open-read", "open-write"):
        figures = measured(what, args.large, args.runs)
        line(f"Store.open {what.removeprefix('open-')}", figures, f"   page-by-page checks {figures['scans']:.0f}")
    line("raw: sqlite3 connect + schema revision", measured("raw-open", args.large, args.runs))
    for what, label, target in (("status", "accord-desk status", 1.3), ("pdf", "accord-desk export-pdf", 2.0)):
        print(f"{label} — target ≤ {target}× the example")
        large, example = measured(what, args.large, args.runs), measured(what, args.example, args.runs)
        line(f"{label}, large", large)
        line(f"{label}, the example", example)
        ratio = large["seconds"] / example["seconds"]
        print(f"  → {ratio:.2f}× ({'met' if ratio <= target else 'NOT met'})")
    figures = measured("fingerprint", args.large, 1)
    print("the report's fingerprint")
    line("the kept content digest", figures, f"   recomputed from every row: {figures['fresh_seconds']:.1f} s")


if __name__ == "__main__":
    main()
