"""The trajectory plot draws the metric's data (checked on the items, not on pixels)."""

from datetime import date

import pytest

from db.metrics import list_metrics, metric_series
from db.tree import list_agreements
from gui.trajectory_plot import TrajectoryPlot, to_date, to_x


@pytest.fixture
def troops(example_store):
    with example_store.reading() as session:
        (agreement,) = list_agreements(session)
        (metric,) = [m for m in list_metrics(session, agreement.id) if m.name == "US troops in Afghanistan"]
        return metric_series(session, metric.id)


@pytest.fixture
def plot(qtbot):
    widget = TrajectoryPlot()
    qtbot.addWidget(widget)
    return widget


def test_target_trajectory_observations_and_deadlines(plot, troops):
    plot.show_series(troops)
    xs, ys = plot.target_curve.getData()
    assert [to_date(x) for x in xs] == [
        date(2020, 2, 29),
        date(2020, 7, 13),
        date(2021, 4, 29),
        date(2021, 8, 30),
    ]
    assert list(ys) == [13000, 8600, 0, 0]  # the target holds at 0 until the last report
    assert [label.toPlainText() for label in plot.target_labels] == [
        "13,000 (P1-A.1)",
        "8,600 (P1-A.1)",
        "0 (P1-B)",
    ]
    us = plot.claim_items["United States"].getData()
    reported = sorted(zip((to_date(x) for x in us[0]), us[1], strict=True))
    assert (date(2020, 6, 18), 8500) in reported and (date(2021, 8, 30), 0) in reported
    assert [(to_date(line.value()), line.label.format) for line in plot.deadline_lines] == [
        (date(2020, 7, 13), "P1-A.1 deadline\n2020-07-13"),
        (date(2021, 4, 29), "P1-B deadline\n2021-04-29"),
    ]
    gap_x, gap_observed = plot.gap_observed.getData()
    _, gap_target = plot.gap_target.getData()
    at = {to_date(x): (o, t) for x, o, t in zip(gap_x, gap_observed, gap_target, strict=True)}
    assert at[date(2021, 8, 30)] == (0, 0)
    assert at[date(2020, 6, 18)][0] == 8500 and at[date(2020, 6, 18)][1] == pytest.approx(
        13000 - 4400 * 110 / 135
    )


def test_as_of_line_follows_and_drives_the_window(plot, troops, qtbot):
    plot.show_series(troops)
    plot.set_as_of(date(2020, 9, 13))
    assert plot.as_of() == date(2020, 9, 13)
    assert plot.as_of_line.label.format == "as of 2020-09-13"
    with qtbot.waitSignal(plot.as_of_moved) as moved:
        plot.as_of_line.setValue(to_x(date(2021, 1, 1)))
        plot.as_of_line.sigPositionChangeFinished.emit(plot.as_of_line)
    assert moved.args == [date(2021, 1, 1)]


def test_hover_readout(plot, troops):
    plot.show_series(troops)
    assert plot.readout_at(date(2020, 6, 20)) == "2020-06-20 · target 9,350 · observed 8,500 · gap -850"
    assert plot.readout_at(date(2020, 2, 1)) == "2020-02-01 · no target yet · nothing reported yet"


def test_clearing_the_plot(plot, troops):
    plot.show_series(troops)
    plot.show_series(None)
    assert plot.target_curve.getData()[0] is None or len(plot.target_curve.getData()[0]) == 0
    assert plot.claim_items == {} and plot.deadline_lines == []


def test_a_plot_with_no_metric_shows_its_sentence_and_no_empty_axes(plot, troops):
    """Without a series pyqtgraph framed 1970 to today and -0.4 to 0.4 (seen under Xvfb): axes of nothing."""
    item = plot.plot.plotItem
    plot.show_series(None, "No metric is tied to Intro-3; pick one to see its plot.")
    assert item.titleLabel.text == "No metric is tied to Intro-3; pick one to see its plot."
    assert not item.getAxis("left").isVisible() and not item.getAxis("bottom").isVisible()
    assert not plot.as_of_line.isVisible()
    plot.show_series(troops)
    assert item.getAxis("left").isVisible() and item.getAxis("bottom").isVisible() and plot.as_of_line.isVisible()
