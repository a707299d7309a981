"""Benchmark: importing 100,000 generated ACLED rows into a team database (PostgreSQL, rows by COPY),
against a raw psycopg COPY of the same rows in the same run; then the parity of the two engines.

    .venv/bin/python -m tests.bench_copy [--rows 100000] [--runs 3] [--no-parity]

A throwaway server of its own (tests/pg_cluster.py; Debian's postgresql package). Ours: `import_events`
end to end on a fresh copy of a database holding the example (CREATE DATABASE … TEMPLATE): hash, checks,
actor mapping, the duplicate check, events and their actor links by COPY (db/copy_rows.py), the search
index, the content digest, audit, commit. Baseline: csv.reader plus psycopg's cursor.copy of the same rows
into the same table of another fresh copy, in one transaction (tests/bench_import.baseline_rows); and the
baseline that also writes each event's actors. Medians of --runs runs side by side, the ratio of the
medians and the run-by-run ratios (target: within 2x), the peak memory of this process and the load.

Parity (issue 17): the same file imported into a file and into the server give the same
`status --format json` and the same `export-events` rows.

Not collected by pytest (its files are test_*.py).
"""

import argparse
import contextlib
import io
import resource
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from db.event_import import import_events
from db.examples import create_database
from gui.cli import main as cli
from tests import pg_cluster
from tests.bench_import import BASELINE_COLUMNS, OURS, baseline_rows, generate, ours

RAW = "baseline (csv + COPY)"


def _copy(cursor, table: str, columns, rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def baseline(source: Path, address: str, links: bool = False) -> float:
    started = time.perf_counter()
    with psycopg.connect(address) as connection, connection.cursor() as cursor:
        known = dict(cursor.execute("SELECT alias_key, actor_id FROM actoralias").fetchall())
        known.update((name.casefold(), actor_id) for actor_id, name in cursor.execute("SELECT id, name FROM actor"))
        rows, actors, new_actors = baseline_rows(source, known, links, datetime.now(UTC))
        _copy(cursor, "actor", ("id", "name", "kind"), new_actors)
        _copy(cursor, "event", BASELINE_COLUMNS, rows)
        _copy(cursor, "eventactor", ("event_id", "actor_id", "role"), actors)
        connection.commit()
    return time.perf_counter() - started


def baseline_with_links(source: Path, address: str) -> float:
    return baseline(source, address, links=True)


def _answers(where: str, folder: Path, name: str) -> tuple[str, str]:
    status = io.StringIO()
    with contextlib.redirect_stdout(status):
        assert cli(["status", "--db", where, "--as-of", "2021-08-31", "--format", "json"]) == 0
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli(["export-events", "--db", where, "-o", str(folder / f"{name}.csv")]) == 0
    return status.getvalue(), (folder / f"{name}.csv").read_text(encoding="utf-8")


def parity(cluster, source: Path, folder: Path) -> None:
    file, server = folder / "parity.sqlite", cluster.url("parity")
    for where in (file, server):
        store = create_database(where, user="bench")
        try:
            import_events(store, source)
        finally:
            store.close()
    (status_file, events_file), (status_server, events_server) = (
        _answers(str(file), folder, "file"), _answers(server, folder, "server")
    )  # fmt: skip
    print(f"\nparity over {len(events_file.splitlines()) - 1:,} exported events:")
    print(f"  status --format json   same: {status_file == status_server}  ({len(status_file):,} characters)")
    print(f"  export-events rows     same: {events_file == events_server}  ({len(events_file):,} characters)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-parity", action="store_true")
    args = parser.parse_args()
    cluster = pg_cluster.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            source = folder / "acled.csv"
            generate(source, args.rows)
            create_database(cluster.url("bench_template"), user="bench").close()
            print(f"{args.rows:,} generated ACLED rows, {source.stat().st_size / 2**20:.1f} MB; {args.runs} runs each")
            measures = {OURS: ours, RAW: baseline, "baseline + the actor links": baseline_with_links}
            times = {name: [] for name in measures}
            for run in range(args.runs):
                for index, (name, measure) in enumerate(measures.items()):
                    database = f"bench_{index}_{run}"
                    cluster.psql(f'CREATE DATABASE "{database}" TEMPLATE bench_template')
                    times[name].append(measure(source, cluster.url(database)))
                    print(f"  run {run + 1}: {name} {times[name][-1]:.2f}s", flush=True)  # a long run shows its way
                    cluster.psql(f'DROP DATABASE "{database}"')
            medians = {name: statistics.median(values) for name, values in times.items()}
            print(f"{'':32}{'median':>9}  ratio  runs")
            for name, values in times.items():
                ratio = f"{medians[OURS] / medians[name]:5.2f}x" if name != OURS else " " * 6
                print(f"{name:32}{medians[name]:8.2f}s {ratio}  " + " ".join(f"{t:.2f}" for t in values))
            paired = [mine / raw for mine, raw in zip(times[OURS], times[RAW], strict=True)]
            print(f"run by run, ours / baseline: {' '.join(f'{r:.2f}' for r in paired)}; "
                  f"median {statistics.median(paired):.2f}x")  # fmt: skip
            print("target: within 2x of the baseline")
            if not args.no_parity:
                parity(cluster, source, folder)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"\npeak memory of this process: {peak:.0f} MB (the server's own is apart)")
            print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
