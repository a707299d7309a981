"""Backups in the window (gui/backup_dialog.py): Back up now…, Restore from backup…, and a damaged
database at start-up: the window still starts, the damaged file is kept aside, the newest backup offered."""

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from db import backup
from db.backup import Reason
from db.event_import import import_events
from gui.backup_dialog import BackUpNow, RestoreDialog
from gui.commands import AddAgreement
from gui.main_window import MainWindow
from tests.database_files import damage, event_rows, quietly_damaged, sha256

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
ACLED = Path(__file__).parent.parent / "data" / "acled_afghanistan.csv"


@pytest.fixture
def window(qtbot, desk, settings_folder):
    widget = MainWindow(desk)
    qtbot.addWidget(widget)
    return widget


def _file_menu(window) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    return [a.text() for a in menu.actions()]


def test_the_file_menu_backs_up_and_restores(window):
    assert {"&Back up now…", "Restore from bac&kup…"} <= set(_file_menu(window))


def test_back_up_now_copies_the_record_with_an_edit_just_made(qtbot, window, desk):
    desk.execute(AddAgreement(desk, "Ceasefire of 2026", "Ceasefire"))
    job = window.back_up_now()
    assert isinstance(job, BackUpNow)
    qtbot.waitUntil(lambda: job.outcome is not None)
    assert job.made.reason is Reason.MANUAL and job.made.agreements == 2
    assert event_rows(job.made.path) == event_rows(desk.store.path)
    assert job.outcome.text() == (
        f"Backed up to {job.made.path} ({backup.size_text(job.made.size)}: 2 agreements, 23 events)."
    )
    job.outcome.close()


def _open_dialog(qtbot, window) -> RestoreDialog:
    dialog = window.restore_from_backup()
    qtbot.waitUntil(lambda: bool(dialog.backups) or "no backups" in dialog.total.text())
    return dialog


def test_the_restore_dialog_lists_date_reason_size_and_counts(qtbot, window, desk):
    older = backup.take(desk.store, Reason.MANUAL)
    import_events(desk.store, ACLED)  # backs up first? No: nothing changed since the manual copy
    newer = backup.take(desk.store, Reason.MANUAL)
    dialog = _open_dialog(qtbot, window)
    cells = [[dialog.table.item(r, c).text() for c in range(5)] for r in range(dialog.table.rowCount())]
    assert cells == [
        [
            newer.taken.astimezone().strftime("%Y-%m-%d %H:%M"),
            "by hand",
            backup.size_text(newer.size),
            "1",
            "30",
        ],
        [
            older.taken.astimezone().strftime("%Y-%m-%d %H:%M"),
            "by hand",
            backup.size_text(older.size),
            "1",
            "23",
        ],
    ]
    assert dialog.total.text() == f"2 backups, {backup.size_text(older.size + newer.size)} in all."
    assert dialog.selected() == backup.list_backups(desk.store.path)[0]
    dialog.close()


def test_a_database_without_backups_says_so(qtbot, window):
    dialog = _open_dialog(qtbot, window)
    assert dialog.table.rowCount() == 0 and not dialog.restore_button.isEnabled()
    assert dialog.total.text() == "example.sqlite has no backups yet; make one with File ▸ Back up now…"
    dialog.close()


def test_restore_replaces_the_record_clears_undo_and_refreshes_every_view(qtbot, window, desk, monkeypatch):
    chosen = backup.take(desk.store, Reason.MANUAL)
    doha = desk.agreement_id
    desk.execute(AddAgreement(desk, "Ceasefire of 2026", "Ceasefire"))
    desk.set_agreement(doha)
    import_events(desk.store, ACLED, agreement_id=doha)
    desk.changed(None)
    qtbot.waitUntil(lambda: window.event_log.model.rowCount() == 30)
    replaced = event_rows(desk.store.path)
    assert desk.undo_stack.count() == 1 and window.agreement_combo.count() == 2
    asked = []
    monkeypatch.setattr("gui.backup_dialog.confirm", lambda *args: asked.append(args[2]) or True)
    dialog = _open_dialog(qtbot, window)
    dialog.table.selectRow([b.path for b in dialog.backups].index(chosen.path))
    dialog.restore_selected()
    qtbot.waitUntil(lambda: dialog.outcome is not None)
    assert asked == [
        f"Replace the record in example.sqlite with the backup taken {chosen.taken.astimezone():%Y-%m-%d %H:%M} "
        "(1 agreement, 23 events)? The record as it is now is backed up first. "
        "The undo history is cleared: it belongs to the record being replaced."
    ]
    assert event_rows(desk.store.path) == event_rows(chosen.path)
    kept = backup.list_backups(desk.store.path)[0]
    assert kept.reason is Reason.RESTORE and event_rows(kept.path) == replaced and kept.agreements == 2
    assert desk.undo_stack.count() == 0 and not window.undo_action.isEnabled()
    assert window.agreement_combo.count() == 1 and not window.agreement_combo_action.isVisible()
    qtbot.waitUntil(lambda: window.event_log.model.rowCount() == 23)
    assert window.tree.proxy.rowCount() == 4
    assert (
        "Restored the record as it was on" in dialog.outcome.text()
        and str(kept.path) in dialog.outcome.text()
    )
    dialog.outcome.close()


