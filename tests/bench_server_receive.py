"""Benchmark: a field desk's bundle received into a team database (PostgreSQL) beside the same bundle received
into a file, the baseline (db/exchange.py on both engines).

    .venv/bin/python -m tests.bench_server_receive [--events 2000] [--runs 3]

Desk A (a file) holds the example and a generated agreement with --events events; desk B loaded the example
on its own, once as a file and once on a throwaway server of the benchmark's own (tests/pg_cluster.py).
Each run receives into a fresh copy of B (a file copy; CREATE DATABASE … TEMPLATE on the server):
- whole: A's whole bundle (everything of the generated agreement added, each row audited: on the server by
  its triggers, chained at commit);
- one change: A retitles one obligation and sends what changed since B's bundle (--since).
Medians of --runs runs, with the load average. Not collected by pytest (its files are test_*.py).
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from db.bundle import export_bundle
from db.examples import create_database
from db.exchange import import_bundle
from db.location import parse_location
from db.store import Store
from tests import pg_cluster
from tests.bench_exchange import two_field_desks
from tests.conftest import drop_server_database, server_copy
from tests.desks import obligations, retitle


def _received(bundle: Path, location) -> float:
    store = Store.open(location, user="bruno")
    try:
        started = time.perf_counter()
        import_bundle(store, bundle)
        return time.perf_counter() - started
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cluster = pg_cluster.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            a_path, b_path = two_field_desks(folder, args.events)
            b_server = parse_location(cluster.url("bench_b"))
            create_database(b_server, user="bruno").close()
            whole = folder / "a.accord"
            a = Store.open(a_path, user="amina")
            export_bundle(a, whole)
            a.close()
            counter = iter(range(10**6))

            def copies(file_template: Path, server_template) -> tuple[Path, object]:
                path = folder / f"b{next(counter)}.sqlite"
                shutil.copyfile(file_template, path)
                return path, server_copy(cluster, server_template, "bench")

            load = os.getloadavg()
            times = {("whole", "file"): [], ("whole", "server"): [], ("change", "file"): [], ("change", "server"): []}
            for _ in range(args.runs):
                path, location = copies(b_path, b_server)
                times[("whole", "file")].append(_received(whole, path))
                times[("whole", "server")].append(_received(whole, location))
                drop_server_database(cluster, location)
            holding_file, holding_server = copies(b_path, b_server)  # B, holding A's record, sends A its bundle
            _received(whole, holding_file)
            _received(whole, holding_server)
            a = Store.open(a_path, user="amina")
            retitle(a, obligations(a)[3], "Withdrawal of foreign forces, as amended")
            changes = {}
            for where, holding in (("file", holding_file), ("server", holding_server)):  # since B's own bundle
                b, b_bundle = Store.open(holding, user="bruno"), folder / f"b-{where}.accord"
                export_bundle(b, b_bundle)
                b.close()
                changes[where] = folder / f"change-{where}.accord"
                export_bundle(a, changes[where], since=b_bundle)
            a.close()
            for _ in range(args.runs):
                path, location = copies(holding_file, holding_server)
                times[("change", "file")].append(_received(changes["file"], path))
                times[("change", "server")].append(_received(changes["server"], location))
                drop_server_database(cluster, location)
    finally:
        cluster.stop()
    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"{args.events:,} generated events; medians of {args.runs} runs; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'':14}{'server s':>9} {'file s':>9}   ratio")
    for kind in ("whole", "change"):
        server, file = median[(kind, "server")], median[(kind, "file")]
        print(f"  {kind:12}{server:9.2f} {file:9.2f}   {server / file:5.1f}x")


if __name__ == "__main__":
    main()
