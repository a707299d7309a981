"""Work off the UI thread without a Qt signal crossing threads.

A QThread that emits to a Python object in the UI thread can deadlock PySide6: the emitting thread
holds a Qt lock while it waits for the GIL (to ask the Python receiver's metaObject), and the UI thread
holds the GIL while it waits for that lock (deleting any QObject). The whole test suite hung on it
once in a few runs (gdb showed exactly those two stacks). So work runs here in plain Python threads
that touch no Qt object, and a QTimer in the UI thread collects what they return: a finished job's
`done(result)` or `failed(error)` runs in the UI thread, at most POLL_MS after the job ends.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer

POLL_MS = 10
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="accord-desk")


class Background(QObject):
    """Jobs of one owner (a view, an import); they end with it: callbacks of a deleted owner never run."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: list[tuple[Future, Callable[[Any], None], Callable[[BaseException], None]]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)

    def run(
        self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[BaseException], None]
    ) -> Future:
        future = _POOL.submit(work)
        self._jobs.append((future, done, failed))
        self._timer.start()
        return future

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def _collect(self) -> None:
        finished = [job for job in self._jobs if job[0].done()]
        self._jobs = [job for job in self._jobs if not job[0].done()]
        if not self._jobs:
            self._timer.stop()
        for future, done, failed in finished:
            error = future.exception()
            if error is None:
                done(future.result())
            else:
                failed(error)

