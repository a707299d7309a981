"""Benchmark: a million events (issue 15), every row of its table against a baseline measured in the same run.

    nice -n 10 .venv/bin/python -m tests.bench_million [--rows 1000000] [--runs 1] [--only WORD ...]

Built once and cached between runs in ~/.cache/accord-desk-bench/<rows>/ (or $ACCORD_DESK_BENCH_CACHE, or
--cache DIR): the generated ACLED file (tests.bench_import.generate, seed 2020, notes of one sentence), an empty example database
at the current schema head, and that database with the file imported. The databases are named by the
schema head, so a new migration builds them again; the file is kept.

Each measurement runs in a fresh interpreter (`--child`), so its peak memory is its own: VmHWM read from
/proc/self/status as it ends, whole-process like `/usr/bin/time -v`. Times are taken inside the child
around the work (not the interpreter's start); with --runs N each is the median of N runs.

Adding a row: a function decorated with `@row(key, what, target)` taking a Bench; it calls
`bench.measure(label, function)` for each figure (the function, defined at module level here or in any
module, takes the Files and returns its seconds, or a dict with "seconds" and more figures) and prints
them with `bench.line` / `bench.ratio`. `--only KEY` runs the row KEY, or the rows whose key contains KEY.

Not collected by pytest (its files are test_*.py).
"""

import argparse
import contextlib
import csv
import hashlib
import importlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTE_REPEATS = (1, 1)  # one sentence of notes a row: 1M rows make 445 MB, as ACLED's 1M-row exports (440 MB)
MIB = 2**20


# --- the cached inputs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    """What a measurement works on. `database` is shared by every run: copy it (`copy_of`) to write."""

    rows: int
    source: str  # the generated ACLED file
    template: str  # an empty example database at the current schema
    database: str  # the example with the file imported
    scratch: str  # a folder of this run's own, removed afterwards

    def copy_of(self, which: str, name: str = "copy.sqlite") -> Path:
        target = Path(self.scratch) / name
        shutil.copyfile(which, target)
        return target


def cache_folder(rows: int, given: Path | None = None) -> Path:
    base = given or Path(
        os.environ.get("ACCORD_DESK_BENCH_CACHE", Path.home() / ".cache" / "accord-desk-bench")
    )
    folder = base / str(rows)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prepare(rows: int, cache: Path | None = None, imported: bool = True) -> Files:
    """The inputs, built if the cache lacks them (minutes at 1M rows, once); without `imported`, not the
    database with the file imported (the import rows start from the empty example)."""
    from db.examples import create_database
    from db.store import remove_database_files, schema_head
    from tests.bench_import import generate

    folder = cache_folder(rows, cache)
    source = folder / "acled.csv"
    if not source.exists():
        print(f"generating {rows:,} ACLED rows in {source} …", flush=True)
        partial = source.with_suffix(".part")
        generate(partial, rows, repeats=NOTE_REPEATS)
        partial.replace(source)
    head = schema_head()
    template, database = folder / f"template-{head}.sqlite", folder / f"events-{head}.sqlite"
    code = (
        "import sys; from pathlib import Path; from db.event_import import import_events; from db.store import Store; "
        "s = Store.open(sys.argv[1], user='bench'); import_events(s, Path(sys.argv[2])); s.close()"
    )
    for path, build in (
        (template, lambda: create_database(template, user="bench").close()),
        (database, lambda: (shutil.copyfile(template, database), subprocess.run(
            [sys.executable, "-c", code, str(database), str(source)], check=True, cwd=ROOT))),
    )[: 2 if imported else 1]:  # fmt: skip
        built = Path(f"{path}.built")  # only once the whole database is made
        if not built.exists():
            print(f"building {path} (once) …", flush=True)
            remove_database_files(path)
            build()
            built.touch()
    return Files(rows, str(source), str(template), str(database), "")


# --- measuring in a child process -------------------------------------------------------------------------------


