"""Benchmark: the compliance engine on 2,000 obligations with 10,000 observations, and the plot's redraw.

Run by hand (not collected by pytest):  QT_QPA_PLATFORM=offscreen python tests/bench_compliance.py
Prints medians, each beside a baseline from the same run:
- every status as of a date: db.tree.load_tree (SQL + engine) against reading the same rows as plain
  tuples (wall and CPU time; target ≤ 4×), and the pure engine (db.compliance.evaluate) on its own;
- the trajectory plot of a 10,000-observation metric: moving the as-of date and repainting, against
  drawing the whole series afresh.
"""

import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7


def median_ms(action, runs=RUNS, clock=time.perf_counter) -> float:
    times = []
    for _ in range(runs):
        start = clock()
        action()
        times.append(clock() - start)
    return statistics.median(times) * 1000


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from sqlmodel import select

    from db.agreement_document import parse_document
    from db.agreement_load import import_document
    from db.compliance import evaluate
    from db.examples import create_database
    from db.metrics import list_metrics, metric_series
    from db.models import Assessment, Obligation, Observation
    from db.tree import list_agreements, load_tree
    from tests.synthetic import agreement_document

    folder = Path(tempfile.mkdtemp())
    store = create_database(folder / "generated.sqlite", None)
    document = parse_document(agreement_document(metrics=10, observations=10_000))
    with store.writing("Import generated agreement") as session:
        agreement_id = import_document(session, document)
    as_of = date(2021, 1, 1)
    with store.reading() as session:
        (agreement,) = list_agreements(session)
        observations = session.exec(select(Observation.id)).all()
    print(f"generated: {len(document.all_obligations())} obligations, {len(observations)} observations")

    def tree():
        with store.reading() as session:
            load_tree(session, agreement_id, as_of)

    def raw():
        with store.reading() as session:
            session.exec(
                select(Obligation.id, Obligation.parent_id, Obligation.deadline_on, Obligation.deadline_rule)
            ).all()
            session.exec(select(Assessment.obligation_id, Assessment.as_of, Assessment.status)).all()
            session.exec(select(Observation.metric_id, Observation.observed_on, Observation.value)).all()

    # As in the window, which freezes what start-up made once it is painted (gui.app): a full collection
    # set off by the tree's allocations then walks only what came after (the library modules and the
    # generated agreement's 140,000 objects made each collection 20-30 ms of load_tree here).
    gc.freeze()
    # CPU time beside wall time: on a shared machine the wall clock mostly measures the neighbours.
    for clock, what in ((time.perf_counter, "wall"), (time.process_time, "CPU ")):
        ours, theirs = median_ms(tree, clock=clock), median_ms(raw, clock=clock)
        print(
            f"every status as of a date, {what}  load_tree {ours:7.1f} ms   raw tuple read {theirs:6.1f} ms   "
            f"ratio {ours / theirs:5.1f}x (target <= 4x)"
        )

    import db.tree as tree_module

    captured = {}
    original = tree_module.evaluate
    tree_module.evaluate = lambda facts, signed, day: (
        captured.update(facts=facts, signed=signed) or original(facts, signed, day)
    )
    tree()
    tree_module.evaluate = original
    engine = median_ms(lambda: evaluate(captured["facts"], captured["signed"], as_of))
    print(f"the engine alone (evaluate)      {engine:7.1f} ms for {len(captured['facts'])} obligations")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from gui.trajectory_plot import TrajectoryPlot

    app = QApplication.instance() or QApplication([])
    with store.reading() as session:
        metrics = list_metrics(session, agreement_id)
        series = metric_series(session, metrics[0].id)
        series.observations = [o for m in metrics for o in metric_series(session, m.id).observations]
    plot = TrajectoryPlot()
    plot.resize(1200, 500)
    plot.show_series(series)
    plot.show()
    app.processEvents()
    days = iter(as_of + timedelta(days=n) for n in range(10_000))

    def move():
        plot.set_as_of(next(days))
        plot.plot.viewport().repaint()

    def redraw():
        plot.show_series(series)
        plot.plot.viewport().repaint()

    moved, full = median_ms(move), median_ms(redraw)
    print(
        f"plot, {len(series.observations)} observations   as-of move {moved:6.1f} ms   full redraw {full:7.1f} ms"
    )
    store.close()


if __name__ == "__main__":
    main()
