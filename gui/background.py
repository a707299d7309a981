"""Work off the UI thread without a Qt signal crossing threads.

A QThread that emits to a Python object in the UI thread can deadlock PySide6: the emitting thread
holds a Qt lock while it waits for the GIL (to ask the Python receiver's metaObject), and the UI thread
holds the GIL while it waits for that lock (deleting any QObject). The whole test suite hung on it
once in a few runs (gdb showed exactly those two stacks). So work runs here in plain Python threads
that emit no signal and touch no Qt object the UI thread uses (painting on a QPdfWriter, a QImage or a
QPicture of their own is allowed: Qt lets any thread paint on these, and the PDF's pages are painted so),
and a QTimer in the UI thread collects what they return: a finished job's `done(result)` or
`failed(error)` runs in the UI thread, at most POLL_MS after the job ends.

Python's cycle collector runs in whichever thread happens to allocate, so a worker could end up
destroying a Qt object (a dropped QLabel, a QAction) while the UI thread sits in a Qt call waiting
for the GIL: the same deadlock by another road (the suite hung in test_main_window with a worker
in SQLAlchemy's compiler and the UI thread in QLabel's constructor). Once work runs off the UI
thread, automatic collection is therefore switched off and the UI thread collects on a timer, with
the interpreter's own thresholds; the oldest generation only while no work runs (collect_garbage).
"""

import gc
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

POLL_MS = 10
COLLECT_MS = 20  # a worker allocates fast: the young generation collected each 200 ms held 100k objects (50–170 ms)
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="accord-desk")
_collector: QTimer | None = None
_running: set[Future] = set()
_held: set[object] = set()  # long work of the UI thread's own, spread over turns of its event loop


def drain(timeout: float = 30.0) -> None:
    """Wait for the work in flight, e.g. before the database it reads is closed under it."""
    wait(list(_running), timeout=timeout)


def collect_garbage() -> None:
    """What automatic collection would do now, done in the UI thread: the oldest generation due. While
    work runs, the young generations only: the oldest walks every object the process holds (a 100,000-row
    import's, 100–170 ms each time), so it waits until no work runs."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (1, 0) if _running or _held else (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return


def _collect_in_the_ui_thread() -> None:
    global _collector
    if _collector is None:
        gc.disable()  # what start-up made is frozen already (gui.app.freeze_what_start_up_made)
        _collector = QTimer(QCoreApplication.instance())
        _collector.setInterval(COLLECT_MS)
        _collector.timeout.connect(collect_garbage)
        _collector.start()


def hold_collections(owner: object) -> None:
    """Work of the UI thread's own between jobs (a report's figures, drawn a step per turn) counts as work
    running until `release_collections(owner)`: a full collection then would walk the report's content and
    layout (1,334 pages of 20,000 events: 215 ms of the UI thread)."""
    _held.add(owner)


def release_collections(owner: object) -> None:
    _held.discard(owner)


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
        _collect_in_the_ui_thread()
        future = _POOL.submit(work)
        _running.add(future)
        future.add_done_callback(_running.discard)
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

