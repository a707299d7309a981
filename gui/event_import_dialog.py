"""File ▸ Import events… and the event log's Import button: an event file (ACLED in any layout, UCDP GED,
Accord Desk's CSV) read and written off the UI thread, with a progress dialog whose Cancel leaves the
database unchanged. When a file's dates read either way round, the officer is asked which.

The worker runs db.event_import.import_events in a worker thread (gui/background.py) on the desk's Store,
which opens its own transaction ("Import events FILE"); the progress callback returns False once
Cancel is pressed, and the transaction rolls back. The import is not an undo command: it can hold
100,000 events, and db/ audits it as one action with the file's name and SHA-256. Afterwards the
desk is told (desk.changed) so every view refreshes, and the report shows in a plain-text message.

In the window the import first runs as a dry run that skips invalid rows, so every problem of the
file is listed at once; ImportChoice shows what would change, and only the officer's "Import" (or
"Import the valid rows") runs it for real, on the same worker.
"""

import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.changes import EVERYTHING, Changes
from db.errors import DateOrderUnknown, ImportCancelled, UserError
from db.event_dates import ORDER_LABELS
from db.event_file import EventFile, FileFormat, invalid_rows
from db.event_import import ImportReport, import_events
from db.phrasing import plural
from db.store import Store
from gui import file_dialog
from gui.background import Background
from gui.desk import Desk
from gui.plain_text import plain_label, show_error

CSV_FILTER = "Event files (*.csv);;All files (*)"
BAR_STEPS = 1000


class ImportWorker:
    """One import at a time, run in a worker thread (gui/background.py); it touches no Qt object.

    The progress is left in `latest` for the window to show; `cancel()` may be called from any thread.
    """

    def __init__(
        self, store: Store, path: Path, agreement_id: str | None, dry_run: bool = False, skip_invalid: bool = False
    ):  # fmt: skip
        self.store, self.path, self.agreement_id = store, path, agreement_id
        self.dry_run, self.skip_invalid = dry_run, skip_invalid
        self.date_order: str | None = None  # the officer's answer when the file cannot tell (db/event_dates.py)
        self.checked: EventFile | None = None  # the dry run's reading, reused if the file is unchanged
        self.latest: tuple[int, int] = (0, 1)  # done, total
        self.told = 0  # how often the import reported progress
        self._cancelled = threading.Event()

    def rearm(self, dry_run: bool, skip_invalid: bool) -> None:
        """Set up the next run; only between runs, so `run` never sees half of it."""
        self.dry_run, self.skip_invalid = dry_run, skip_invalid
        self.latest = (0, 1)
        self._cancelled.clear()

    def cancel(self) -> None:
        self._cancelled.set()

    def _progress(self, done: int, total: int) -> bool:
        self.latest, self.told = (done, total), self.told + 1
        return not self._cancelled.is_set()

    def run(self) -> ImportReport:
        report = import_events(
            self.store, self.path, dry_run=self.dry_run, skip_invalid=self.skip_invalid,
            progress=self._progress, agreement_id=self.agreement_id, checked=self.checked, date_order=self.date_order,
        )  # fmt: skip
        # Kept after a dry run for the import that may follow; let go after the import itself.
        self.checked = report.checked if self.dry_run else None
        report.checked = None
        return report

    def refusal(self, error: BaseException) -> tuple[str, bool]:
        """What went wrong, in one sentence, and whether it was the officer's Cancel."""
        if isinstance(error, ImportCancelled):
            return str(error), True
        if isinstance(error, UserError):
            return str(error), False
        return f"The import of {self.path.name} failed: {error}. Nothing was written.", False


def imported(report: ImportReport) -> Changes:
    """What an import wrote, for the desk. New events from a source's file change no standing: links are the
    officer's and no source carries them. Updated events may be linked, and Accord Desk's own files carry
    links: then anything may have changed."""
    if report.updated or report.format == FileFormat.ACCORD_DESK:
        return EVERYTHING
    return Changes(event_log=True, actors=True)


