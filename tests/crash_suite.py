"""Crash suite: writers SIGKILLed at random moments, and the record checked whole after each kill.

    python -m tests.crash_suite [--kills 100] [--seed 1] [--rows 3000]

Each round starts one writer in its own process and kills it after a random delay:
- `import`: `accord-desk import-events` of a generated ACLED file (a new file each round, so each
  import adds rows). Afterwards the import is all or nothing: the events it added are none or all.
- `edits`: a driver of service edits that prints "ack N" after each committed action. Afterwards
  every acknowledged edit is in the record.
- `backup` and `restore` (when the application has them): `accord-desk backup` / `restore`, after
  which every backup on the list still opens as a database.
After every kill the database is opened again by a writer (which takes over the dead process's lock
and, seeing its unclean end, checks every page) and `accord-desk check` must pass when the
application has it, else SQLite's integrity_check and foreign_key_check.

tests/test_crash_suite.py runs a few rounds in CI. Not collected by pytest itself (no test_ prefix).
"""

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import closing
from pathlib import Path

from db.examples import create_database
from tests.bench_import import generate

EDITS = textwrap.dedent("""
    import sys
    from db.models import Actor
    from db.store import Store
    store = Store.open(sys.argv[1], user="driver")
    n = int(sys.argv[2])
    while True:
        with store.writing(f"Add actor crash-{n}") as session:
            session.add(Actor(name=f"crash-{n}"))
        print(f"ack {n}", flush=True)
        n += 1
""")


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "gui.cli", *args]


def _has_command(name: str) -> bool:
    from gui.cli import COMMANDS

    return name in COMMANDS


def _counts(path: Path) -> tuple[int, set[str]]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        events = connection.execute("SELECT count(*) FROM event").fetchone()[0]
        actors = {row[0] for row in connection.execute("SELECT name FROM actor WHERE name LIKE 'crash-%'")}
    return events, actors


def _check(path: Path) -> str | None:
    """None when the record is whole, else what is wrong."""
    reopened = subprocess.run(_cli("status", "--db", str(path)), capture_output=True, text=True, timeout=120)
    if reopened.returncode != 0:
        return f"status after the kill: {reopened.stderr.strip()}"
    # A writer takes over the dead process's lock; its unclean end makes it check every page.
    script = f"from db.store import Store; Store.open({str(path)!r}, user='checker').close()"
    taken = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    if taken.returncode != 0:
        return f"reopening for writing: {taken.stderr.strip()[-500:]}"
    if _has_command("check"):
        checked = subprocess.run(
            _cli("check", "--db", str(path)), capture_output=True, text=True, timeout=600
        )
        return (
            None if checked.returncode == 0 else f"check: {checked.stdout.strip()} {checked.stderr.strip()}"
        )
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    if integrity != [("ok",)] or foreign:
        return f"integrity_check {integrity[:3]}, foreign_key_check {foreign[:3]}"
    return None


def _kill_after(process: subprocess.Popen, delay: float) -> None:
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate()


def _round_import(
    path: Path, folder: Path, number: int, rows: int, rng: random.Random
) -> tuple[str | None, str]:
    source = folder / f"import-{number}.csv"
    generate(source, rows, seed=number)
    # External ids must be new each round, so a whole import adds `rows` events.
    text = source.read_text(encoding="utf-8").replace(",AFG", f",R{number}AFG")
    source.write_text(text, encoding="utf-8")
    before, _ = _counts(path)
    process = subprocess.Popen(_cli("import-events", "--db", str(path), str(source)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _kill_after(process, rng.uniform(1.0, 6.0))
    after, _ = _counts(path)
    source.unlink()
    if after - before not in (0, rows):
        return f"import was cut: {after - before} of {rows} events present", ""
    return None, "killed before its commit" if after == before else "committed before the kill"


def _round_edits(path: Path, number: int, rng: random.Random) -> tuple[str | None, str]:
    process = subprocess.Popen([sys.executable, "-c", EDITS, str(path), str(number * 100_000)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(rng.uniform(1.5, 4.0))
    process.send_signal(signal.SIGKILL)
    output, _ = process.communicate()
    acknowledged = {f"crash-{line.split()[1]}" for line in output.splitlines() if line.startswith("ack ")}
    _, present = _counts(path)
    missing = acknowledged - present
    return (
        f"acknowledged edits missing: {sorted(missing)[:5]}" if missing else None
    ), f"{len(acknowledged)} acknowledged"


def _round_backup(path: Path, rng: random.Random) -> tuple[str | None, str]:
    if _has_command("restore") and rng.random() < 0.5:
        listed = subprocess.run(
            _cli("backups", "--db", str(path)), capture_output=True, text=True, timeout=120
        )
        candidates = sorted(path.parent.rglob("*.sqlite"))
        candidates = [c for c in candidates if c != path and "backup" in str(c.relative_to(path.parent))]
        if listed.returncode != 0 or not candidates:
            return None, "nothing to restore"
        command = _cli("restore", str(rng.choice(candidates)), "--db", str(path))
    else:
        command = _cli("backup", "--db", str(path))
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _kill_after(process, rng.uniform(0.1, 2.0))
    listed = subprocess.run(_cli("backups", "--db", str(path)), capture_output=True, text=True, timeout=120)
    if listed.returncode != 0:
        return f"backups after the kill: {listed.stderr.strip()}", ""
    for backup in path.parent.rglob("*.sqlite"):
        if backup == path or backup.name.startswith(".") or backup.suffix != ".sqlite":
            continue
        with closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            try:
                connection.execute("SELECT count(*) FROM event").fetchone()
            except sqlite3.Error as error:
                return f"backup {backup.name} does not open: {error}", ""
    return None, command[3]


def run(kills: int, seed: int, rows: int, folder: Path) -> list[str]:
    rng = random.Random(seed)
    path = folder / "record.sqlite"
    create_database(path, user="crash").close()
    kinds = ["import", "edits"] + (["backup"] if _has_command("backup") else [])
    failures = []
    for number in range(kills):
        kind = rng.choice(kinds)
        if kind == "import":
            problem, note = _round_import(path, folder, number, rows, rng)
        elif kind == "edits":
            problem, note = _round_edits(path, number, rng)
        else:
            problem, note = _round_backup(path, rng)
        problem = problem or _check(path)
        outcome = f"ok ({note})" if problem is None else f"FAILED: {problem}"
        print(f"kill {number + 1:3d} {kind:7s} {outcome}", flush=True)
        if problem:
            failures.append(f"kill {number + 1} ({kind}): {problem}")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        failures = run(args.kills, args.seed, args.rows, Path(folder))
        elapsed = time.perf_counter() - started
    print(f"{args.kills} kills in {elapsed:.0f} s: {len(failures)} failed")
    for failure in failures:
        print("  " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
