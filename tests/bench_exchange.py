"""Benchmark: sending and receiving a bundle (db/bundle.py, db/exchange.py) beside raw sqlite3.

    .venv/bin/python -m tests.bench_exchange [--events 5000] [--runs 3]

Desk A holds the example and a generated agreement with --events events (each linked to an obligation);
desk B loaded the example on its own. Each measurement runs in a fresh process, so its peak memory (VmHWM,
tests/bench_check.py) is its own; figures are medians of --runs runs, printed with the load average:
- export: export_bundle of A (its rows, their dots from the audit trail, the trail itself, zipped);
  raw: sqlite3 reading the same tables and the trail, json.dumps, and the same ZIP;
- import: import_bundle of A's bundle into a fresh copy of B (everything of the generated agreement is
  added, each row audited); raw: the bundle's content.json read with zipfile and json, its rows put into a
  copy of B by sqlite3 executemany in one transaction, without audit, checks or merge;
- dry run: the check and the plan alone (what the window does before showing the conflicts);
- one change: B, having received A's bundle, sends A one; A retitles one obligation and sends what changed
  since (--since); a copy of B receives it (planned, backed up, written) and, apart, plans it in a dry run.
  Proportional to the change, not the record, apart from the backup a receive takes first (a copy of the
  file, db/backup.py).

Not collected by pytest (its files are test_*.py).
"""

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from db.agreement_document import parse_document
from db.agreement_load import import_document
from db.bundle import RECORD_TABLES, export_bundle, read_bundle
from db.examples import create_database
from db.exchange import import_bundle
from db.store import Store
from tests.bench_check import peak_mb
from tests.desks import obligations, retitle
from tests.synthetic import agreement_document


def _raw_export(path: Path, out: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    content = {t: connection.execute(f'SELECT * FROM "{t}"').fetchall() for t in [*RECORD_TABLES, "auditentry"]}
    connection.close()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content.json", json.dumps(content, separators=(",", ":")))


def _raw_import(bundle_path: Path, target: Path) -> None:
    with zipfile.ZipFile(bundle_path) as archive:
        content = json.loads(archive.read("content.json"))
    connection = sqlite3.connect(target)
    connection.execute("BEGIN")
    for table in RECORD_TABLES:
        rows = [values for _row_id, _desk, _counter, values in content["rows"].get(table, [])]
        if rows:
            names = list(rows[0])
            connection.executemany(
                f'INSERT OR IGNORE INTO "{table}" ({", ".join(f"{n!r}" for n in names)}) '
                f'VALUES ({", ".join("?" * len(names))})',
                [tuple(row[n] for n in names) for row in rows],
            )
    connection.commit()
    connection.close()


def _ours_import(bundle_path: Path, target: Path, dry_run: bool) -> None:
    receiver = Store.open(target, user="bruno")
    try:
        import_bundle(receiver, bundle_path, dry_run=dry_run)
    finally:
        receiver.close()


def _ours_export(path: Path, out: Path) -> None:
    store = Store.open(path, user="amina")
    try:
        export_bundle(store, out)
    finally:
        store.close()


MEASURES = {
    "export": lambda a, b: _ours_export(Path(a), Path(b)),
    "raw-export": lambda a, b: _raw_export(Path(a), Path(b)),
    "import": lambda a, b: _ours_import(Path(a), Path(b), dry_run=False),
    "dry-run": lambda a, b: _ours_import(Path(a), Path(b), dry_run=True),
    "raw-import": lambda a, b: _raw_import(Path(a), Path(b)),
    "change": lambda a, b: _ours_import(Path(a), Path(b), dry_run=False),
    "change-dry-run": lambda a, b: _ours_import(Path(a), Path(b), dry_run=True),
}


def _measure(kind: str, first: Path, second: Path) -> tuple[float, float]:
    """Seconds and peak MB of one measurement in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench_exchange", "--measure", kind, str(first), str(second)],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"{kind} failed:\n{done.stderr}")
    out = done.stdout.split()
    return float(out[0]), float(out[1])


def two_field_desks(folder: Path, events: int) -> tuple[Path, Path]:
    """Desk A (a file): the example and a generated agreement with `events` events; desk B: the example alone,
    loaded on its own."""
    a_path, b_path = folder / "a.sqlite", folder / "b.sqlite"
    store = create_database(a_path, user="amina")
    document = parse_document(agreement_document((5, 25, 125), events=events), "generated")
    with store.writing("Import agreement") as session:
        import_document(session, document)
    store.close()
    create_database(b_path, user="bruno").close()
    return a_path, b_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, first, second = args.measure
        started = time.perf_counter()
        MEASURES[kind](first, second)
        print(f"{time.perf_counter() - started:.3f} {peak_mb():.1f}")
        return
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        a_path, b_path = two_field_desks(folder, args.events)
        out = folder / "a.accord"
        _ours_export(a_path, out)  # A's desk id taken, so every export measures the same work
        counter = iter(range(10**6))

        def copy_of(path: Path) -> Path:
            target = folder / f"{path.stem}{next(counter)}.sqlite"
            shutil.copyfile(path, target)
            return target

        def copy_of_b() -> Path:
            return copy_of(b_path)


        load = os.getloadavg()
        runs = {kind: [] for kind in MEASURES}
        for _ in range(args.runs):
            runs["export"].append(_measure("export", a_path, out))
            runs["raw-export"].append(_measure("raw-export", a_path, folder / "raw.accord"))
            runs["import"].append(_measure("import", out, received := copy_of_b()))
            runs["dry-run"].append(_measure("dry-run", out, copy_of_b()))
            runs["raw-import"].append(_measure("raw-import", out, copy_of_b()))
        b_store = Store.open(received, user="bruno")  # B, holding A's record
        export_bundle(b_store, folder / "b.accord")
        b_store.close()
        store = Store.open(a_path, user="amina")
        retitle(store, obligations(store)[3], "Withdrawal of foreign forces, as amended")
        change = folder / "change.accord"
        export_bundle(store, change, since=folder / "b.accord")
        store.close()
        for _ in range(args.runs):
            runs["change"].append(_measure("change", change, copy_of(received)))
            runs["change-dry-run"].append(_measure("change-dry-run", change, copy_of(received)))
        rows = sum(read_bundle(out).manifest["counts"][t] for t in RECORD_TABLES)
        size = out.stat().st_size / 2**20
    median = {kind: (statistics.median(r[0] for r in got), statistics.median(r[1] for r in got)) for kind, got in runs.items()}
    print(f"{args.events:,} generated events; bundle of {rows:,} rows, {size:.1f} MiB; medians of {args.runs} runs, "
          f"each in a fresh process; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")  # fmt: skip
    print(f"{'':18}{'seconds':>8} {'peak MB':>8}   baseline {'seconds':>8} {'peak MB':>8}   ratio")
    for ours, raw, name in (("export", "raw-export", "raw read+json+zip"), ("import", "raw-import", "raw executemany")):
        (s, m), (rs, rm) = median[ours], median[raw]
        print(f"  {ours + '-bundle':16}{s:8.2f} {m:8.0f}   {name:17} {rs:8.2f} {rm:8.0f}   {s / rs:5.1f}x")
    s, m = median["dry-run"]
    print(f"  {'dry run':16}{s:8.2f} {m:8.0f}   (the check and the plan alone)")
    for kind, said in (("change", "one change received (backup included)"), ("change-dry-run", "its dry run")):
        s, m = median[kind]
        print(f"  {kind:16}{s:8.2f} {m:8.0f}   ({said})")


if __name__ == "__main__":
    main()
