"""gui.app.run_window, as the command line calls it."""

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
