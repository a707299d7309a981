"""Opening reads no page it does not need: a clean open runs no page-by-page check (a second per GB), and
damage is still found — after an unclean end of the last writer (by a writer and by a reader), by the
day's first backup, and by the window's check once it is open (db.backup.on_opening)."""

import json
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from db import backup
from db.backup import Reason
from db.errors import DamagedDatabaseError
from db.store import Access, Store
from db.writer_lock import left_behind, lock_path
from gui.cli import main
from tests.database_files import quietly_damaged, sha256

SCANS = ("quick_check", "integrity_check")


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """Every statement any SQLite connection made from here on runs (a trace callback on each)."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(seen.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", traced)
    return seen


def _scans(statements: list[str]) -> list[str]:
    return [s for s in statements if any(scan in s.lower() for scan in SCANS)]


def _dead_writer(path: Path) -> None:
    """A lock file as a writer that was killed leaves it: naming a process of this machine that is gone."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    holder = {"user": "ana", "host": socket.gethostname(), "pid": gone.pid, "since": datetime.now().isoformat()}
    lock_path(path).write_text(json.dumps(holder))


@pytest.fixture
def closed(example_store) -> Path:
    example_store.close()
    return example_store.path


def test_a_clean_open_runs_no_page_by_page_check(closed, statements, capsys):
    for access in (Access.WRITE, Access.READ):
        Store.open(closed, access=access).close()
    assert main(["status", "--db", str(closed)]) == 0
    assert "P1-A.1" in capsys.readouterr().out
    assert statements and _scans(statements) == []
    assert not left_behind(closed)


def test_the_damage_only_a_scan_finds_is_not_seen_by_a_clean_open(closed):
    quietly_damaged(closed)
    Store.open(closed, access=Access.READ).close()  # what the next tests must catch otherwise


@pytest.mark.parametrize("access", [Access.WRITE, Access.READ])
def test_after_a_writer_died_an_open_checks_every_page_once(closed, statements, access):
    _dead_writer(closed)
    assert left_behind(closed)
    Store.open(closed, access=access).close()
    assert len(_scans(statements)) == 1


@pytest.mark.parametrize("access", [Access.WRITE, Access.READ])
def test_after_a_writer_died_damage_is_refused_untouched(closed, access):
    quietly_damaged(closed)
    _dead_writer(closed)
    before = sha256(closed)
    with pytest.raises(DamagedDatabaseError, match="is damaged .*Page .*; restore it from a backup") as refused:
        Store.open(closed, access=access)
    assert "\n" not in str(refused.value)  # one sentence, not SQLite's lines
    assert sha256(closed) == before


def test_the_days_first_backup_finds_damage_and_keeps_no_damaged_copy(closed, statements):
    quietly_damaged(closed)
    store = Store.open(closed)
    try:
        with pytest.raises(DamagedDatabaseError, match=f"{closed.name} is damaged"):
            backup.back_up(store, Reason.OPENED)
        assert backup.list_backups(closed) == []
    finally:
        store.close()


def test_the_days_later_backups_are_not_checked_again(example_store, statements):
    backup.take(example_store, Reason.MANUAL)
    assert len(_scans(statements)) == 1
    backup.take(example_store, Reason.MANUAL)
    assert len(_scans(statements)) == 1 and len(backup.list_backups(example_store.path)) == 2


def test_once_open_the_window_checks_the_pages_when_the_day_has_its_backup(closed):
    store = Store.open(closed)
    try:
        assert backup.on_opening(store) is not None  # the day's backup, checked
        assert backup.on_opening(store) is None  # the day has it: the record is checked in place
    finally:
        store.close()
    quietly_damaged(closed)
    store = Store.open(closed)
    try:
        with pytest.raises(DamagedDatabaseError, match=f"{closed.name} is damaged"):
            backup.on_opening(store)
    finally:
        store.close()
