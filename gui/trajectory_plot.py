"""The trajectory plot: a metric's target path, what each claimant reported, deadlines and the as-of date.

Draws what db.plot_data computes; the PDF report paints this same widget's scene. The as-of line can be
dragged, and `as_of_moved` then asks the window to move its as-of date.
"""

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPainterPathStroker, QPicture
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from db.metrics import MetricSeries
from db.plot_data import PlotData, observed_as_of, plot_data
from db.trajectory import TargetFact, figure, target_at

pg.setConfigOptions(background="w", foreground="k", antialias=True)

# Okabe–Ito colours with distinct symbols, so claimants differ without relying on colour.
CLAIMANT_STYLES = [
    ("#0072B2", "o"), ("#D55E00", "s"), ("#009E73", "t"), ("#CC79A7", "d"), ("#E69F00", "star"), ("#56B4E9", "h"),
]  # fmt: skip
TARGET_PEN = pg.mkPen("#444444", width=2, style=Qt.PenStyle.DashLine)
DEADLINE_PEN = pg.mkPen("#B22222", width=1.5, style=Qt.PenStyle.DotLine)
AS_OF_PEN = pg.mkPen("#1F4E79", width=2)
GAP_BRUSH = pg.mkBrush(QColor(213, 94, 0, 60))


class FigureAxis(pg.AxisItem):
    """Values with thousands separators (13,000), never pyqtgraph's "×1e3" prefix."""

    def __init__(self, orientation: str):
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):
        places = max(0, math.ceil(-math.log10(spacing * scale))) if spacing * scale > 0 else 0
        return [f"{value * scale:,.{places}f}" for value in values]


def year_span(first: date, last: date) -> str:
    return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"


