"""Benchmark: the event log view over 100,000 events, against raw SQL measured in the same run.

    QT_QPA_PLATFORM=offscreen /work/venv/bin/python -m tests.bench_event_log [--rows 100000] [--runs 5]

The database: the example agreement plus --rows generated ACLED rows (tests/bench_import.py's generator),
imported with db.event_import.import_events. Medians of --runs runs, printed side by side:
- first paint: an EventLogView on a desk, shown, events processed until its model has rows and the
  table's viewport painted, against sqlite3 running the SQL of the first page on the same file, and
  against that SQL's rows put in a QStandardItemModel of a bare QTableView, shown and painted;
- filter change: text "Village 12" and type "Battles" set in the filter row until the model shows the
  result, against sqlite3 running the same filter's count and first page (target: within 2x);
- peak memory (VmHWM, and ru_maxrss) of a process that opens the main window on the database with the event log
  dock raised and populated, against a bare PySide6 window importing the same libraries (target: < 400 MB).

Not collected by pytest (its files are test_*.py).
"""

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from db.event_import import import_events
from db.event_log import EventFilter, _rows_query, conditions
from db.examples import create_database
from db.models import Event
from db.store import Store
from tests.bench_import import _compiled, generate

ROOT = Path(__file__).resolve().parents[1]
TEXT, TYPE = "Village 12", "Battles"

WINDOW_PROBE = """
import resource, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from gui.app import application
from db.store import Store
from gui.desk import Desk
from gui.main_window import MainWindow
app = application()
settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
window = MainWindow(Desk(Store.open(Path(sys.argv[1]))), settings=settings)
window.resize(1400, 900)
window.show()
window.event_log_dock.raise_()
while window.event_log.model.rowCount() == 0:
    app.processEvents()
for _ in range(20):
    app.processEvents()
print(window.event_log.model.rowCount(), window.event_log.model.total, flush=True)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(int(hwm.split()[1]), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""

BARE_PROBE = """
import resource, sys
import sqlalchemy, sqlmodel, pyqtgraph, platformdirs  # what the app imports at start (Alembic only to migrate)
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QTableView())
window.resize(1400, 900)
window.show()
for _ in range(20):
    app.processEvents()
