"""Benchmark: start-up to a populated window, and open-and-expand-all of a 2,000-obligation agreement.

Run by hand (not collected by pytest):  QT_QPA_PLATFORM=offscreen python tests/bench_window.py
Prints medians side by side with baselines measured in the same run:
- start-up: `accord-desk` on the example to the populated main window, against a bare PySide6 window
  started the same way that imports the same libraries (target: within 1.3x, issue 15), wall and CPU time;
- a generated agreement of 2,000 obligations five levels deep: open it in the window and expand all,
  against a QStandardItemModel of the same rows in a plain QTreeView.
"""

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7

# After "ready", each probe names the libraries it loaded (top-level packages outside the standard
# library), so the run can say whether the baseline imports the same ones.
LIBRARIES = """
tops = {m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'db', 'gui'}
print(sorted(t for t in tops if not t.startswith(('_', 'signature_bootstrap', 'shibokensupport', 'cython_'))))
"""

APP_PROBE = """
import sys
from pathlib import Path
from gui.app import application  # first, as `accord-desk` imports it (the record layer before Qt)
from db.store import Store
from gui.desk import Desk
from gui.main_window import MainWindow
app = application()
window = MainWindow(Desk(Store.open(Path(sys.argv[1]))))
window.show()
while window.tree.model.rowCount() == 0:
    app.processEvents()
app.processEvents()
print("ready", flush=True)
""" + LIBRARIES

BARE_PROBE = """
import sys
import sqlalchemy, sqlmodel, pyqtgraph  # what the app imports at start (Alembic only to migrate)
from PySide6.QtWidgets import QApplication, QMainWindow, QTreeView
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QTreeView())
window.resize(1400, 900)
window.show()
app.processEvents()
print("ready", flush=True)
""" + LIBRARIES


def time_to_ready(code: str, *args: str) -> tuple[float, float, str]:
    """Seconds until the child says it is ready, the CPU seconds (user + system) it used in all (on a
    shared machine the wall clock mostly measures the neighbours) and the libraries it loaded."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    libraries = process.stdout.readline().strip()
    _pid, _status, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped above
    assert line.strip() == "ready", line
    return elapsed, usage.ru_utime + usage.ru_stime, libraries


def startup(folder: Path) -> None:
    from db.examples import create_database

    database = folder / "example.sqlite"
    create_database(database).close()
    # As an installed copy starts: its modules byte-compiled (the libraries' are, in site-packages). With
    # PYTHONDONTWRITEBYTECODE set, as here, the app would otherwise compile its ~110 modules on every start.
    for package in ("db", "gui"):
        compileall.compile_dir(ROOT / package, quiet=1)
    app, bare = [], []
    for _ in range(RUNS):  # interleaved, so drift on a shared machine hits both alike
        bare.append(time_to_ready(BARE_PROBE))
        app.append(time_to_ready(APP_PROBE, str(database)))
    for index, what in ((0, "wall"), (1, "CPU ")):
        a, b = statistics.median(t[index] for t in app), statistics.median(t[index] for t in bare)
        print(f"start-up to populated window, {what}  accord-desk {a * 1000:7.0f} ms   bare window {b * 1000:7.0f} ms   "
              f"ratio {a / b:4.2f}x (target <= 1.3x)")  # fmt: skip
    same = app[0][2] == bare[0][2]
    print(f"libraries loaded: {'the same in both' if same else f'differ: app {app[0][2]}, bare {bare[0][2]}'}")


def expand_all(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTreeView

    from db.agreement_document import parse_document
    from db.agreement_load import import_document
    from db.examples import create_database
    from gui.app import application
    from gui.desk import Desk
    from gui.main_window import MainWindow
    from tests.synthetic import agreement_document

    app = application()
    database = folder / "generated.sqlite"
    store = create_database(database, None)
    document = parse_document(agreement_document())
    with store.writing("Import generated agreement") as session:
        import_document(session, document)
    store.close()

    def open_and_expand() -> float:
        from db.store import Store

        start = time.perf_counter()
        desk = Desk(Store.open(database))
        window = MainWindow(desk)
        window.show()
        window.tree.expand_all()
        app.processEvents()
        elapsed = time.perf_counter() - start
        window.close()
        desk.close()
        window.deleteLater()
        app.processEvents()
        return elapsed

    def raw() -> float:
        start = time.perf_counter()
        model = QStandardItemModel()
        items = {}
        for node in document.all_obligations():
            items[node.ref] = [QStandardItem(node.ref), QStandardItem(node.title), QStandardItem(""), QStandardItem(""), QStandardItem("")]
        for node in document.all_obligations():
            for child in node.children:
                items[node.ref][0].appendRow(items[child.ref])
        for root in document.obligations:
            model.appendRow(items[root.ref])
        view = QTreeView()
        view.setModel(model)
        view.resize(1400, 900)
        view.show()
        view.expandAll()
        app.processEvents()
        elapsed = time.perf_counter() - start
        view.close()
        view.deleteLater()
        app.processEvents()
        return elapsed

    ours, theirs = [], []
    for _ in range(5):
        theirs.append(raw())
        ours.append(open_and_expand())
    a, b = statistics.median(ours), statistics.median(theirs)
    count = len(document.all_obligations())
    print(f"open + expand all, {count} obligations  accord-desk {a * 1000:7.0f} ms   QStandardItemModel {b * 1000:7.0f} ms   ratio {a / b:4.2f}x")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        startup(Path(folder))
        expand_all(Path(folder))