def peak_mib() -> float:
    """This process's peak resident memory so far (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _child(target: str, files: dict, result: str) -> None:
    module, name = target.split(":")
    function = getattr(importlib.import_module(module), name)
    started = os.times()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        figures = function(Files(**files))
    ended = os.times()
    figures = figures if isinstance(figures, dict) else {"seconds": figures}
    figures["peak_mib"] = peak_mib()
    # the CPU the measurement spent (its set-up included): on a machine shared with busier neighbours, the
    # wall-clock time is mostly waiting for a core
    figures["cpu_seconds"] = ended.user + ended.system - started.user - started.system
    Path(result).write_text(json.dumps(figures))


@dataclass
class Figures:
    label: str
    runs: list[dict] = field(default_factory=list)

    def median(self, name: str = "seconds") -> float:
        return statistics.median(run[name] for run in self.runs)

    @property
    def seconds(self) -> float:
        return self.median("seconds")

    @property
    def peak(self) -> float:
        return max(run["peak_mib"] for run in self.runs)


class Bench:
    def __init__(self, files: Files, runs: int):
        self.files, self.runs = files, runs

    def measure(
        self, label: str, function: Callable[[Files], float | dict], runs: int | None = None
    ) -> Figures:
        """`function` run in fresh interpreters, each with a scratch folder of its own."""
        figures = Figures(label)
        for _ in range(runs or self.runs):
            with tempfile.TemporaryDirectory(prefix="bench-million-") as scratch:
                files = {**asdict(self.files), "scratch": scratch}
                result = Path(scratch) / "result.json"
                subprocess.run(
                    [sys.executable, "-m", "tests.bench_million", "--child", f"{function.__module__}:{function.__name__}",
                     "--files", json.dumps(files), "--result", str(result)],
                    check=True, cwd=ROOT,
                )  # fmt: skip
                figures.runs.append(json.loads(result.read_text()))
        self.line(figures)
        return figures

    def line(self, figures: Figures, note: str = "") -> None:
        times = " ".join(f"{run['seconds']:.2f}" for run in figures.runs)
        print(
            f"  {figures.label:58}{figures.seconds:9.2f} s {figures.median('cpu_seconds'):9.2f} s CPU "
            f"{figures.peak:8.0f} MiB   runs {times}{note}",
            flush=True,
        )

    def ratio(self, ours: Figures, baseline: Figures, target: float | None = None) -> None:
        ratio = ours.seconds / baseline.seconds
        cpu = ours.median("cpu_seconds") / baseline.median("cpu_seconds")
        aim = f" (target ≤ {target}×: {'met' if ratio <= target else 'NOT met'})" if target else ""
        print(f"  → {ours.label} / {baseline.label}: {ratio:.2f}×{aim}; in CPU time {cpu:.2f}×", flush=True)

    def say(self, text: str) -> None:
        print(f"  {text}", flush=True)


@dataclass(frozen=True)
class Row:
    key: str
    what: str
    target: str
    run: Callable[[Bench], None]
    imported: bool = True  # works on the database with the file imported (Files.database)


ROWS: list[Row] = []


def row(key: str, what: str, target: str, imported: bool = True) -> Callable:
    def register(function: Callable[[Bench], None]) -> Callable[[Bench], None]:
        ROWS.append(Row(key, what, target, function, imported))
        return function

    return register


# --- the window: the longest UI-thread stall ----------------------------------------------------------------------

HEARTBEAT_MS = 10


class Heartbeat:
    """A QTimer every HEARTBEAT_MS in the UI thread; a late beat is a stall of the window. Beside each gap,
    the CPU time the UI thread itself spent in it: on a loaded machine a gap is mostly the neighbours'
    (or a worker holding the GIL), the CPU time is the window's own work."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.last, self.gaps = time.perf_counter(), []
        self.last_cpu, self.busy = time.thread_time(), []
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.timer.start()

    def _beat(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append(now - self.last)
        self.busy.append(cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def figures(self) -> dict:
        self._beat()  # the time since the last beat counts too
        self.timer.stop()
        return {
            "stall_ms": 1000 * max(self.gaps, default=0.0),
            "stalls_over_50ms": sum(gap > 0.050 for gap in self.gaps),
            "stalls_over_100ms": sum(gap > 0.100 for gap in self.gaps),
            "busy_ms": 1000 * max(self.busy, default=0.0),
            "busy_over_50ms": sum(cpu > 0.050 for cpu in self.busy),
        }


def run_until(done: Callable[[], bool], timeout: float = 3600.0) -> None:
    """The event loop, as the window runs it (waiting in Qt, the GIL free for workers), until `done()`."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, ends = QEventLoop(), time.perf_counter() + timeout
    check = QTimer()
    check.setInterval(20)

    def look() -> None:
        if done() or time.perf_counter() > ends:
            loop.quit()

    check.timeout.connect(look)
    check.start()
    if not done():
        loop.exec()
    check.stop()
    if not done():
        raise TimeoutError("the window's work did not finish")


def window_on(database: Path):
    """The main window on `database`, shown offscreen, once it has painted its first events."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from db.store import Store
    from gui.app import application, show_window
    from gui.desk import Desk

    application()
    window = show_window(Desk(Store.open(database, user="bench")))  # as `accord-desk` starts it (the freeze too)
    run_until(lambda: not window.event_log.filtering, 600)
    return window


# --- import-events ------------------------------------------------------------------------------------------------

_PRECISION = {"1": "day", "2": "week", "3": "month"}
_EVENT_COLUMNS = (
    "id", "occurred_on", "date_precision", "event_type", "sub_event_type", "location", "admin1", "admin2", "admin3",
    "country", "latitude", "longitude", "geo_precision", "fatalities", "notes", "source_name", "external_id",
    "origin", "recorded_at", "recorded_by", "version",
)  # fmt: skip
_ROLES = (
    ("actor1", "actor1"),
    ("assoc_actor_1", "assoc1"),
    ("actor2", "actor2"),
    ("assoc_actor_2", "assoc2"),
)
CHUNK = 5_000


def _raw_rows(source: str, known: dict[str, str] | None = None, new_actors: list | None = None):
    """(event row, its actor links) per line: csv.reader and the conversions the columns need, streamed.

    With `known` (casefolded names and aliases → actor id), each event's actors as (event, actor, role);
    names not known are added to `known` and `new_actors`.
    """
    now = datetime.now(UTC).isoformat(sep=" ")
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        at = {name: index for index, name in enumerate(next(reader))}
        c = [at[name] for name in ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
                                   "location", "admin1", "admin2", "admin3", "country", "latitude", "longitude",
                                   "geo_precision", "fatalities", "notes", "source")]  # fmt: skip
        roles = [(at[column], role) for column, role in _ROLES]
        from db.ids import event_ids

        for r in reader:
            # the import's ids: derived from the ACLED id (one id on every desk), so all over the key's index
            (event_id,) = event_ids([r[c[0]]])
            event = (
                event_id, r[c[1]], _PRECISION[r[c[2]]], r[c[3]], r[c[4]] or None, r[c[5]] or None, r[c[6]] or None,
                r[c[7]] or None, r[c[8]] or None, r[c[9]] or None, float(r[c[10]]), float(r[c[11]]), int(r[c[12]]),
                int(r[c[13]]), r[c[14]], r[c[15]], r[c[0]], "imported", now, "bench", 1,
            )  # fmt: skip
            links = []
            if known is not None:
                linked = set()
                for index, role in roles:
                    for name in filter(None, map(str.strip, r[index].split(";"))):
                        if (key := name.casefold()) not in known:
                            known[key] = str(uuid.uuid4())
                            new_actors.append((known[key], name, "other", 1))
                        if known[key] not in linked:
                            linked.add(known[key])
                            links.append((event_id, known[key], role, 1))
            yield event, links


def _chunks(items, size: int = CHUNK):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _connect(path: Path) -> sqlite3.Connection:
    from db.store import PRAGMAS

    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:  # the application's settings
        connection.execute(f"PRAGMA {pragma}")
    return connection


def raw_plain_import(files: Files) -> float:
    """csv + sqlite3 executemany into a plain table (no index), one transaction, streamed."""
    database = Path(files.scratch) / "plain.sqlite"

    def work():
        connection = _connect(database)
        connection.execute(f"CREATE TABLE event ({', '.join(_EVENT_COLUMNS)})")
        connection.execute("BEGIN IMMEDIATE")
        marks = ", ".join("?" * len(_EVENT_COLUMNS))
        connection.executemany(
            f"INSERT INTO event VALUES ({marks})", (event for event, _ in _raw_rows(files.source))
        )
        connection.execute("COMMIT")
        connection.close()

    return timed(work)


def raw_schema_import(files: Files) -> float:
    """csv + sqlite3 into the application's schema: the events, their actor links (names looked up among
    actors and aliases, new ones added) and the search index, one transaction, no audit and no backup.

    What SQLite offers a bulk load, as the import uses it: the event and actor-link indexes other than those on
    keys and on place and date dropped before a load that more than doubles the events and made again after;
    the search index's insert triggers dropped meanwhile (even paused, a trigger makes SQLite journal every
    row's statement), and the index filled by one INSERT … SELECT into search_source and one into FTS5."""
    database = files.copy_of(files.template)
    marks = ", ".join("?" * len(_EVENT_COLUMNS))

    def work():
        connection = _connect(database)
        known = dict(connection.execute("SELECT alias_key, actor_id FROM actoralias").fetchall())
        known.update((name.casefold(), i) for i, name in connection.execute("SELECT id, name FROM actor"))
        first = connection.execute("SELECT coalesce(max(id), 0) FROM search_source").fetchone()[0]
        new_actors = []
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE search_state SET paused = 1")
        held = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('search_event_insert', "
            "'search_source_insert') OR type = 'index' AND tbl_name IN ('event', 'eventactor') AND sql IS NOT NULL "
            "AND name != 'ix_event_location_occurred_on' AND ? > (SELECT count(*) FROM event)", (files.rows,)
        ).fetchall()  # fmt: skip
        for name, _sql in held:
            connection.execute(f"DROP {'TRIGGER' if name.startswith('search_') else 'INDEX'} {name}")
        for chunk in _chunks(_raw_rows(files.source, known, new_actors)):
            connection.executemany(
                "INSERT INTO actor (id, name, kind, version) VALUES (?, ?, ?, ?)", new_actors
            )
            new_actors.clear()
            connection.executemany(
                f"INSERT INTO event ({', '.join(_EVENT_COLUMNS)}) VALUES ({marks})", [e for e, _ in chunk]
            )
            connection.executemany(
                "INSERT INTO eventactor (event_id, actor_id, role, version) VALUES (?, ?, ?, ?)",
                [link for _, links in chunk for link in links],
            )
        from db.search import _insert

        for name, sql in held:
            if not name.startswith("search_"):
                connection.execute(sql)
        connection.execute(f"{_insert('event', 'event')} FROM event WHERE origin = 'imported'")
        connection.execute(
            "INSERT INTO search (rowid, kind, heading, body) SELECT id, kind, heading, body FROM search_source WHERE id > ?",
            (first,),
        )
        for name, sql in held:
            if name.startswith("search_"):
                connection.execute(sql)
        connection.execute("UPDATE search_state SET paused = 0")
        connection.execute("COMMIT")
        connection.close()

    return timed(work)


def _cli(*argv: str) -> None:
    from gui.cli import main

    if (code := main(list(argv))) != 0:
        raise SystemExit(f"accord-desk {' '.join(argv)} exited {code}")


def cli_import(files: Files) -> dict:
    """`accord-desk import-events` into a copy of the empty example; what its audit entry (the digest of the
    rows written and the entry), its pre-import backup, the content digest's row hashes, the likely-duplicates
    check and the search index cost on their own, timed where they run."""
    from db import audit, backup, content, event_import, search

    database = files.copy_of(files.template)
    spent = {"audit_seconds": 0.0, "backup_seconds": 0.0, "digest_seconds": 0.0, "duplicates_seconds": 0.0,
             "search_seconds": 0.0}  # fmt: skip

    def timing(owner, name: str, figure: str):
        real = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[figure] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    timing(audit.BulkDigest, "add", "audit_seconds")
    timing(audit, "record_many", "audit_seconds")
    timing(backup, "back_up", "backup_seconds")
    timing(content, "add_rows", "digest_seconds")
    timing(event_import, "rows_like_record", "duplicates_seconds")
    timing(search, "index_new_events", "search_seconds")
    seconds = timed(lambda: _cli("import-events", "--db", str(database), files.source))
    return {"seconds": seconds, **spent}


@row(
    "import", "import-events, all rows", "≤ 2× the plain raw, ≤ 1.2× raw into the same schema; peak < 400 MiB",
    imported=False,
)
def import_row(bench: Bench) -> None:
    ours = bench.measure("accord-desk import-events", cli_import)
    bench.say(f"  of which the audit entry (digest + entry) {ours.median('audit_seconds'):.2f} s, "
              f"the pre-import backup {ours.median('backup_seconds'):.2f} s")  # fmt: skip
    bench.say(f"  of which the content digest's row hashes {ours.median('digest_seconds'):.2f} s, the likely-duplicates "
              f"check {ours.median('duplicates_seconds'):.2f} s, the search index {ours.median('search_seconds'):.2f} s")  # fmt: skip
    plain = bench.measure("raw: csv + executemany, plain table", raw_plain_import)
    schema = bench.measure("raw: same schema (events, actors, search index)", raw_schema_import)
    bench.ratio(ours, plain, 2.0)
    bench.ratio(ours, schema, 1.2)


# --- the window's import ------------------------------------------------------------------------------------------


def window_import(files: Files) -> dict:
    """File ▸ Import events… as the officer does it: the check (a dry run), Import, the outcome; the window's
    heartbeat throughout, until the event log has read the record again."""
    window = window_on(files.copy_of(files.template))
    from gui.event_import_dialog import EventImport

    running = EventImport(window.desk, Path(files.source), window, dry_run=True, skip_invalid=True)
    ended = []
    running.finished.connect(lambda: ended.append(True))
    heartbeat = Heartbeat()
    started = time.perf_counter()
    running.start()

    accepted = []

    def done() -> bool:
        if running.choice is not None and not accepted:
            accepted.append(True)
            running.choice.accept()  # the officer's Import (the dialog then deletes itself)
        return bool(ended)

    run_until(done)
    seconds = time.perf_counter() - started
    figures = heartbeat.figures()
    if running.report is None:
        raise SystemExit(f"the window's import failed: {running.message}")
    return {"seconds": seconds, **figures}


@row("window-import", "window import, all rows", "< 500 MB; no UI-thread stall over 50 ms")
def window_import_row(bench: Bench) -> None:
    figures = bench.measure("File > Import events… (check, Import)", window_import)
    bench.say(f"  longest UI-thread stall {figures.median('stall_ms'):.0f} ms; "
              f"stalls over 50 ms {figures.median('stalls_over_50ms'):.0f}, over 100 ms "
              f"{figures.median('stalls_over_100ms'):.0f}; the UI thread's own CPU time in the longest gap "
              f"{figures.median('busy_ms'):.0f} ms, gaps with over 50 ms of it {figures.median('busy_over_50ms'):.0f}")  # fmt: skip


# --- export-events ------------------------------------------------------------------------------------------------


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(2**20):
            digest.update(block)
    return digest.hexdigest()


def cli_export(files: Files) -> dict:
    output = Path(files.scratch) / "events.csv"
    seconds = timed(lambda: _cli("export-events", "--db", files.database, "-o", str(output)))
    return {"seconds": seconds, "sha256": _digest(output)}


def raw_export(files: Files) -> dict:
    """sqlite3 + csv.writer, as one would write it by hand, making the same bytes: the events oldest first,
    each role's actors and the links in correlated subqueries (group_concat over an ordered subquery, which
    SQLite 3.40 honours), text protected from spreadsheets by the same CASE, the lists in Python; streamed."""
    from db.event_csv import COLUMNS, FORMULA_STARTS, NOT_TEXT, ROLE_COLUMNS

    output = Path(files.scratch) / "raw.csv"
    starts = ", ".join("'" + start.replace("'", "''") + "'" for start in FORMULA_STARTS)
    lists = {
        column: f"(SELECT group_concat(name, '; ') FROM (SELECT a.name FROM eventactor ea JOIN actor a ON a.id = ea.actor_id "
        f"WHERE ea.event_id = e.id AND ea.role = '{role}' ORDER BY a.name))"
        for role, column in ROLE_COLUMNS.items()
    }  # fmt: skip
    lists["links"] = (
        "(SELECT group_concat(ref || ' (' || bearing || ')', '; ') FROM (SELECT o.ref, l.bearing FROM eventobligation l "
        "JOIN obligation o ON o.id = l.obligation_id WHERE l.event_id = e.id ORDER BY o.ref, l.bearing))"
    )  # fmt: skip
    text = "CASE WHEN substr(e.{0}, 1, 1) IN (" + starts + ") THEN '''' || e.{0} ELSE e.{0} END"
    cells = [lists.get(name) or (f"e.{name}" if name in NOT_TEXT else text.format(name)) for name in COLUMNS]
    sql = f"SELECT {', '.join(cells)} FROM event e ORDER BY e.occurred_on, e.id"
    at = [COLUMNS.index(name) for name in lists]

    def protected(cells):
        cells = list(cells)
        for i in at:
            if cells[i] is not None and cells[i].startswith(FORMULA_STARTS):
                cells[i] = "'" + cells[i]
        return cells

    def work():
        connection = sqlite3.connect(files.database)
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(COLUMNS)
            writer.writerows(map(protected, connection.execute(sql)))
        connection.close()

    return {"seconds": timed(work), "sha256": _digest(output)}


@row("export", "export-events, all rows", "≤ 1.3× raw; peak < 150 MiB")
def export_row(bench: Bench) -> None:
    ours = bench.measure("accord-desk export-events", cli_export)
    raw = bench.measure("raw: sqlite3 + csv.writer, streamed, the same bytes", raw_export)
    same = {run["sha256"] for run in ours.runs} == {run["sha256"] for run in raw.runs}
    bench.say(f"  the same bytes: {'yes' if same else 'NO'}")
    bench.ratio(ours, raw, 1.3)


def window_export(files: Files) -> dict:
    """Event log ▸ Export shown… with no filter: from the click until the file is written."""
    window = window_on(files.copy_of(files.database))
    output = Path(files.scratch) / "shown.csv"
    log = window.event_log
    heartbeat = Heartbeat()
    started = time.perf_counter()
    outcome = log.export_shown(output)
    if hasattr(outcome, "finished"):  # a job of the window's: wait for it
        run_until(lambda: outcome.over)
    seconds = time.perf_counter() - started
    if not output.exists():
        raise SystemExit("the window's export wrote no file")
    return {"seconds": seconds, **heartbeat.figures()}


@row("window-export", "Event log > Export shown…, no filter", "off the UI thread with progress and Cancel")
def window_export_row(bench: Bench) -> None:
    _stalls(bench, bench.measure("Event log > Export shown…", window_export))


def window_summary(files: Files, suffix: str) -> dict:
    """File ▸ Export summary…, every event up to the as-of date, PDF or Word: from Export until the file is in
    place (the record read, the pages laid out, the figures drawn, the pages painted or the document written)."""
    window = window_on(files.copy_of(files.database))
    from PySide6.QtCore import QSettings

    from db.report_content import EVENTS_ALL
    from gui.export_summary_dialog import ExportSummaryDialog

    output = Path(files.scratch) / f"summary.{suffix}"
    dialog = ExportSummaryDialog(window.desk, window, QSettings(str(Path(files.scratch) / "s.ini"), QSettings.Format.IniFormat))
    dialog.use_since.setChecked(False)
    dialog.events.setCurrentIndex(dialog.events.findData(EVENTS_ALL))
    dialog.format.setCurrentIndex(dialog.format.findData(suffix))
    dialog.output.setText(str(output))
    dialog.open_after.setChecked(False)
    heartbeat = Heartbeat()
    started = time.perf_counter()
    if not dialog.export():
        raise SystemExit("the window refused to export the summary")
    run_until(lambda: not dialog.exporting)
    seconds = time.perf_counter() - started
    if dialog.written is None or not output.exists():
        raise SystemExit(f"the window's {suffix} summary wrote no file")
    return {"seconds": seconds, "pages": dialog.written.pages or 0, **heartbeat.figures()}


def window_pdf(files: Files) -> dict:
    return window_summary(files, "pdf")


def window_docx(files: Files) -> dict:
    return window_summary(files, "docx")


def _stalls(bench: Bench, figures: Figures) -> None:
    bench.say(f"  longest UI-thread stall {figures.median('stall_ms'):.0f} ms; "
              f"stalls over 50 ms {figures.median('stalls_over_50ms'):.0f}; the UI thread's own CPU time in the "
              f"longest gap {figures.median('busy_ms'):.0f} ms, gaps with over 50 ms of it "
              f"{figures.median('busy_over_50ms'):.0f}")  # fmt: skip


@row("window-pdf", "File > Export summary…, PDF, all events", "off the UI thread with progress and Cancel")
def window_pdf_row(bench: Bench) -> None:
    figures = bench.measure("Export summary, PDF", window_pdf)
    bench.say(f"  {figures.median('pages'):.0f} pages")
    _stalls(bench, figures)


@row("window-docx", "File > Export summary…, Word, all events", "off the UI thread with progress and Cancel")
def window_docx_row(bench: Bench) -> None:
    _stalls(bench, bench.measure("Export summary, Word", window_docx))


# --- opening, status, the PDF summary, the event log's filter -------------------------------------------------
# Measured as tests/bench_large_reads.py measures them (its functions, in a child of this run each).


def open_read(files: Files) -> dict:
    from tests.bench_large_reads import _opening

    return _opening(files.database, "read")


def open_write(files: Files) -> dict:
    from tests.bench_large_reads import _opening

    return _opening(str(files.copy_of(files.database)), "write")  # a writer claims the file


def raw_open(files: Files) -> dict:
    from tests.bench_large_reads import _raw_open

    return _raw_open(files.database)


@row("open", "opening the database", "≤ 150 ms; no page-by-page check on a clean open (damage found otherwise)")
def open_row(bench: Bench) -> None:
    raw = bench.measure("raw: sqlite3 connect + schema revision", raw_open)
    for label, function in (("Store.open read-only", open_read), ("Store.open to write", open_write)):
        figures = bench.measure(label, function)
        met = figures.seconds <= 0.150 and not figures.median("scans")
        bench.say(f"  page-by-page checks {figures.median('scans'):.0f}; {figures.seconds * 1000:.0f} ms "
                  f"({figures.seconds / raw.seconds:.1f}× raw; target ≤ 150 ms: {'met' if met else 'NOT met'})")  # fmt: skip


def _status(database: str) -> dict:
    from tests.bench_large_reads import AS_OF, _command

    return _command("status", "--db", database, "--as-of", AS_OF)


def status_large(files: Files) -> dict:
    return _status(files.database)


def status_example(files: Files) -> dict:
    return _status(files.template)


@row("status", "accord-desk status", "≤ 1.3× the example")
def status_row(bench: Bench) -> None:
    large = bench.measure("accord-desk status, these events", status_large)
    example = bench.measure("accord-desk status, the example", status_example)
    bench.ratio(large, example, 1.3)


def _pdf(files: Files, database: str, *options: str) -> dict:
    from tests.bench_large_reads import AS_OF, _command

    output = Path(files.scratch) / "summary.pdf"
    figures = _command("export-pdf", "--db", database, "--as-of", AS_OF, *options, "-o", str(output))
    shown = subprocess.run(["pdfinfo", str(output)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in shown.splitlines() if line.startswith("Pages:")))
    return {**figures, "pages": pages}


def pdf_linked_large(files: Files) -> dict:
    return _pdf(files, files.database)


def pdf_linked_example(files: Files) -> dict:
    return _pdf(files, files.template)


def pdf_all_large(files: Files) -> dict:
    return _pdf(files, files.database, "--events", "all")


def pdf_all_example(files: Files) -> dict:
    return _pdf(files, files.template, "--events", "all")


def pdf_all_tenth(files: Files) -> dict:
    """The newest tenth of the events only (--since the day before them): the memory must be the same."""
    with sqlite3.connect(f"file:{files.database}?mode=ro", uri=True) as connection:
        (count,) = connection.execute("SELECT count(*) FROM event").fetchone()
        (since,) = connection.execute(
            "SELECT occurred_on FROM event ORDER BY occurred_on LIMIT 1 OFFSET ?", (count - count // 10,)
        ).fetchone()
    return _pdf(files, files.database, "--events", "all", "--since", since)


@row("export-pdf", "export-pdf, linked events only", "≤ 2× the example")
def pdf_linked_row(bench: Bench) -> None:
    large = bench.measure("accord-desk export-pdf, these events", pdf_linked_large)
    example = bench.measure("accord-desk export-pdf, the example", pdf_linked_example)
    bench.ratio(large, example, 2.0)


@row("export-pdf-all", "export-pdf --events all", "works; time grows with the pages printed, not the database")
def pdf_all_row(bench: Bench) -> None:
    large = bench.measure("accord-desk export-pdf --events all, these events", pdf_all_large)
    tenth = bench.measure("accord-desk export-pdf --events all, their newest tenth", pdf_all_tenth)
    example = bench.measure("accord-desk export-pdf --events all, the example", pdf_all_example)
    for figures in (large, tenth, example):
        pages = figures.median("pages")
        bench.say(f"  {figures.label}: {pages:,.0f} pages, {1000 * figures.seconds / pages:.0f} ms a page, "
                  f"{1000 * figures.median('cpu_seconds') / pages:.0f} ms CPU a page")
    bench.say(f"  peak with all the events {large.peak:.0f} MiB, with a tenth {tenth.peak:.0f} MiB "
              f"({large.peak / tenth.peak:.2f}×; bounded: the same whatever the events printed)")


def filter_change(files: Files) -> dict:
    """The event log's filter changed (text and type) until the view shows the result, against sqlite3
    running the same count and first page: tests/bench_event_log.py's measure, on a copy (the window writes)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from tests.bench_event_log import view_timings

    *_, (_what, ours, raw) = view_timings(files.copy_of(files.database), 3)
    return {"seconds": statistics.median(ours), "raw_seconds": statistics.median(raw)}


@row("filter", "event log filter change", "≤ 1.3× raw SQL")
def filter_row(bench: Bench) -> None:
    figures = bench.measure("Event log filter: text + type (median of 3)", filter_change)
    ratio = figures.seconds / figures.median("raw_seconds")
    bench.say(f"  raw SQL, the same count and first page: {1000 * figures.median('raw_seconds'):.0f} ms; "
              f"ours {1000 * figures.seconds:.0f} ms → {ratio:.2f}× (target ≤ 1.3×: {'met' if ratio <= 1.3 else 'NOT met'})")  # fmt: skip


# --- the run ------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--only", nargs="*", default=[], metavar="KEY", help="the row KEY, or the rows whose key contains KEY"
    )
    parser.add_argument("--cache", type=Path, default=None, help="where the inputs are kept between runs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, json.loads(args.files), args.result)
        return
    keys = {chosen.key for chosen in ROWS}
    # a word names its row exactly ("import" is not "window-import") or every row containing it ("window")
    chosen_rows = [chosen for chosen in ROWS if not args.only or any(
        chosen.key == word or (word not in keys and word in chosen.key) for word in args.only)]  # fmt: skip
    files = prepare(args.rows, args.cache, any(chosen.imported for chosen in chosen_rows))
    size = Path(files.source).stat().st_size / MIB
    print(f"{args.rows:,} generated ACLED rows ({size:,.0f} MiB), cached in {Path(files.source).parent}; "
          f"{args.runs} run(s) each, medians; peak = the measuring process's VmHWM; load {os.getloadavg()[0]:.2f}")  # fmt: skip
    bench = Bench(files, args.runs)
    for chosen in chosen_rows:
        print(f"\n{chosen.what} — target: {chosen.target}", flush=True)
        chosen.run(bench)


if __name__ == "__main__":
    main()
