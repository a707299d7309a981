"""While the window runs, an exception that reaches Qt's event loop (a slot that raised) or ends a
thread is a defect: logged (gui/crash_log.py) and told to the officer in one sentence, never a
traceback on the terminal.

Installed by gui.app.run_window only, not by the QApplication factory that tests and export-pdf
share: pytest-qt installs its own sys.excepthook to fail a test whose slot raises, and a hook here
chains to whatever hook came before (it only skips Python's default one, which prints the traceback).
Worker threads touch no Qt object (DESIGN.md), so their defects are queued and shown by a UI timer.
"""

import queue
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from gui.crash_log import defect_sentence, record_defect
from gui.plain_text import show_error

POLL_MS = 100


class DefectHooks(QObject):
    def __init__(self, show: Callable[[str], None] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.show = show or (lambda message: show_error(None, message))
        self._pending: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._show_pending)
        self._previous = None

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook, threading.excepthook = self._in_event_loop, self._in_thread
        self._timer.start()

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None
        self._timer.stop()

    def _in_event_loop(self, kind, error, trace) -> None:
        previous = self._previous[0] if self._previous else sys.__excepthook__
        if previous is not sys.__excepthook__:
            previous(kind, error, trace)
        if issubclass(kind, KeyboardInterrupt):
            return
        self.show(defect_sentence(error, record_defect((kind, error, trace), "A slot raised")))

    def _in_thread(self, args: threading.ExceptHookArgs) -> None:
        previous = self._previous[1] if self._previous else threading.__excepthook__
        if previous is not threading.__excepthook__:
            previous(args)
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread else "a worker"
        logged = record_defect((args.exc_type, args.exc_value, args.exc_traceback), f"Thread {name} raised")
        self._pending.put(defect_sentence(args.exc_value, logged))  # shown by the UI thread's timer

    def _show_pending(self) -> None:
        while True:
            try:
                message = self._pending.get_nowait()
            except queue.Empty:
                return
            self.show(message)