class EventImport(QObject):
    """One import in the window: the thread, the progress dialog and the outcome.

    With `dry_run`, the worker only reports what the import would change. When `interactive`, that
    report then shows in an ImportChoice (kept in `choice`), and the officer's go-ahead runs the
    import for real on the same worker and thread. `finished` comes once nothing more will run.
    With `interactive` False (tests), nothing is shown beyond the progress dialog and the outcome is
    kept in `report` / `message`.
    """

    finished = Signal()

    def __init__(
        self, desk: Desk, path: Path, parent: QWidget | None = None, interactive: bool = True,
        dry_run: bool = False, skip_invalid: bool = False,
    ):  # fmt: skip
        super().__init__(parent)
        self.desk, self.path, self.parent_widget, self.interactive = desk, Path(path), parent, interactive
        self.report: ImportReport | None = None
        self.message = ""
        self.cancelled = False
        self.choice: ImportChoice | None = None
        self.outcome: QMessageBox | None = None  # the last message shown, for tests to read and close
        self.question: QMessageBox | None = None  # day/month order, when the file cannot tell
        self.order_buttons: dict = {}
        self.background = Background(self)
        self.worker = ImportWorker(desk.store, self.path, desk.agreement_id, dry_run, skip_invalid)
        self._ticker = QTimer(self)  # shows the worker's progress
        self._ticker.setInterval(50)
        self._ticker.timeout.connect(self._progressed)
        self.progress = QProgressDialog("", "Cancel", 0, BAR_STEPS, parent)
        self.progress.setLabel(plain_label(wrap=False))  # the default label guesses rich text: the file name
        self.progress.setWindowTitle("Import events")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.setAutoReset(False)
        self.progress.setAutoClose(False)
        self.progress.canceled.connect(self.cancel)
        # Quitting mid-import rolls it back: the worker thread would otherwise finish and commit it unseen.
        QCoreApplication.instance().aboutToQuit.connect(self.cancel)

    def start(self) -> None:
        doing = "Checking" if self.worker.dry_run else "Importing"
        self.progress.setLabelText(f"{doing} {self.path.name}…")
        self.progress.setValue(0)
        self._ticker.start()
        self.background.run(self.worker.run, self._succeeded, self._refused)

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, DateOrderUnknown) and self.worker.date_order is None:
            self._stop()
            self._ask_date_order(str(error))
            return
        self._failed(*self.worker.refusal(error))

    def _ask_date_order(self, message: str) -> None:
        """The file cannot tell day/month from month/day: the officer says, or the import ends unread."""
        self.question = question = QMessageBox(self.parent_widget)
        question.setWindowTitle("Import events")
        question.setIcon(QMessageBox.Icon.Question)
        question.setTextFormat(Qt.TextFormat.PlainText)
        # One plain-text label: the message quotes the file's name and one of its cells.
        said = message.split(": ", 1)[-1].split("; say which")[0]
        question.setText(f"{self.path.name}: {said}.\n\nHow are its dates written?")
        self.order_buttons = {
            order: question.addButton("&" + label.capitalize(), QMessageBox.ButtonRole.AcceptRole)
            for order, label in ORDER_LABELS.items()
        }
        question.addButton(QMessageBox.StandardButton.Cancel)
        question.finished.connect(self._date_order_chosen)
        question.open()

    @Slot()
    def _date_order_chosen(self) -> None:
        clicked = self.question.clickedButton()
        chosen = next((order for order, button in self.order_buttons.items() if button is clicked), None)
        self.question.deleteLater()
        if chosen is None:
            self._failed(f"The import of {self.path.name} was cancelled; nothing was written.", True)
            return
        self.worker.date_order = str(chosen)
        self.worker.rearm(self.worker.dry_run, self.worker.skip_invalid)
        self.start()

    def cancel(self) -> None:
        self.worker.cancel()
        self.progress.setLabelText("Cancelling: nothing will be written…")

    def _progressed(self) -> None:
        done, total = self.worker.latest
        self.progress.setValue(BAR_STEPS * done // max(total, 1))

    def _succeeded(self, report: ImportReport) -> None:
        self.report = report
        self.message = "\n".join(report.lines())
        self._stop()
        if report.dry_run and self.interactive:
            self._offer(ImportChoice(self.path.name, report, parent=self.parent_widget))
            return
        if not report.dry_run:
            self.desk.changed(imported(report))
        if self.interactive:
            self.outcome = _inform(self.parent_widget, self.message)
        self._finish()

    def _failed(self, message: str, cancelled: bool) -> None:
        self.message, self.cancelled = message, cancelled
        self._stop()
        if self.interactive:
            if cancelled:
                self.outcome = _inform(self.parent_widget, message)
            elif self.worker.dry_run:  # the refusal is the answer to "what would the import do?"
                self._offer(ImportChoice(self.path.name, None, refusal=message, parent=self.parent_widget))
                return
            else:
                show_error(self.parent_widget, message, "Import events")
        self._finish()

    def _offer(self, choice: "ImportChoice") -> None:
        self.choice = choice
        choice.accepted.connect(self._go_ahead)
        choice.rejected.connect(self._finish)
        choice.open()

    @Slot()
    def _go_ahead(self) -> None:
        # Skip invalid rows only when the officer saw them listed; rows that turned invalid since
        # the dry run then refuse the file rather than vanish unseen.
        skip_invalid = bool(self.report and self.report.skipped)
        self.report, self.message = None, ""
        self.worker.rearm(dry_run=False, skip_invalid=skip_invalid)
        self.start()

    def _stop(self) -> None:
        """The run over and the progress hidden, ready for another run or the end."""
        self._ticker.stop()
        # reset() before hiding: it stops the timer that would show the dialog again after
        # minimumDuration; close() would emit canceled and cancel the next run.
        self.progress.reset()
        self.progress.hide()

    def _finish(self) -> None:
        self.progress.deleteLater()
        self.finished.emit()


class ImportChoice(QDialog):
    """What the dry run found and the officer's choice: Import (or Import the valid rows), or not.

    `go_button` is None when there is nothing to import; then Close is the only button. Everything
    shown is plain text: the report quotes the file's name, its keys, actor names and cells.
    """

    def __init__(
        self, name: str, report: ImportReport | None, refusal: str = "", parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Import events")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(760)
        self.heading = plain_label(_heading(name, report))
        self.details = QPlainTextEdit("\n".join(report.lines()) if report else refusal)
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # long lists of actors wrap
        buttons = QDialogButtonBox()
        self.go_button: QPushButton | None = None
        if report is not None and (report.added or report.updated):
            text = "Import the valid rows" if report.skipped else "Import"
            self.go_button = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
            self.go_button.setDefault(True)
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        layout.addWidget(buttons)


def _heading(name: str, report: ImportReport | None) -> str:
    if report is None:
        return f"{name} cannot be imported:"
    changes = f"add {len(report.added):,} and update {len(report.updated):,} events"
    if report.likely_duplicates:
        changes += f", {len(report.likely_duplicates):,} of the added looking like events already in the record"
    if not report.skipped:
        if report.added or report.updated:
            return f"Importing {name} would {changes}."
        return f"Nothing to import: every event in {name} is already in the record as the file has it."
    invalid = f"{name} has {plural(invalid_rows(report.skipped), 'invalid row')}, listed below"
    if report.added or report.updated:
        return f"{invalid}. Importing its valid rows would {changes}; the invalid rows would be left out."
    valid = "no valid row" if not report.rows else "its valid rows are already in the record"
    return f"Nothing to import: {invalid}, and {valid}."


def import_events_interactively(desk: Desk, parent: QWidget | None = None) -> EventImport | None:
    """Ask for a file, check it with a dry run and import it if the officer says so.

    Returns the running import (kept alive by its parent). The dry run skips invalid rows so that
    all of them are listed at once, not just the first that would refuse the file.
    """
    if desk.store is None:
        return None
    chosen = file_dialog.open_file_name(parent, "Import events", str(desk.store.folder), CSV_FILTER)
    if not chosen:
        return None
    running = EventImport(desk, Path(chosen), parent, dry_run=True, skip_invalid=True)
    running.finished.connect(running.deleteLater)
    running.start()
    return running


def _inform(parent: QWidget | None, message: str) -> QMessageBox:
    """The outcome, shown without blocking: nothing waits for the officer's OK."""
    box = QMessageBox(
        QMessageBox.Icon.Information, "Import events", message, QMessageBox.StandardButton.Ok, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