print(0, 0, flush=True)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(int(hwm.split()[1]), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def build(folder: Path, rows: int) -> Path:
    source = folder / "acled.csv"
    generate(source, rows)
    database = folder / "events.sqlite"
    store = create_database(database, user="bench")
    try:
        import_events(store, source)
    finally:
        store.close()
    return database


def _raw(connection: sqlite3.Connection, statements, engine) -> float:
    started = time.perf_counter()
    for statement in statements:
        connection.execute(*_compiled(statement, engine)).fetchall()
    return time.perf_counter() - started


def _wait(app, condition, limit: float = 60.0) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("the view did not get there in time")


def view_timings(database: Path, runs: int) -> list[tuple[str, list[float], list[float]]]:
    from PySide6.QtCore import QEvent, QObject

    from gui.app import application
    from gui.desk import Desk
    from gui.event_log_model import PAGE_ROWS
    from gui.event_log_view import EventLogView

    app = application()
    desk = Desk(Store.open(database, user="bench"))
    engine = desk.store.engine
    connection = sqlite3.connect(database)

    class Painted(QObject):
        seen = False

        def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                self.seen = True
            return False

    def first_paint() -> float:
        painted = Painted()
        started = time.perf_counter()
        view = EventLogView(desk)
        view.table.viewport().installEventFilter(painted)
        view.resize(1400, 700)
        view.show()
        _wait(app, lambda: view.model.rowCount() > 0 and painted.seen)
        elapsed = time.perf_counter() - started
        view.close()
        view.deleteLater()
        app.processEvents()
        return elapsed

    shown = EventFilter(agreement_id=desk.agreement_id)
    first_page = [_rows_query(shown, "date", False).limit(PAGE_ROWS)]

    def bare_paint() -> float:
        """The same SQL through sqlite3, its rows in a QStandardItemModel in a bare QTableView, painted."""
        from PySide6.QtGui import QStandardItem, QStandardItemModel
        from PySide6.QtWidgets import QTableView

        painted = Painted()
        started = time.perf_counter()
        rows = connection.execute(*_compiled(first_page[0], engine)).fetchall()
        model = QStandardItemModel()
        for row in rows:
            model.appendRow([QStandardItem("" if value is None else str(value)) for value in row])
        table = QTableView()
        table.setModel(model)
        table.viewport().installEventFilter(painted)
        table.resize(1400, 700)
        table.show()
        _wait(app, lambda: painted.seen)
        elapsed = time.perf_counter() - started
        table.close()
        table.deleteLater()
        app.processEvents()
        return elapsed

    ours_paint, raw_paint, bare_paints = [], [], []
    for _ in range(runs):
        raw_paint.append(_raw(connection, first_page, engine))
        bare_paints.append(bare_paint())
        ours_paint.append(first_paint())

    view = EventLogView(desk)
    view.resize(1400, 700)
    view.show()
    _wait(app, lambda: view.model.rowCount() > 0)
    wanted = EventFilter(text=TEXT, event_type=TYPE, agreement_id=desk.agreement_id)
    count = select(func.count()).select_from(Event).where(*conditions(wanted))
    statements = [count, _rows_query(wanted, "date", False).limit(PAGE_ROWS)]
    expected = connection.execute(*_compiled(count, engine)).fetchone()[0]
    everything = view.model.total

    def change() -> float:
        started = time.perf_counter()
        view.text.setText(TEXT)
        view.type_combo.setCurrentIndex(view.type_combo.findData(TYPE))
        view.apply_filter()  # no waiting for the typing pause
        _wait(app, lambda: view.model.event_filter == wanted and view.model.total == expected)
        elapsed = time.perf_counter() - started
        assert view.model.rowCount() == min(expected, PAGE_ROWS)
        view.text.clear()
        view.type_combo.setCurrentIndex(0)
        view.apply_filter()
        _wait(app, lambda: view.model.total == everything)
        return elapsed

    ours_filter, raw_filter = [], []
    for _ in range(runs):
        raw_filter.append(_raw(connection, statements, engine))
        ours_filter.append(change())
    view.close()
    connection.close()
    desk.close()
    return [
        ("first paint of the event log view", ours_paint, raw_paint),
        ("  the same, against its SQL's rows in a bare QTableView", ours_paint, bare_paints),
        (f"filter text {TEXT!r} + type {TYPE!r} ({expected:,} rows)", ours_filter, raw_filter),
    ]


def peak_memory(code: str, *args: str) -> tuple[int, int, str]:
    """The probe's own peak (VmHWM, kB) and its ru_maxrss (kB), which Linux carries over from the
    benchmark's process at fork, so it is at least this process's size when the probe started."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=True
    )
    shown, kilobytes = done.stdout.split("\n")[:2]
    hwm, maxrss = kilobytes.split()
    return int(hwm) * 1024, int(maxrss) * 1024, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        started = time.perf_counter()
        database = build(folder, args.rows)
        print(
            f"{args.rows:,} generated ACLED rows imported in {time.perf_counter() - started:.1f}s; {args.runs} runs each"
        )
        print(f"{'':52}{'view':>9} {'raw SQL':>9}  ratio")
        for what, ours, raw in view_timings(database, args.runs):
            a, b = statistics.median(ours), statistics.median(raw)
            print(f"{what:52}{a * 1000:7.0f}ms {b * 1000:7.0f}ms {a / b:6.2f}x")
        print("target for the filter change: within 2x")
        mb = 2**20
        parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        window, window_maxrss, shown = peak_memory(WINDOW_PROBE, str(database), str(folder / "settings.ini"))
        bare, bare_maxrss, _ = peak_memory(BARE_PROBE)
        rows, total = shown.split()
        print(f"\npeak memory, main window with the event log ({int(rows):,} of {int(total):,} rows loaded) "
              f"against a bare PySide6 window; target < 400 MB")  # fmt: skip
        print(
            f"  VmHWM (the probe's own peak)   main window {window / mb:5.0f} MB   bare window {bare / mb:5.0f} MB"
        )
        print(f"  ru_maxrss                      main window {window_maxrss / mb:5.0f} MB   bare window {bare_maxrss / mb:5.0f} MB"
              f"   (carried over from this process at fork: {parent / mb:.0f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
