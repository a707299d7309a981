"""The figures' labels never cover each other nor the legend, and stay inside the plot — in the window and
in the report (which paints the same scene); the axes say thousands and years."""

from datetime import date
from itertools import combinations

import pytest
from PySide6.QtGui import QImage, QPainter

from db.metrics import list_metrics, metric_series
from db.plot_data import series_as_of
from db.tree import list_agreements
from gui.trajectory_plot import FigureAxis, TrajectoryPlot, figure_plot

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

AS_OF_DATES = [date(2020, 3, 5), date(2020, 3, 20), date(2020, 6, 1), date(2020, 7, 14), date(2020, 12, 1),
               date(2021, 4, 30), date(2021, 9, 1)]  # fmt: skip


@pytest.fixture
def all_series(example_store):
    with example_store.reading() as session:
        (agreement,) = list_agreements(session)
        return [metric_series(session, m.id) for m in list_metrics(session, agreement.id)]


def _overlaps(plot: TrajectoryPlot) -> list[str]:
    area = plot.plot.plotItem.vb.sceneBoundingRect()
    rects = [(label.toPlainText(), label.sceneBoundingRect()) for label in plot.labels()]
    wrong = [f"{a!r} over {b!r}" for (a, ra), (b, rb) in combinations(rects, 2) if ra.intersects(rb)]
    if plot.legend.items:
        legend = plot.legend.sceneBoundingRect()
        wrong += [f"{a!r} over the legend" for a, rect in rects if rect.intersects(legend)]
    wrong += [f"{a!r} outside the plot" for a, rect in rects if not area.contains(rect)]
    return wrong


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_report_figure_labels_do_not_overlap(qapp, all_series, as_of):
    for series in all_series:
        plot = figure_plot(series_as_of(series, as_of), as_of, 698, 330)
        assert len(plot.labels()) >= 2
        assert _overlaps(plot) == [], series.name
        plot.deleteLater()


@pytest.mark.parametrize("size", [(520, 300), (900, 420)])
def test_window_plot_labels_do_not_overlap(qtbot, all_series, size):
    plot = TrajectoryPlot()
    qtbot.addWidget(plot)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    for as_of in AS_OF_DATES:
        for series in all_series:
            plot.show_series(series_as_of(series, as_of))
            plot.set_as_of(as_of)
            assert _overlaps(plot) == [], (series.name, as_of)


def test_the_check_sees_an_overlap(qapp, all_series):
    """The check above can fail: two labels put on one spot are reported."""
    troops = next(s for s in all_series if s.name == "US troops in Afghanistan")
    plot = figure_plot(troops, date(2021, 9, 1), 698, 330)
    first, second = plot.target_labels[:2]
    second.setPos(first.pos())
    second.setAnchor(tuple(first.anchor))
    assert _overlaps(plot)


def _tick_strings(plot: TrajectoryPlot, name: str) -> list[str]:
    axis = plot.plot.getAxis(name)
    low, high = plot.plot.plotItem.vb.viewRange()[0 if name == "bottom" else 1]
    size = axis.width() if name == "bottom" else axis.height()
    return [text for spacing, values in axis.tickValues(low, high, size) for text in axis.tickStrings(values, 1, spacing)]


def test_axes_say_thousands_and_years(qapp, all_series):
    assert FigureAxis("left").tickStrings([0, 5000, 13000], 1, 1000) == ["0", "5,000", "13,000"]
    assert FigureAxis("left").tickStrings([0.5, 1.0], 1, 0.5) == ["0.5", "1.0"]
    spans = {}
    for series in all_series:
        plot = figure_plot(series, date(2021, 9, 1), 698, 330)
        image = QImage(698, 330, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        plot.plot.scene().render(painter)  # the axes measure their text when first painted
        painter.end()
        spans[series.name] = plot.plot.getAxis("bottom").labelText
        if series.name == "US troops in Afghanistan":
            assert "2021" in _tick_strings(plot, "bottom") and "12,000" in _tick_strings(plot, "left")
    assert spans == {"US troops in Afghanistan": "2020–2021", "Taliban prisoners released by the Afghan government": "2020",
                     "Afghan government personnel released by the Taliban": "2020"}  # fmt: skip
