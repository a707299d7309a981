"""Benchmark: Find anything over 100,000 imported events, against the raw FTS5 query in the same run.

    python -m tests.bench_search [--rows 100000] [--runs 7]

Ours: db.search.search (the words quoted, every kind, the events of actors found) through the store.
Raw: sqlite3 running one MATCH over the same index, for the same words. Target: a query under 100 ms.
Also what indexing costs an import: import_events with the index as built (a chunk at a time), and with
its event indexing switched off, median of three each (the same generated file, fresh databases).

Not collected by pytest (its files are test_*.py).
"""

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import db.search
from db.event_import import import_events
from db.examples import create_database
from db.search import fts_query, search
from tests.bench_import import generate

WORDS = ["taliban", "kandahar attack", "police checkpoint", "prisoner release", "civilians killed", "zzzz"]


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _import_cost(source: Path, folder: Path) -> tuple[float, float]:
    indexed, unindexed = [], []
    real = db.search.index_new_events
    for run in range(3):
        for index, times in ((True, indexed), (False, unindexed)):
            store = create_database(folder / f"import-{index}-{run}.sqlite", user="bench")
            db.search.index_new_events = real if index else (lambda _connection, _last: None)
            if not index:
                with store.engine.begin() as connection:  # and no trigger either
                    for operation in ("insert", "update", "delete"):
                        connection.exec_driver_sql(f"DROP TRIGGER search_event_{operation}")
            times.append(_timed(lambda store=store: import_events(store, source)))
            store.close()
    db.search.index_new_events = real
    return statistics.median(indexed), statistics.median(unindexed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source = folder / "events.csv"
        generate(source, args.rows, seed=7)
        store = create_database(folder / "bench.sqlite", user="bench")
        import_events(store, source)
        raw = sqlite3.connect(f"{store.path.as_uri()}?mode=ro", uri=True)
        print(f"{args.rows:,} events; {args.runs} runs of each query")
        print(f"{'words':22s} {'db.search':>10s} {'raw MATCH':>10s} {'ratio':>6s}  hits")
        ours_all = []
        for words in WORDS:
            with store.reading() as session:
                ours = [_timed(lambda s=session, w=words: search(s, w)) for _ in range(args.runs)]
                hits = len(search(session, words))
            query = f'kind : "event" AND {{heading body}} : ({fts_query(words)})'
            theirs = [
                _timed(lambda q=query: raw.execute(
                    "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid DESC LIMIT 50", (q,)
                ).fetchall())  # fmt: skip
                for _ in range(args.runs)
            ]
            mine, base = statistics.median(ours), statistics.median(theirs)
            ours_all.append(mine)
            print(f"{words:22s} {mine * 1000:8.1f}ms {base * 1000:8.1f}ms {mine / base:5.1f}x  {hits}")
        raw.close()
        store.close()
        print(f"slowest median: {max(ours_all) * 1000:.1f} ms (target: under 100 ms)")
        indexed, unindexed = _import_cost(source, folder)
        print(f"import_events with the index {indexed:.2f}s, without {unindexed:.2f}s: {indexed / unindexed:.2f}x")


if __name__ == "__main__":
    main()
