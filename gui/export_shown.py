"""Event log ▸ Export shown…: the events the filter shows written to a CSV off the UI thread, with progress
and Cancel (gui/long_work.py). The file is written atomically by db.event_export: a cancelled or failed
export leaves the previous file as it was and no part file."""

from pathlib import Path

from PySide6.QtWidgets import QWidget

from db.errors import ExportCancelled, UserError
from db.event_export import export_events
from db.event_log import EventFilter
from db.store import Store
from gui.long_work import LongWork
from gui.plain_text import show_error

TITLE = "Export events shown"


class ExportShown(LongWork):
    """One export; `count` once written, `message` when refused or cancelled."""

    def __init__(self, parent: QWidget, store: Store, path: Path, wanted: EventFilter, total: int):
        super().__init__(parent, TITLE, f"Exporting {total:,} events to {path.name}…", cancellable=True)
        self.parent_widget, self.path = parent, path
        self.count: int | None = None
        self.message = ""

        def work() -> int:
            with store.reading() as session:
                return export_events(session, path, wanted, progress=lambda done: self.report(done, total))

        self.start(work, self._done, self._failed)

    def _done(self, count: int) -> None:
        self.count = count

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ExportCancelled):
            self.message = str(error)
            return
        self.message = (
            str(error)
            if isinstance(error, UserError)
            else f"The export to {self.path} failed ({error}); no file was written."
        )
        show_error(self.parent_widget, self.message, TITLE)
