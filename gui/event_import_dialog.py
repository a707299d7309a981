"""File ▸ Import events… and the event log's Import button: an ACLED or Accord Desk CSV read and
written off the UI thread, with a progress dialog whose Cancel leaves the database unchanged.

The worker (a QObject moved to a QThread) runs db.event_import.import_events on the desk's Store,
which opens its own transaction ("Import events FILE"); the progress callback returns False once
Cancel is pressed, and the transaction rolls back. The import is not an undo command: it can hold
100,000 events, and db/ audits it as one action with the file's name and SHA-256. Afterwards the
desk is told (desk.changed) so every view refreshes, and the report shows in a plain-text message.
"""

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from db.errors import ImportCancelled, UserError
from db.event_import import ImportReport, import_events
from db.store import Store
from gui.desk import Desk
from gui.plain_text import show_error

CSV_FILTER = "Event files (*.csv);;All files (*)"
BAR_STEPS = 1000


class ImportWorker(QObject):
    """Runs one import in its thread; `cancel()` may be called from any thread."""

    progressed = Signal(int, int)  # done, total
    succeeded = Signal(object)  # ImportReport
    failed = Signal(str, bool)  # one sentence; True when the officer cancelled

    def __init__(self, store: Store, path: Path, agreement_id: str | None):
        super().__init__()
        self.store, self.path, self.agreement_id = store, path, agreement_id
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self._cancelled.is_set()

    @Slot()
    def run(self) -> None:
        try:
            report = import_events(
                self.store, self.path, progress=self._progress, agreement_id=self.agreement_id
            )
        except ImportCancelled as error:
            self.failed.emit(str(error), True)
        except UserError as error:
            self.failed.emit(str(error), False)
        except Exception as error:  # noqa: BLE001 — never let a worker die silently
            self.failed.emit(f"The import of {self.path.name} failed: {error}. Nothing was written.", False)
        else:
            self.succeeded.emit(report)


class EventImport(QObject):
    """One import in the window: the thread, the progress dialog and the outcome.

    With `interactive` False (tests), nothing is shown beyond the progress dialog and the outcome is
    kept in `report` / `message`.
    """

    finished = Signal()

    def __init__(self, desk: Desk, path: Path, parent: QWidget | None = None, interactive: bool = True):
        super().__init__(parent)
        self.desk, self.path, self.parent_widget, self.interactive = desk, Path(path), parent, interactive
        self.report: ImportReport | None = None
        self.message = ""
        self.cancelled = False
        self.worker_thread = QThread(self)
        self.worker = ImportWorker(desk.store, self.path, desk.agreement_id)
        self.worker.moveToThread(self.worker_thread)
        self.progress = QProgressDialog(f"Importing {self.path.name}…", "Cancel", 0, BAR_STEPS, parent)
        self.progress.setWindowTitle("Import events")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.setAutoReset(False)
        self.progress.setAutoClose(False)
        self.progress.canceled.connect(self.cancel)
        self.worker_thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._progressed)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)

    def start(self) -> None:
        self.progress.setValue(0)
        self.worker_thread.start()

    def cancel(self) -> None:
        self.worker.cancel()
        self.progress.setLabelText("Cancelling: nothing will be written…")

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(BAR_STEPS * done // max(total, 1))

    @Slot(object)
    def _succeeded(self, report: ImportReport) -> None:
        self.report = report
        self.message = "\n".join(report.lines())
        self._finish()
        self.desk.changed(None)
        if self.interactive:
            _inform(self.parent_widget, self.message)
        self.finished.emit()

    @Slot(str, bool)
    def _failed(self, message: str, cancelled: bool) -> None:
        self.message, self.cancelled = message, cancelled
        self._finish()
        if self.interactive:
            if cancelled:
                _inform(self.parent_widget, message)
            else:
                show_error(self.parent_widget, message, "Import events")
        self.finished.emit()

    def _finish(self) -> None:
        self.worker_thread.quit()
        self.worker_thread.wait()
        self.progress.close()
        self.worker.deleteLater()


def import_events_interactively(desk: Desk, parent: QWidget | None = None) -> EventImport | None:
    """Ask for a file and import it; returns the running import (kept alive by its parent)."""
    if desk.store is None:
        return None
    chosen, _ = QFileDialog.getOpenFileName(parent, "Import events", str(desk.store.path.parent), CSV_FILTER)
    if not chosen:
        return None
    running = EventImport(desk, Path(chosen), parent)
    running.finished.connect(running.deleteLater)
    running.start()
    return running


def _inform(parent: QWidget | None, message: str) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information, "Import events", message, QMessageBox.StandardButton.Ok, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
