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
    kept = [Node() for _ in range(gc.get_threshold()[0] + 10)]  # enough for a collection to be due
    qtbot.waitUntil(lambda: alive() is None, timeout=5_000)
    assert len(kept) > gc.get_threshold()[0]