def to_x(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def to_date(x: float) -> date:
    return datetime.fromtimestamp(x, UTC).date()


class TrajectoryPlot(QWidget):
    as_of_moved = Signal(object)  # date: the officer dragged the as-of line

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.series: MetricSeries | None = None
        self.data: PlotData | None = None
        self.plot = pg.PlotWidget(
            axisItems={"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0), "left": FigureAxis("left")}
        )
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.legend = self.plot.addLegend(offset=(60, 10), brush=pg.mkBrush(255, 255, 255, 215))
        self.readout = QLabel(" ")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.target_curve = pg.PlotDataItem(pen=TARGET_PEN)
        self.gap_target = pg.PlotDataItem(
            pen=pg.mkPen(0, 0, 0, 0)
        )  # invisible, but FillBetween needs its path
        self.gap_observed = pg.PlotDataItem(pen=pg.mkPen("#D55E00", width=1))
        self.gap = pg.FillBetweenItem(self.gap_target, self.gap_observed, brush=GAP_BRUSH)
        self.as_of_line = pg.InfiniteLine(
            angle=90,
            movable=True,
            pen=AS_OF_PEN,
            label="as of",
            labelOpts={"position": 0.95, "color": "#1F4E79"},
        )
        self.as_of_line.sigPositionChanged.connect(self._as_of_dragging)
        self.as_of_line.sigPositionChangeFinished.connect(self._as_of_dropped)
        for item in (self.gap, self.gap_target, self.gap_observed, self.target_curve, self.as_of_line):
            self.plot.addItem(item)
        self.claim_items: dict[str, pg.ScatterPlotItem] = {}
        self.deadline_lines: list[pg.InfiniteLine] = []
        self.target_labels: list[pg.TextItem] = []
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.labels_held = False  # True while a figure is laid out: its labels are placed once, at the end
        view = self.plot.plotItem.vb  # a resized or zoomed plot puts its labels anew
        view.sigResized.connect(lambda _view: self.place_labels())
        view.sigRangeChanged.connect(lambda *_: self.place_labels())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addWidget(self.readout)

    def show_series(self, series: MetricSeries | None, message: str = "") -> None:
        """Draw a metric, or nothing (with `message` as the title). Curves are updated with setData."""
        self.series = series
        self.data = plot_data(series) if series else None
        for item in [*self.claim_items.values(), *self.deadline_lines, *self.target_labels]:
            self.plot.removeItem(item)
        self.claim_items, self.deadline_lines, self.target_labels = {}, [], []
        self.legend.clear()
        if self.data is None:
            for curve in (self.target_curve, self.gap_target, self.gap_observed):
                curve.setData([], [])
            self.gap.setPath(QPainterPath())  # FillBetweenItem keeps its last shading for empty curves
            self.plot.setTitle(message)
            self.plot.setLabel("left", "")
            self._show_axes(False)
            return
        self._show_axes(True)
        data = self.data
        self.plot.setTitle(series.name)
        self.plot.setLabel("left", series.unit)
        self.target_curve.setData([to_x(d) for d in data.target_dates], data.target_values)
        self.legend.addItem(self.target_curve, "Target trajectory")
        end = max(data.target_dates + [d for points in data.claims.values() for d, _ in points])
        points = zip(data.target_dates, data.target_values, data.target_labels, strict=False)
        for day, value, text in points:
            # Right of their point, except at the right edge where they would be cut off (place_labels moves them).
            label = pg.TextItem(text, color="#444444", anchor=(1 if day == end else 0, 1))
            label.home_anchor = (1 if day == end else 0, 1)
            label.setPos(to_x(day), value)
            self.plot.addItem(label)
            self.target_labels.append(label)
        for index, (claimant, points) in enumerate(sorted(data.claims.items())):
            colour, symbol = CLAIMANT_STYLES[index % len(CLAIMANT_STYLES)]
            scatter = pg.ScatterPlotItem(
                [to_x(d) for d, _ in points], [v for _, v in points], symbol=symbol, size=9,
                brush=pg.mkBrush(colour), pen=pg.mkPen("w", width=0.5),
            )  # fmt: skip
            self.plot.addItem(scatter)
            self.legend.addItem(scatter, claimant)
            self.claim_items[claimant] = scatter
        self.gap_target.setData([to_x(d) for d in data.gap_dates], data.gap_target)
        self.gap_observed.setData([to_x(d) for d in data.gap_dates], data.gap_observed)
        if not data.gap_dates:
            self.gap.setPath(QPainterPath())
        # No gap to shade or trace before two days have both values: a path of one point or none, painted,
        # makes Qt's PDF writer put a closepath without a current point (poppler: "Syntax Error").
        for item in (self.gap, self.gap_target, self.gap_observed):
            item.setVisible(len(data.gap_dates) > 1)
        for index, (day, clause) in enumerate(data.deadlines):
            line = pg.InfiniteLine(
                pos=to_x(day), angle=90, movable=False, pen=DEADLINE_PEN, label=f"{clause} deadline\n{day.isoformat()}",
                labelOpts={"position": 0.42 - 0.12 * (index % 3), "color": "#B22222", "anchors": [(0, 0.5), (0, 0.5)]},
            )  # fmt: skip
            self.plot.addItem(line)
            self.deadline_lines.append(line)
        self._frame(data, series.direction)
        self.place_labels()

    def _show_axes(self, shown: bool) -> None:
        """Axes of nothing (pyqtgraph frames 1970 to today) would say more than the sentence in the title."""
        for side in ("left", "bottom"):
            self.plot.plotItem.showAxis(side, shown)  # after setLabel, which shows its axis
        self.as_of_line.setVisible(shown)

    def _frame(self, data: PlotData, direction: str) -> None:
        """Fit the view to the series (lines and labels would otherwise stretch it to 1970)."""
        days = data.target_dates + [d for points in data.claims.values() for d, _ in points]
        values = data.target_values + [v for points in data.claims.values() for _, v in points]
        if not days:
            return
        start, end = to_x(min(days)), to_x(max(days))
        margin = max((end - start) * 0.06, 86400 * 3)
        self.plot.setXRange(start - margin, end + margin, padding=0)
        # Month ticks say no year: the axis says which years the plot spans (January ticks say the next).
        self.plot.setLabel("bottom", year_span(min(days), max(days)))
        low, high = min(0, min(values)), max(values) * 1.12 or 1
        self.plot.setYRange(low - (high - low) * 0.1, high, padding=0)  # room for a label under the lowest point
        # One row of legend, where the series is not: high right for a drawdown, low right for a build-up.
        self.legend.setColumnCount(min(2, max(1, len(self.legend.items))))
        self.legend.setOffset((-10, 28) if direction == "decrease" else (-10, -36))

    def set_as_of(self, day: date) -> None:
        self.as_of_line.blockSignals(True)
        self.as_of_line.setValue(to_x(day))
        self.as_of_line.label.setFormat(f"as of {day.isoformat()}")
        self.as_of_line.blockSignals(False)
        self.place_labels()

    def labels(self) -> list[pg.TextItem]:
        """The labels the plot shows inside its view, the least movable first: the targets' (four places
        round their point), the deadlines', the as-of line's."""
        area = self.plot.plotItem.vb.sceneBoundingRect()
        found = [*self.target_labels, *(line.label for line in self.deadline_lines), self.as_of_line.label]
        return [label for label in found if label.isVisible() and area.contains(_anchor_point(label))]

    def place_labels(self) -> None:
        """Put each label where it covers no other label nor the legend and stays inside the plot, and
        off the target line where it can (greedy, in the order of labels(), over a few places each)."""
        if self.data is None or self.labels_held:
            return
        view = self.plot.plotItem.vb
        view.updateMatrix()  # the scene positions of a plot laid out without a window (the PDF)
        for line in [self.as_of_line, *self.deadline_lines]:
            line.label.updatePosition()
        for label in self.target_labels:
            label.updateTransform(force=True)
        area = view.sceneBoundingRect()
        taken = [self.legend.sceneBoundingRect()] if self.legend.items else []
        curve = self.target_curve.curve
        stroker = QPainterPathStroker()
        stroker.setWidth(3)
        target = curve.mapToScene(stroker.createStroke(curve.getPath()))
        for label in self.labels():
            best, least = None, None
            for place in _places(label, self.as_of_line.label):
                place()
                rect = label.sceneBoundingRect()
                covered = sum(_area(rect.intersected(other)) for other in taken)
                outside = _area(rect) - _area(rect.intersected(area))
                # Crossing the target line is allowed where nothing else is free, overlapping never.
                # (The label's own point is on the line: only its text, inside the padding, counts.)
                crossed = target.intersects(rect.adjusted(5, 5, -5, -5))
                cost = 4 * (covered + outside) + (_area(rect) if crossed else 0)
                if least is None or cost < least:
                    best, least = place, cost
                if cost == 0:
                    break
            best()
            taken.append(label.sceneBoundingRect())

    def as_of(self) -> date:
        return to_date(self.as_of_line.value())

    def _as_of_dragging(self) -> None:
        self.as_of_line.label.setFormat(f"as of {self.as_of().isoformat()}")

    def _as_of_dropped(self) -> None:
        self.place_labels()
        self.as_of_moved.emit(self.as_of())

    def readout_at(self, day: date) -> str:
        """Date, target, observed and gap at a day, as the hover shows them."""
        if self.series is None:
            return " "
        target = target_at([TargetFact(t.on, t.value) for t in self.series.targets], day)
        observed = observed_as_of(self.series, day)
        parts = [day.isoformat(), f"target {figure(target)}" if target is not None else "no target yet"]
        parts.append(f"observed {figure(observed)}" if observed is not None else "nothing reported yet")
        if target is not None and observed is not None:
            parts.append(f"gap {figure(observed - target)}")
        return " · ".join(parts)

    def _hover(self, position) -> None:
        if self.series is None or not self.plot.sceneBoundingRect().contains(position):
            return
        x = self.plot.getPlotItem().vb.mapSceneToView(position).x()
        try:
            self.readout.setText(self.readout_at(to_date(x)))
        except (OverflowError, OSError, ValueError):  # far outside any date range
            self.readout.setText(" ")


LINE_PLACES = (0.42, 0.3, 0.54, 0.18, 0.66, 0.78, 0.06, 0.9)  # along a deadline line, bottom to top
AS_OF_PLACES = (0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.05)
POINT_ANCHORS = ((0, 1), (1, 1), (0, 0), (1, 0))  # above right, above left, below right, below left


def _area(rect: QRectF) -> float:
    return max(0.0, rect.width()) * max(0.0, rect.height())


def _anchor_point(label: pg.TextItem) -> QPointF:
    """Where a label is pinned, in the scene: its point, or its place on its line."""
    return label.mapToScene(QPointF(0, 0))


def _places(label: pg.TextItem, as_of_label: pg.TextItem):
    """The places tried for a label, as functions that put it there, in the order preferred (never the
    order of where it was last put: a label's place follows the plot, not its history)."""
    if isinstance(label, pg.InfLineLabel):
        positions = AS_OF_PLACES if label is as_of_label else LINE_PLACES
        for side in ((0, 0.5), (1, 0.5)):  # right of the line, then left
            for position in positions:
                yield lambda position=position, side=side: _on_line(label, position, side)
        return
    home = label.home_anchor
    for anchor in (home, *(a for a in POINT_ANCHORS if a != home)):
        yield lambda anchor=anchor: label.setAnchor(anchor)


def _on_line(label: pg.InfLineLabel, position: float, side: tuple[float, float]) -> None:
    label.orthoPos = position
    label.anchors = [side, side]
    label.updatePosition()


def figure_plot(series: MetricSeries, as_of: date, width: float, height: float) -> TrajectoryPlot:
    """The window's plot of a series as of a date, laid out at a figure's size without a window."""
    plot = TrajectoryPlot()
    for _step in _lay_out_figure(plot, series, as_of, width, height):
        pass
    return plot


def _lay_out_figure(plot: TrajectoryPlot, series: MetricSeries, as_of: date, width: float, height: float):
    """Put the series into the plot at a figure's size, in two steps (a generator: a turn of the UI's event
    loop may come between them)."""
    plot.labels_held = True  # every step below would place them anew (a resize, a range): once, at the end
    plot.show_series(series)
    plot.set_as_of(as_of)
    yield
    plot.plot.plotItem.setGeometry(QRectF(0, 0, width, height))
    plot.plot.plotItem.layout.activate()
    plot._frame(plot.data, series.direction)
    plot.labels_held = False
    plot.place_labels()


def _record(plot: TrajectoryPlot, width: float) -> QPicture:
    """The plot's scene as vectors, `width` points wide, recorded to be painted later in any thread."""
    picture = QPicture()
    painter = QPainter(picture)
    scene = plot.plot.scene()
    source = plot.plot.plotItem.sceneBoundingRect()
    options = {"antialias": True, "background": None, "painter": painter, "resolutionScale": 1.0}
    items = [item for item in scene.items() if hasattr(item, "setExportMode")]
    for item in items:
        item.setExportMode(True, options)
    scene.render(painter, QRectF(0, 0, width, source.height() * width / source.width()), source)
    for item in items:
        item.setExportMode(False, options)
    painter.end()
    return picture


class FigurePictures:
    """A report's figures, drawn by the window's own plot and recorded as QPictures.

    The plot is pyqtgraph's, a widget's scene, so it can be built only on the UI thread: `steps()` does it
    a step at a time (each a few tens of ms), for the UI thread to run between steps. What it records
    (QPicture: the painter's commands) is then painted into the PDF's pages or a PNG in a worker thread,
    where QPainter may paint on a QPdfWriter, a QImage or a QPicture (Qt's threading rules)."""

    def __init__(self, metrics: list[MetricSeries], as_of: date, width: float, height: float):
        self.metrics, self.as_of, self.width, self.height = metrics, as_of, width, height
        self.pictures: list[QPicture] = []  # in the order of `metrics`

    def steps(self) -> Iterator[int]:
        """Record each figure, yielding between the steps; the count recorded so far."""
        plot = TrajectoryPlot()  # one plot for every figure: making its widgets was a third of a figure's time
        try:
            yield 0
            for series in self.metrics:
                for _step in _lay_out_figure(plot, series, self.as_of, self.width, self.height):
                    yield len(self.pictures)
                self.pictures.append(_record(plot, self.width))
                yield len(self.pictures)
        finally:
            plot.deleteLater()

    def record_all(self) -> "FigurePictures":
        """In one go, where nothing else waits for the UI thread (the command line)."""
        for _count in self.steps():
            pass
        return self

    def paint(self, painter: QPainter, index: int, left: float, top: float) -> None:
        """Figure `index` with its top left corner at (left, top); any thread."""
        painter.save()
        painter.translate(left, top)
        painter.drawPicture(0, 0, self.pictures[index])
        painter.restore()

    def png(self, index: int, scale: float = 2.0) -> bytes:
        """Figure `index` as a PNG, `scale` pixels a point (the Word copy); any thread."""
        image = QImage(round(self.width * scale), round(self.height * scale), QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        self.paint(painter, index, 0, 0)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(buffer.data())
