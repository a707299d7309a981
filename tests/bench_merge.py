"""Benchmark: merging an actor named by tens of thousands of events, against a raw baseline in the same run.

    .venv/bin/python -m tests.bench_merge [--events 30000] [--runs 3]

Setup: the example agreement and a generated ACLED file whose every row names "Taleban fighters" (a new
actor) as actor 1, and one row in ten names the Taliban too. Ours: db.actor_merge.merge_actors of
"Taleban fighters" into "Taliban" through the store (one audited transaction), then its undo. Baseline:
sqlite3 on a copy of the same file doing what the merge must do to the event links, unaudited: delete the
links of the events both name, re-key the rest, delete the actor, in one transaction.
Medians of --runs runs, each on a fresh copy.

Not collected by pytest (its files are test_*.py).
"""

import argparse
import csv
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from db.actor_merge import merge_actors, unmerge_actors
from db.actor_roster import choose_actor
from db.event_import import import_events
from db.examples import create_database
from db.store import PRAGMAS, Store
from tests.bench_import import generate

DUPLICATE = "Taleban fighters"


def _prepare(folder: Path, events: int) -> Path:
    source, rewritten = folder / "generated.csv", folder / "events.csv"
    generate(source, events, seed=13)
    with source.open(encoding="utf-8", newline="") as old, rewritten.open("w", encoding="utf-8", newline="") as new:
        reader, writer = csv.reader(old), csv.writer(new)
        header = next(reader)
        writer.writerow(header)
        actor1, actor2 = header.index("actor1"), header.index("actor2")
        for n, row in enumerate(reader):
            row[actor1] = DUPLICATE
            if n % 10 == 0:
                row[actor2] = "Taliban"
            elif row[actor2] == "Taliban":
                row[actor2] = "Haqqani Network"
            writer.writerow(row)
    database = folder / "template.sqlite"
    store = create_database(database, user="bench")
    try:
        import_events(store, rewritten)
    finally:
        store.close()
    return database


def ours(database: Path) -> tuple[float, float]:
    store = Store.open(database, user="bench")
    try:
        with store.reading() as session:
            keep, other = choose_actor(session, "Taliban"), choose_actor(session, DUPLICATE)
        started = time.perf_counter()
        with store.writing("Merge actors") as session:
            merged = merge_actors(session, keep, other)
        merging = time.perf_counter() - started
        started = time.perf_counter()
        with store.writing("Undo merge actors") as session:
            unmerge_actors(session, merged)
        return merging, time.perf_counter() - started
    finally:
        store.close()


def baseline(database: Path) -> float:
    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    keep = connection.execute("SELECT id FROM actor WHERE name = 'Taliban'").fetchone()[0]
    other = connection.execute("SELECT id FROM actor WHERE name = ?", (DUPLICATE,)).fetchone()[0]
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute(
        "DELETE FROM eventactor WHERE actor_id = ? AND event_id IN (SELECT event_id FROM eventactor WHERE actor_id = ?)",
        (other, keep),
    )
    connection.execute("UPDATE eventactor SET actor_id = ?, version = 1 WHERE actor_id = ?", (keep, other))
    connection.execute("DELETE FROM actor WHERE id = ?", (other,))
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        template = _prepare(folder, args.events)
        merges, undos, raws = [], [], []
        for run in range(args.runs):
            copy = folder / f"ours-{run}.sqlite"
            shutil.copyfile(template, copy)
            merging, undoing = ours(copy)
            merges.append(merging)
            undos.append(undoing)
            raw = folder / f"raw-{run}.sqlite"
            shutil.copyfile(template, raw)
            raws.append(baseline(raw))
    merge, undo, raw = (statistics.median(times) for times in (merges, undos, raws))
    print(f"Merging an actor named by {args.events:,} events (medians of {args.runs} runs):")
    print(f"  merge_actors (audited, one transaction)  {merge:8.3f} s")
    print(f"  its undo (unmerge_actors)                {undo:8.3f} s")
    print(f"  raw sqlite3 (unaudited)                  {raw:8.3f} s   merge/raw {merge / raw:6.1f}x")


if __name__ == "__main__":
    main()
