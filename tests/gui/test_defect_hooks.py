"""A slot that raises is a defect: in the window, one sentence for the officer and the traceback in the
log; in the test suite, a failing test (pytest-qt's exception capture, which nothing may turn off)."""

import subprocess
import sys
import threading
import tomllib
from pathlib import Path

from gui.crash_log import LOG_NAME
from gui.defect_hooks import DefectHooks

ROOT = Path(__file__).resolve().parents[2]


def _hooks(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    shown: list[str] = []
    hooks = DefectHooks(shown.append)
    return hooks, shown, tmp_path / "accord-desk" / LOG_NAME


def test_a_raising_slot_is_told_in_one_sentence_and_logged_and_the_previous_hook_still_runs(
    qtbot, tmp_path, monkeypatch
):
    hooks, shown, log = _hooks(tmp_path, monkeypatch)
    before = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: before.append(info[0]))  # pytest-qt's, in a test
    hooks.install()
    try:
        try:
            raise OverflowError("date value out of range")
        except OverflowError:
            sys.excepthook(*sys.exc_info())  # what PySide6 does with an exception a slot let out
    finally:
        hooks.uninstall()
    assert before == [OverflowError]  # chained, so a test still fails on it
    assert shown == [
        "Accord Desk met an internal error (OverflowError) and did not finish that action; "
        f"the details are in {log}: please send them to whoever supports Accord Desk."
    ]
    assert "A slot raised" in log.read_text() and "date value out of range" in log.read_text()


def test_a_worker_threads_defect_is_shown_by_the_ui_thread(qtbot, tmp_path, monkeypatch):
    hooks, shown, log = _hooks(tmp_path, monkeypatch)
    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)
    hooks.install()
    try:
        worker = threading.Thread(target=lambda: 1 / 0, name="accord-desk-test")
        worker.start()
        worker.join()
        assert shown == []  # no Qt call from the worker: the UI thread's timer shows it
        qtbot.waitUntil(lambda: len(shown) == 1)
    finally:
        hooks.uninstall()
    assert shown[0].startswith("Accord Desk met an internal error (ZeroDivisionError)")
    assert "Thread accord-desk-test raised" in log.read_text()
    assert threading.excepthook is threading.__excepthook__


def test_no_test_or_setting_turns_off_pytest_qts_exception_capture():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert not {"qt_no_exception_capture", "qt_no_exception_capture_ini"} & set(config)
    sources = [p for p in (ROOT / "tests").rglob("*.py") if p.resolve() != Path(__file__).resolve()]
    assert not [p for p in sources if "qt_no_exception_capture" in p.read_text(encoding="utf-8")]


RAISING = """
from PySide6.QtCore import QTimer


def test_a_slot_raises(qtbot):
    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.wait(50)
"""


def test_a_slot_that_raises_fails_its_test(tmp_path):
    """With this project's settings, as the suite runs: the test fails although the test body did not raise."""
    (tmp_path / "test_raising.py").write_text(RAISING)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(tmp_path), str(tmp_path / "test_raising.py")],
        capture_output=True, text=True, timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout and "ZeroDivisionError" in done.stdout
