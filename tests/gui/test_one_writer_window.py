"""The window keeps its hold on the record: browsing files leaves SQLite's locks in place, and a
second window on the same file opens it read-only with a banner saying who has it."""

import os

import pytest
from PySide6.QtWidgets import QFileDialog, QFileSystemModel

from db.store import Access, Store
from gui import file_dialog
from gui.commands import AddAgreement
from gui.desk import Desk
from gui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, for every dialog


def locks_held(path) -> set[tuple[str, str]]:
    """(file, lock) pairs this process holds on the database's files, from /proc/locks."""
    names = {}
    for suffix in ("", "-shm"):
        candidate = f"{path}{suffix}"
        if os.path.exists(candidate):
            names[os.stat(candidate).st_ino] = os.path.basename(candidate)
    held = set()
    with open("/proc/locks") as table:
        for line in table:
            fields = line.split()
            if fields[1] == "POSIX" and fields[4] == str(os.getpid()):
                inode = int(fields[5].split(":")[2])
                if inode in names:
                    held.add((names[inode], " ".join(fields[6:8])))
    return held


def browse(qtbot, dialog: QFileDialog) -> None:
    """Show a file dialog on the database's folder until its listing has loaded, then cancel it."""
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.findChild(QFileSystemModel)
    qtbot.waitUntil(lambda: model.rowCount(model.index(dialog.directory().absolutePath())) >= 2)
    qtbot.wait(700)  # the file info gatherer's thread looks at every listed file
    dialog.reject()


@pytest.fixture
def held_store(example_store):
    with example_store.reading() as session:  # the pool now holds a connection, and its locks
        session.connection()
    assert locks_held(example_store.path), "the reproduction needs SQLite's locks to look at"
    return example_store


def test_qts_own_file_dialog_would_unlock_the_record(qtbot, held_store):
    """Why gui.file_dialog exists: the stock dialog reads every listed file, the database's among them."""
    before = locks_held(held_store.path)

    stock = QFileDialog(None, "Open", str(held_store.path.parent), "All files (*)")
    stock.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    browse(qtbot, stock)
    assert locks_held(held_store.path) < before


@pytest.mark.parametrize("which", ["open", "save"])
def test_browsing_the_databases_folder_keeps_its_locks(qtbot, held_store, which):
    before = locks_held(held_store.path)
    folder = str(held_store.path.parent)
    if which == "open":
        browse(qtbot, file_dialog.open_dialog(None, "Import events", folder, "All files (*)"))
    else:
        browse(qtbot, file_dialog.save_dialog(None, "Export", f"{folder}/x.csv", "All files (*)"))
    assert locks_held(held_store.path) == before


def test_a_second_window_on_the_same_file_is_read_only_with_a_banner(
    qtbot, example_store, settings_folder, monkeypatch
):
    shown = []
    monkeypatch.setattr("gui.main_window.show_error", lambda _parent, message: shown.append(message))
    second = Store.open(example_store.path, user="ana", access=Access.BEST)
    desk = Desk(second)
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    failures = []
    desk.action_failed.connect(failures.append)
    try:
        assert window.read_only_banner.isVisible()
        assert window.read_only_banner.text().startswith(
            f"Read-only: {example_store.path} is open in Accord Desk by tester"
        )
        assert "(read-only)" in window.windowTitle()
        actions = window.obligation_actions
        assert not any(
            a.isEnabled() for a in (actions.add_sibling, actions.edit, actions.delete, actions.add_assessment)
        )
        agreements = len(desk.agreements())
        assert desk.execute(AddAgreement(desk, "A second desk's agreement")) is False
        assert shown == failures and "Nothing was changed" in failures[0]
        assert len(desk.agreements()) == agreements and desk.undo_stack.count() == 0
    finally:
        desk.close()


def test_the_writers_window_has_no_banner(window):
    assert not window.read_only_banner.isVisible()
    assert "(read-only)" not in window.windowTitle()



def test_a_backup_opened_in_the_window_is_read_only_and_gets_no_backup_of_its_own(window, desk, qtbot):
    """Issue 9 (left last time): opening a backup wrote a daily backup of it into a folder of its own."""
    from db import backup

    made = backup.take(desk.store, backup.Reason.MANUAL)
    record = desk.store.path
    assert window.open_path(made.path)
    qtbot.wait(200)  # a daily backup would have been started by now
    assert window.read_only_banner.isVisible()
    assert window.read_only_banner.text().startswith(f"Read-only: {made.path.name} is a backup of {record.name}")
    assert window.obligation_actions.edit.isEnabled() is False
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]
