"""Benchmark: what backups cost on a big database, beside a raw sqlite3 backup and a file copy.

    .venv/bin/python -m tests.bench_backup [--mb 1024] [--runs 3]

Builds a database of about --mb megabytes (the example agreement, then synthetic events doubled with
INSERT … SELECT until the file is big enough), then measures, each a median of --runs runs:
- ours: db.backup.take through the open Store (one read transaction, 16 MB steps, rollback-journal
  copy, fsync, rotation, the counts read back for the listing);
- raw: sqlite3's Connection.backup of the same file in one step to a new file;
- cp: shutil.copyfile of the (checkpointed) file: the floor, though not consistent for a WAL database in use;
- the checks that decide to skip a copy before an import (record unchanged; a large database already
  copied today), the listing of the rotation, and a restore into the open store.
The machine's page cache holds the file, so these are copy costs, not disk reads.

Not collected by pytest (its files are test_*.py).
"""

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from db import backup
from db.backup import Reason
from db.examples import create_database
from db.models import Agreement
from db.store import Store

COPY_COLUMNS = (
    "agreement_id, occurred_on, date_precision, event_type, sub_event_type, location, admin1, admin2, country, "
    "latitude, longitude, geo_precision, fatalities, notes, source_name, source_reference, reliability, "
    "credibility, origin, recorded_at, recorded_by"
)


def build(path: Path, megabytes: int) -> int:
    create_database(path).close()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "UPDATE event SET notes = notes || ' — ' || printf('%.300c', 'x')"
    )  # rows of a realistic size: ACLED notes run to a few hundred characters
    while path.stat().st_size < megabytes * 1024 * 1024:
        connection.execute(
            f"INSERT INTO event (id, {COPY_COLUMNS}) SELECT lower(hex(randomblob(16))), {COPY_COLUMNS} FROM event"
        )
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (events,) = connection.execute("SELECT count(*) FROM event").fetchone()
    connection.close()
    return events


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def raw_backup(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    target.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    try:
        path = folder / "big.sqlite"
        started = time.perf_counter()
        events = build(path, args.mb)
        size = path.stat().st_size
        print(
            f"database: {backup.size_text(size)}, {events:,} events (built in {time.perf_counter() - started:.0f} s)"
        )
        store = Store.open(path)
        figures: dict[str, list[float]] = {name: [] for name in ("ours", "raw", "cp", "restore")}
        made = []
        for _ in range(args.runs):
            figures["raw"].append(timed(lambda: raw_backup(path, folder / "raw.sqlite")))
            figures["cp"].append(timed(lambda: shutil.copyfile(path, folder / "copy.sqlite")))
            (folder / "copy.sqlite").unlink()
            figures["ours"].append(timed(lambda: made.append(backup.take(store, Reason.MANUAL))))
        raw, ours = statistics.median(figures["raw"]), statistics.median(figures["ours"])
        print(f"backup, ours (db.backup.take):  {ours:6.2f} s  ({size / ours / 2**20:,.0f} MB/s)")
        print(f"backup, raw sqlite3 .backup():  {raw:6.2f} s  → ours / raw = {ours / raw:.2f}")
        print(f"file copy (shutil.copyfile):    {statistics.median(figures['cp']):6.2f} s")
        print(f"backup file size: {backup.size_text(made[-1].size)} (database {backup.size_text(size)})")

        skip = [timed(lambda: backup.back_up(store, Reason.IMPORT)) for _ in range(args.runs)]
        print(
            f"before an import, record unchanged since the newest backup: skipped in {statistics.median(skip) * 1000:.1f} ms"
        )
        with store.writing("A change") as session:  # through the ORM, so audited like any edit
            session.get(Agreement, session.exec(select(Agreement.id)).first()).place = f"Doha {time.time()}"
        second = timed(lambda: made.append(backup.back_up(store, Reason.IMPORT)))
        what = (
            "copied" if made[-1] else f"skipped (≥ {backup.size_text(backup.LARGE_DATABASE)}, copied today)"
        )
        print(f"before an import, record changed since the newest backup: {what} in {second * 1000:.0f} ms")
        made.pop()
        listed = []
        listing = timed(lambda: listed.extend(backup.list_backups(path)))
        print(
            f"listing {len(listed)} backups ({backup.size_text(backup.total_size(listed))} in all): {listing * 1000:.0f} ms"
        )
        for _ in range(args.runs):
            figures["restore"].append(timed(lambda: backup.restore(store, made[0].path)))
        print(
            f"restore into the open store (after its own backup, when changed): {statistics.median(figures['restore']):.2f} s"
        )
        store.close()
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