def test_a_declined_restore_changes_nothing(qtbot, window, desk, monkeypatch):
    backup.take(desk.store, Reason.MANUAL)
    desk.execute(AddAgreement(desk, "Ceasefire of 2026", "Ceasefire"))
    monkeypatch.setattr("gui.backup_dialog.confirm", lambda *args: False)
    dialog = _open_dialog(qtbot, window)
    dialog.restore_selected()
    assert dialog.work is None and desk.undo_stack.count() == 1 and len(desk.agreements()) == 2
    assert len(backup.list_backups(desk.store.path)) == 1
    dialog.close()


# --- a damaged database at start-up ---------------------------------------------------------------------


def _answer(button_text: str, seen: list) -> None:
    """Click a button of the message box the start-up shows, then close the window it opened."""

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()
        QTimer.singleShot(50, lambda: _close_window(seen))

    QTimer.singleShot(0, answer)


@pytest.fixture
def default_database(monkeypatch, tmp_path, example_store):
    """The default database (in the data folder) is the example, with one backup taken before it was damaged."""
    path = tmp_path / "data" / "accord-desk.sqlite"
    path.parent.mkdir()
    backup.copy_to(example_store, path)
    monkeypatch.setattr("db.store.default_database_path", lambda: path)
    return path


def test_a_damaged_default_database_is_set_aside_and_its_newest_good_backup_restored(
    qapp, settings_folder, default_database
):
    from db.store import Store
    from gui.cli import main

    store = Store.open(default_database)
    good = backup.take(store, Reason.MANUAL)
    store.close()
    damage(default_database)
    damaged = sha256(default_database)
    seen = []
    _answer("Restore this backup", seen)
    assert main([]) == 0
    [aside] = default_database.parent.glob("accord-desk.damaged-*.sqlite")
    assert sha256(aside) == damaged  # moved, never written
    assert seen[0].startswith(f"{default_database} is damaged (SQLite reports: ")
    assert f"The damaged file is kept as {aside}, untouched" in seen[0]  # an absolute path
    assert (
        f"The newest good backup was taken {good.taken.astimezone():%Y-%m-%d %H:%M} (1 agreement, 23 events"
        in seen[0]
    )
    assert seen[1] == "accord-desk.sqlite — US–Taliban agreement — Accord Desk"
    assert event_rows(default_database) == event_rows(good.path)


def test_finding_and_restoring_the_good_backup_at_start_up_runs_off_the_ui_thread(
    qapp, settings_folder, default_database, monkeypatch
):
    """Issue 9 (left last time): each backup's quick_check and the copy ran on the UI thread, a frozen
    start-up for a large record."""
    import threading

    from db.store import Store
    from gui.cli import main

    store = Store.open(default_database)
    backup.take(store, Reason.MANUAL)
    store.close()
    damage(default_database)
    threads = []

    def noting(work):
        def noted(*args, **kwargs):
            threads.append((work.__name__, threading.current_thread() is threading.main_thread()))
            return work(*args, **kwargs)

        return noted

    monkeypatch.setattr(backup, "check_backup", noting(backup.check_backup))
    monkeypatch.setattr(backup, "_copy", noting(backup._copy))
    _answer("Restore this backup", [])
    assert main([]) == 0
    assert ("check_backup", False) in threads and ("_copy", False) in threads
    assert not any(on_ui for _name, on_ui in threads)
    assert len(event_rows(default_database)) == 23


