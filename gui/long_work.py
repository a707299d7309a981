"""Long work of the window (a backup, a restore, an export) in a worker thread behind a window-modal
progress dialog (gui/background.py); `finished` once it is over.

The worker only calls `report(done, total)` (from its thread); a UI-thread timer shows it. With
`cancellable`, the dialog has a Cancel button and `report` returns False once it is pressed, for the
work to stop (leaving nothing behind: that is the work's to ensure).
"""

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from gui.background import Background
from gui.plain_text import plain_label


class LongWork(QObject):
    """One piece of long work in a worker thread with a progress dialog; `over` once it has ended."""

    finished = Signal()

    def __init__(self, parent: QWidget, title: str, label: str, cancellable: bool = False):
        super().__init__(parent)
        self.background = Background(self)
        self.latest = (0, 0)
        self.over = False
        self._cancelled = threading.Event()
        self.progress = QProgressDialog("", "Cancel", 0, 0, parent)
        self.progress.setLabel(plain_label(label, wrap=False))
        if cancellable:
            self.progress.canceled.connect(self.cancel)
        else:
            self.progress.setCancelButton(None)  # a copy half made is no copy; it is over in seconds
        self.progress.setWindowTitle(title)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.setAutoReset(False)
        self.progress.setAutoClose(False)
        self._ticker = QTimer(self)
        self._ticker.setInterval(50)
        self._ticker.timeout.connect(self._progressed)

    def report(self, done: int, total: int) -> bool:
        self.latest = (done, total)
        return not self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def start(
        self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[BaseException], None]
    ) -> None:
        self.progress.setValue(0)
        self._ticker.start()
        self.background.run(
            work, lambda result: self._end(done, result), lambda error: self._end(failed, error)
        )

    def _progressed(self) -> None:
        done, total = self.latest
        if total:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    def _end(self, then: Callable[[Any], None], value: Any) -> None:
        self._ticker.stop()
        self.progress.reset()
        self.progress.hide()
        self.progress.deleteLater()
        then(value)
        self.over = True
        self.finished.emit()
