"""Benchmark: sending and receiving a bundle (db/bundle.py, db/exchange.py) beside raw sqlite3.

    .venv/bin/python -m tests.bench_exchange [--events 5000] [--runs 3]

Desk A holds the example and a generated agreement with --events events (each linked to an obligation);
desk B loaded the example on its own. Each figure is a median of --runs runs:
- export: export_bundle of A (its rows, their dots from the audit trail, the trail itself, zipped);
  raw: sqlite3 reading the same tables and the trail, json.dumps, and the same ZIP;
- import: import_bundle of A's bundle into a fresh copy of B (everything of the generated agreement is
  added, through the ORM with an audit entry per row); raw: the same rows by sqlite3 executemany into a
  copy of B in one transaction, without audit, checks or merge;
- dry run: the check and the plan alone (what the window does before showing the conflicts).

Not collected by pytest (its files are test_*.py).
"""

import argparse
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from db.agreement_document import import_document, parse_document
from db.bundle import RECORD_TABLES, export_bundle, read_bundle
from db.examples import create_database
from db.exchange import import_bundle
from db.store import Store
from tests.synthetic import agreement_document


def _median(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _raw_export(path: Path, out: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    content = {t: connection.execute(f'SELECT * FROM "{t}"').fetchall() for t in [*RECORD_TABLES, "auditentry"]}
    connection.close()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content.json", json.dumps(content, separators=(",", ":")))


def _raw_import(bundle_path: Path, target: Path) -> None:
    bundle = read_bundle(bundle_path)
    connection = sqlite3.connect(target)
    connection.execute("BEGIN")
    for table in RECORD_TABLES:
        rows = list(bundle.rows.get(table, {}).values())
        if rows:
            names = list(rows[0])
            connection.executemany(
                f'INSERT OR IGNORE INTO "{table}" ({", ".join(f"{n!r}" for n in names)}) '
                f'VALUES ({", ".join("?" * len(names))})',
                [tuple(row[n] for n in names) for row in rows],
            )
    connection.commit()
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        a_path, b_path = folder / "a.sqlite", folder / "b.sqlite"
        store = create_database(a_path, user="amina")
        document = parse_document(agreement_document((5, 25, 125), events=args.events), "generated")
        with store.writing("Import agreement") as session:
            import_document(session, document)
        create_database(b_path, user="bruno").close()
        out = folder / "a.accord"
        export = _median(args.runs, lambda: export_bundle(store, out))
        size = out.stat().st_size
        raw_export = _median(args.runs, lambda: _raw_export(a_path, folder / "raw.accord"))
        store.close()
        counter = iter(range(10**6))

        def copy_of_b() -> Path:
            target = folder / f"b{next(counter)}.sqlite"
            shutil.copyfile(b_path, target)
            return target

        def ours() -> None:
            receiver = Store.open(copy_of_b(), user="bruno")
            try:
                import_bundle(receiver, out)
            finally:
                receiver.close()

        def dry() -> None:
            receiver = Store.open(b_path, user="bruno")
            try:
                import_bundle(receiver, out, dry_run=True)
            finally:
                receiver.close()

        received = _median(args.runs, ours)
        planned = _median(args.runs, dry)
        raw_import = _median(args.runs, lambda: _raw_import(out, copy_of_b()))
        rows = sum(read_bundle(out).manifest["counts"][t] for t in RECORD_TABLES)
    print(f"{args.events:,} generated events; bundle of {rows:,} rows, {size / 2**20:.1f} MiB; medians of {args.runs} runs")
    print(f"  export-bundle   {export:7.2f} s   raw read + json + zip {raw_export:7.2f} s   ({export / raw_export:.1f}x)")
    print(f"  import-bundle   {received:7.2f} s   raw executemany       {raw_import:7.2f} s   ({received / raw_import:.1f}x)")
    print(f"  dry run (check and plan) {planned:7.2f} s")


if __name__ == "__main__":
    main()
