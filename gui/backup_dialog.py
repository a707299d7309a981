"""Backups in the window: File ▸ Back up now…, File ▸ Restore from backup… (the list of backups), the
daily backup when a database opens, and the way back when the database is found damaged at start-up.

Copies and restores are db/backup.py's; here they run off the UI thread (gui/background.py) behind a
window-modal progress dialog, since a large record takes seconds to copy. A restore replaces the
record under every view: the desk is then given its store again, which clears the undo history (it
belongs to the replaced record) and makes every view read afresh.
"""

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db import backup
from db.backup import Backup, Reason
from db.errors import DatabaseError, UserError
from db.officer import officer_label
from db.phrasing import plural
from db.store import Store
from gui.background import Background
from gui.desk import Desk
from gui.long_work import LongWork
from gui.plain_text import confirm, plain_label, quiet_label, show_error

COLUMNS = ("Taken", "Made", "Size", "Agreements", "Events")


def _when(taken) -> str:
    return f"{taken.astimezone():%Y-%m-%d %H:%M}"


def _sentence(error: BaseException, doing: str) -> str:
    if isinstance(error, UserError):
        return str(error)
    return f"The {doing} failed ({error}); the record is as it was."


def row_table(headers: tuple[str, ...]) -> QTableWidget:
    """A table of rows to pick one from, read-only: the backups, a bundle's conflicts."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    return table


def _inform(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """The outcome, shown without blocking."""
    box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class BackUpNow(LongWork):
    """File ▸ Back up now…: a copy into the rotation; `outcome` is the message shown after it."""

    def __init__(self, desk: Desk, parent: QWidget):
        super().__init__(parent, "Back up now", f"Backing up {desk.store.path.name}…")
        self.desk, self.parent_widget = desk, parent
        self.made: Backup | None = None
        self.outcome: QMessageBox | None = None
        store = desk.store
        self.start(lambda: backup.take(store, Reason.MANUAL, self.report), self._done, self._failed)

    def _done(self, made: Backup) -> None:
        self.made = made
        self.outcome = _inform(
            self.parent_widget, "Back up now",
            f"Backed up to {made.path} ({backup.size_text(made.size)}: {backup.contents_text(made)}).",
        )  # fmt: skip

    def _failed(self, error: BaseException) -> None:
        show_error(self.parent_widget, _sentence(error, "backup"), "Back up now")


class RestoreDialog(QDialog):
    """File ▸ Restore from backup…: the database's backups, newest first, and Restore for the chosen one."""

    restored = Signal(object)  # the Restored, once the record was replaced

    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.path: Path = desk.store.path
        self.backups: list[Backup] = []
        self.work: LongWork | None = None
        self.outcome: QMessageBox | None = None
        self.setWindowTitle("Restore from backup")
        self.setMinimumSize(720, 360)
        folder = backup.backup_folder(self.path)
        self.heading = plain_label(
            f"Backups of {self.path.name}, newest first, kept in {folder}: every backup of today, and the newest "
            f"of each of the last {backup.KEEP_DAILY} days, {backup.KEEP_WEEKLY} weeks and "
            f"{backup.KEEP_MONTHLY} months. Each is a database you can also open with File ▸ Open…"
        )
        self.table = row_table(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self.restore_selected)
        self.total = quiet_label("Reading the backups…")
        buttons = QDialogButtonBox()
        self.restore_button: QPushButton = buttons.addButton(
            "Restore…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore_selected)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table)
        layout.addWidget(self.total)
        layout.addWidget(buttons)
        self.background = Background(self)
        self.background.run(lambda: backup.list_backups(self.path), self._show, self._unreadable)

    def _show(self, backups: list[Backup]) -> None:
        self.backups = backups
        self.table.setRowCount(len(backups))
        for row, each in enumerate(backups):
            usable = not each.problem
            cells = (
                _when(each.taken), each.reason.label, backup.size_text(each.size),
                f"{each.agreements:,}" if usable else "cannot be read", f"{each.events:,}" if usable else "",
            )  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if each.problem:
                    item.setToolTip(each.problem)
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)
        if backups:
            self.total.setText(
                f"{plural(len(backups), 'backup')}, {backup.size_text(backup.total_size(backups))} in all."
            )
            first = next((row for row, each in enumerate(backups) if not each.problem), None)
            if first is not None:
                self.table.selectRow(first)
        else:
            self.total.setText(f"{self.path.name} has no backups yet; make one with File ▸ Back up now…")

    def _unreadable(self, error: BaseException) -> None:
        self.total.setText(_sentence(error, "listing of the backups"))

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None and self.work is None)

    def selected(self) -> Backup | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or self.work is not None:
            return
        question = (
            f"Replace the record in {self.path.name} with the backup taken {_when(chosen.taken)} "
            f"({backup.contents_text(chosen)})? The record as it is now is backed up first. "
            "The undo history is cleared: it belongs to the record being replaced."
        )
        if not confirm(self, "Restore from backup", question, "Restore"):
            return
        store = self.desk.store
        self.work = LongWork(self, "Restore from backup", f"Restoring {self.path.name}…")
        self.restore_button.setEnabled(False)
        self.work.start(
            lambda: backup.restore(store, chosen.path, self.work.report), self._restored, self._failed
        )

    def _restored(self, restored: backup.Restored) -> None:
        self.desk.replace_store(self.desk.store)  # the undo history goes; every view reads the record again
        self.outcome = _inform(
            self.parentWidget(), "Restore from backup",
            f"Restored the record as it was on {_when(restored.backup.taken)} "
            f"({backup.contents_text(restored.backup)}). The record it replaced is kept in {restored.kept.path}.",
        )  # fmt: skip
        self.restored.emit(restored)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.work = None
        self._selection_changed()
        show_error(self, _sentence(error, "restore"), "Restore from backup")


