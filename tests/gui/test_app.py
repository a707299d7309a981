"""gui.app.run_window, as the command line calls it."""

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from gui.app import run_window
from gui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def test_run_window_shows_the_database_until_the_window_closes(qapp, settings_folder, example_store):
    example_store.close()
    seen = {}

    def close():
        window = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        seen.update(title=window.windowTitle(), rows=window.tree.proxy.rowCount())
        window.close()

    QTimer.singleShot(0, close)
    assert run_window(example_store.path) == 0
    assert seen == {"title": "example.sqlite — US–Taliban agreement — Accord Desk", "rows": 4}
    assert (QCoreApplication.organizationName(), QCoreApplication.applicationName()) == (
        "Accord Desk",
        "accord-desk",
    )


def test_run_window_explains_a_database_it_cannot_open(qapp, settings_folder, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("gui.app.show_error", lambda _parent, message: shown.append(message))
    broken = tmp_path / "notes.sqlite"
    broken.write_text("shopping list")
    assert run_window(broken) == 1
    assert shown == [
        f"{broken} is not an Accord Desk database (it is not an SQLite file); choose the database file."
    ]


def test_a_terminated_window_releases_the_database_as_quit_does(tmp_path):
    """A logout (SIGTERM, SIGHUP) is a clean end: no lock file is left to be taken for a crash."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from db.examples import create_database
    from db.writer_lock import Holder, lock_path

    path = tmp_path / "desk.sqlite"
    create_database(path).close()
    settings = tmp_path / ".config" / "accord-desk" / "officer.json"  # the officer was asked before
    settings.parent.mkdir(parents=True)
    settings.write_text('{"name": "Farida Rahimi", "unit": "Afghanistan desk"}')
    window = subprocess.Popen(
        [sys.executable, "-m", "gui.cli", "--db", str(path)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
             "XDG_CONFIG_HOME": str(settings.parent.parent)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not lock_path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    # The lock names the officer of the settings, not the login (root on a server, a kiosk account).
    assert Holder.parse(lock_path(path).read_text()).user == "Farida Rahimi, Afghanistan desk"
    window.send_signal(signal.SIGTERM)
    _, stderr = window.communicate(timeout=30)
    assert window.returncode == 0, stderr
    assert not lock_path(path).exists()


# Imported when the officer first asks for what needs them, not at start (issue 15: start-up within 1.3×
# of a bare window importing the same libraries).
ON_DEMAND = (
    "docx", "lxml", "alembic", "mako", "pygments", "rapidfuzz",  # libraries
    "db.event_file", "db.duplicates", "db.agreement_document", "db.agreement_load", "db.examples",  # importing
    "gui.exchange_dialog", "db.exchange", "db.bundle",  # modules of one dialog each
    "gui.export_summary_dialog", "gui.report_pdf", "gui.pdf_layout", "db.report_content", "db.report_findings",
    "gui.check_dialog", "db.integrity", "gui.search_dialog", "gui.actors_dialog", "gui.help_dialogs",
)  # fmt: skip


def test_the_window_opens_populated_without_importing_what_only_some_actions_need(example_store, tmp_path):
    example_store.close()
    probe = (
        "import sys; from pathlib import Path; from gui.app import application; from db.store import Store; "
        "from gui.desk import Desk; from gui.main_window import MainWindow; app = application(); "
        "window = MainWindow(Desk(Store.open(Path(sys.argv[1])))); window.show(); app.processEvents(); "
        "assert window.tree.model.rowCount() > 0; "
        f"print(sorted(({{m.split('.')[0] for m in sys.modules}} | set(sys.modules)) & {set(ON_DEMAND)!r}))"
    )
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", probe, str(example_store.path)], capture_output=True, text=True,
                         env=environment)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