def test_a_damaged_database_keeps_its_wal_and_shm_beside_it_when_set_aside(
    qapp, settings_folder, default_database
):
    from gui.cli import main

    damage(default_database)
    wal, shm = Path(f"{default_database}-wal"), Path(f"{default_database}-shm")
    wal.write_bytes(b"the damaged file's wal")
    shm.write_bytes(b"\x00" * 32768)
    digests = {name: sha256(p) for name, p in (("db", default_database), ("wal", wal))}
    seen = []
    _answer("OK", seen)
    assert main([]) == 0
    [aside] = default_database.parent.glob("accord-desk.damaged-*.sqlite")
    # The file and its WAL byte for byte; the -shm goes along too, though a read-only look may
    # have rewritten SQLite's index in it (shared memory, rebuilt from the WAL by any reader).
    assert {"db": sha256(aside), "wal": sha256(Path(f"{aside}-wal"))} == digests
    assert Path(f"{aside}-shm").exists()
    assert "has no good backup. Accord Desk opens without a database: open or create one." in seen[0]
    assert seen[1] == "no database — Accord Desk"
    assert not default_database.exists()


def test_declining_the_backup_starts_without_a_database(qapp, settings_folder, default_database):
    from db.store import Store
    from gui.cli import main

    store = Store.open(default_database)
    backup.take(store, Reason.MANUAL)
    store.close()
    damage(default_database)
    seen = []
    _answer("Start without a database", seen)
    assert main([]) == 0
    assert seen[1] == "no database — Accord Desk" and not default_database.exists()


def test_opening_a_database_in_the_window_backs_it_up_once_a_day(
    qapp, settings_folder, example_store, tmp_path
):
    from gui.app import run_window

    example_store.close()
    seen = []
    QTimer.singleShot(0, lambda: _close_window(seen))
    assert run_window(example_store.path) == 0
    [daily] = backup.list_backups(example_store.path)
    assert daily.reason is Reason.OPENED and event_rows(daily.path) == event_rows(example_store.path)
    QTimer.singleShot(0, lambda: _close_window(seen))
    assert run_window(example_store.path) == 0
    assert backup.list_backups(example_store.path) == [daily]


def test_file_open_backs_up_the_database_it_opens(qtbot, window, empty_store):
    empty_store.close()
    assert window.open_path(empty_store.path)
    qtbot.waitUntil(lambda: bool(backup.list_backups(empty_store.path)))
    [daily] = backup.list_backups(empty_store.path)
    assert (daily.reason, daily.agreements) == (Reason.OPENED, 0)


def _close_window(seen: list) -> None:
    """Close the main window once it shows (a restore may still be under way), noting its title."""
    window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
    if window is None:
        QTimer.singleShot(20, lambda: _close_window(seen))
        return
    seen.append(window.windowTitle())
    window.close()


def test_a_database_open_read_only_is_neither_restored_nor_backed_up_on_opening(
    qtbot, settings_folder, example_store
):
    from db.store import Access, Store
    from gui.backup_dialog import back_up_on_opening
    from gui.desk import Desk

    reader = Store.open(example_store.path, access=Access.READ)  # the example_store holds the writer's lock
    desk = Desk(reader)
    window = MainWindow(desk)
    qtbot.addWidget(window)
    assert not window.restore_action.isEnabled() and window.restore_from_backup() is None
    assert window.back_up_action.isEnabled()
    assert back_up_on_opening(desk) is None
    desk.close()


def test_the_window_reports_the_damage_its_check_finds_once_open(qtbot, settings_folder, example_store, tmp_path, monkeypatch):
    """Opening reads no page it does not need; the check off the UI thread afterwards finds the damage."""
    import gui.main_window as main_window
    from gui.desk import Desk

    example_store.close()  # copied while closed: a read of an open database's file would drop its locks
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(example_store.path.read_bytes())
    quietly_damaged(damaged)
    told = []
    monkeypatch.setattr(main_window, "show_error", lambda _parent, message, *rest: told.append(message))
    checks = []  # the check once open; the window's own reads may meet the damage first
    opening = main_window.back_up_on_opening
    monkeypatch.setattr(main_window, "back_up_on_opening", lambda desk: checks.append(opening(desk)))
    window = MainWindow(Desk(None))
    qtbot.addWidget(window)
    assert window.open_path(damaged)
    qtbot.waitUntil(lambda: checks[0].done() and bool(told), timeout=60_000)
    qtbot.wait(200)  # a read that meets the damage after the check reports it, reports here by now
    # Said once: the check's words ("N problems, the first: …") or a reader's that met the damage first
    assert len(told) == 1, told
    assert f"{damaged} is damaged" in told[0] and "restore it from a backup" in told[0]
    assert backup.list_backups(damaged) == []  # the damaged copy is not kept
    window.desk.close()
