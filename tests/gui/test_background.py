"""Background work: Python's cycle collector runs in the UI thread only, once work runs off it."""

import gc
import weakref

from gui.background import Background


def test_cycles_are_collected_by_the_ui_thread_once_work_runs_off_it(qtbot):
    jobs = Background()
    results = []
    jobs.run(lambda: 42, results.append, results.append)
    qtbot.waitUntil(lambda: results == [42])
    assert not gc.isenabled()  # a worker allocating can no longer set off a collection in its thread

    class Node:
        pass

    node = Node()
    node.self = node  # a cycle: only the collector frees it
    alive = weakref.ref(node)
    del node
    kept = []

    def freed() -> bool:
        # Allocating as a window does: an earlier test's window, freed meanwhile, lowers the count it keeps.
        kept.extend(Node() for _ in range(gc.get_threshold()[0] // 10))
        return alive() is None

    qtbot.waitUntil(freed, timeout=5_000)


def test_while_work_runs_the_ui_thread_collects_only_the_young_generations(qtbot):
    """A collection of the oldest generation walks every object the process holds (a 100,000-row import's
    rows: 100–170 ms on the UI thread, again and again). While work runs it waits; once none runs, it is done."""
    import threading

    from gui import background
    from gui.background import collect_garbage

    jobs, release, results = Background(), threading.Event(), []
    jobs.run(lambda: release.wait(10), results.append, results.append)
    collected = []

    def note(phase, info):
        if phase == "start":
            collected.append(info["generation"])

    gc.callbacks.append(note)
    try:
        for _ in range(3 * gc.get_threshold()[2]):  # well past what makes the oldest generation due
            gc.collect(1)
        collect_garbage()
        assert collected and 2 not in collected
        release.set()
        qtbot.waitUntil(lambda: results == [True] and not background._running)
        for _ in range(3 * gc.get_threshold()[2]):  # due again (the window's own timer may have collected)
            gc.collect(1)
        collected.clear()
        collect_garbage()
        assert collected == [2]
    finally:
        gc.callbacks.remove(note)
        release.set()


def test_a_job_freezes_nothing_start_up_did_that_after_the_first_paint(qtbot):
    """gc.freeze() moved to start-up (gui.app.show_window): the first job froze whatever was alive at its moment."""
    frozen = gc.get_freeze_count()
    jobs, results = Background(), []
    jobs.run(lambda: 1, results.append, results.append)
    qtbot.waitUntil(lambda: results == [1])
    assert gc.get_freeze_count() == frozen