def back_up_on_opening(desk: Desk) -> Future | None:
    """The day's first backup, made quietly off the UI thread, or a check of the record's pages: only a
    failure (damage included) is shown (db.backup.on_opening).

    None for a database open read-only: its writer (another window) makes the backups, or it is on a
    disk that takes none.
    """
    store = desk.store
    if store.read_only is not None:
        return None
    return Background(desk).run(
        lambda: backup.on_opening(store),
        lambda _made: None,
        lambda error: desk.report(_sentence(error, "daily backup"), error),
    )


def _waiting(
    parent: QWidget | None, title: str, label: str, work: Callable[[Callable[[int, int], None]], Any]
) -> Any:
    """Long work at start-up, before there is a window: off the UI thread behind a progress dialog, in an
    event loop of its own until it ends. Returns what `work(report)` returned, or raises what it raised."""
    long_work = LongWork(parent, title, label)
    outcome: dict[str, Any] = {}
    loop = QEventLoop()
    long_work.finished.connect(loop.quit)
    long_work.start(
        lambda: work(long_work.report), lambda result: outcome.update(result=result),
        lambda error: outcome.update(error=error),
    )  # fmt: skip
    loop.exec()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def recover_from_damage(path: Path, message: str, parent: QWidget | None = None) -> Store | None:
    """A damaged database at start-up: set it aside untouched, say so, and offer its newest good backup.

    Returns the restored database, or None to start without one (the officer declined, or there is no
    good backup). The damaged file is only renamed, never opened for writing.
    """
    try:
        aside = backup.set_aside(path)
    except UserError as error:
        show_error(parent, f"{message} {error}")
        return None
    try:
        good = _waiting(parent, "Accord Desk", f"Looking for a good backup of {path.name}…",
                        lambda report: backup.newest_good(path, report))  # fmt: skip
    except OSError as error:
        show_error(parent, f"{message} The backups of {path.name} cannot be read ({error.strerror}).")
        return None
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Accord Desk", "", QMessageBox.StandardButton.NoButton, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    text = f"{message}\n\nThe damaged file is kept as {aside.absolute()}, untouched, with its -wal and -shm files if any."
    if good is None:
        box.setText(
            f"{text}\n\n{path.name} has no good backup. Accord Desk opens without a database: open or create one."
        )
        box.addButton(QMessageBox.StandardButton.Ok)
        box.exec()
        return None
    box.setText(
        f"{text}\n\nThe newest good backup was taken {_when(good.taken)} ({backup.contents_text(good)}, "
        f"{backup.size_text(good.size)}). Restore it as {path.name}?"
    )
    restore = box.addButton("Restore this backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Start without a database", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    if box.clickedButton() is not restore:
        return None
    try:
        _waiting(parent, "Accord Desk", f"Restoring {path.name}…",
                 lambda report: backup.restore_file(good.path, path, report))  # fmt: skip
        return Store.open(path, officer_label())
    except DatabaseError as error:
        show_error(parent, str(error))
        return None
