"""The trajectory panel: pick a metric (or follow the obligation selected in the tree), see its plot,
edit its target points and observations, and export the plot as PNG or its data as CSV.
"""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.atomic_file import atomic_path, framed, not_written
from db.errors import UserError
from db.metrics import (
    MetricSeries,
    MetricSummary,
    ObservationFields,
    TargetFields,
    list_metrics,
    metric_series,
)
from db.series_csv import write_series_csv
from gui import file_dialog
from gui.desk import Desk
from gui.metric_commands import OBSERVATION, TARGET, AddPoint, DeletePoint, EditPoint, PointKind
from gui.metric_point_model import (
    OBSERVATION_COLUMNS,
    TARGET_COLUMNS,
    MetricPointModel,
    observation_fields_of,
    target_fields_of,
)
from gui.plain_text import show_error
from gui.trajectory_plot import TrajectoryPlot


class TrajectoryPanel(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.metrics: list[MetricSummary] = []
        self.series: MetricSeries | None = None
        self.picker = QComboBox()
        self.picker.setMinimumContentsLength(14)
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setAccessibleName("Metric")
        self.plot = TrajectoryPlot()
        self.targets = MetricPointModel(TARGET_COLUMNS, target_fields_of, self)
        self.observations = MetricPointModel(OBSERVATION_COLUMNS, observation_fields_of, self)
        self.tabs = QTabWidget()
        self.tables: dict[PointKind, QTableView] = {}
        for kind, model, title in (
            (OBSERVATION, self.observations, "Observations"),
            (TARGET, self.targets, "Target points"),
        ):
            table = QTableView()
            table.setModel(model)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setStretchLastSection(True)
            table.verticalHeader().hide()
            self.tables[kind] = table
            self.tabs.addTab(table, title)
            model.edit_requested.connect(
                lambda point_id, fields, kind=kind: self._edit(kind, point_id, fields)
            )
            model.edit_refused.connect(lambda message: show_error(self, message))

        buttons = QHBoxLayout()
        buttons.addWidget(self.picker, 1)
        for text, slot in (
            ("Add observation", lambda: self._add(OBSERVATION)),
            ("Add target point", lambda: self._add(TARGET)),
            ("Delete point", self._delete),
            ("Export PNG…", self.export_png),
            ("Export CSV…", self.export_csv),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 110])  # the plot first; the tables are for when a point needs editing
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(split)

        self.picker.currentIndexChanged.connect(self._show_metric)
        self.plot.as_of_moved.connect(desk.set_as_of)
        # Bound methods, not lambdas: Qt drops them with the panel even while the desk lives on.
        desk.as_of_changed.connect(self.plot.set_as_of)
        desk.record_changed.connect(self._show_metric)
        desk.agreement_changed.connect(self.reload)
        desk.store_replaced.connect(self.reload)
        self.reload()

    def reload(self, *_) -> None:
        """Re-read the agreement's metrics, keeping the chosen one when it is still there."""
        chosen = self.metric_id()
        self.metrics = []
        if self.desk.store is not None and self.desk.agreement_id is not None:
            with self.desk.store.reading() as session:
                self.metrics = list_metrics(session, self.desk.agreement_id)
        self.picker.blockSignals(True)
        self.picker.clear()
        for metric in self.metrics:
            self.picker.addItem(f"{metric.name} ({metric.unit})" if metric.unit else metric.name, metric.id)
        ids = [m.id for m in self.metrics]
        self.picker.setCurrentIndex(ids.index(chosen) if chosen in ids else (0 if ids else -1))
        self.picker.blockSignals(False)
        self._show_metric()

    def metric_id(self) -> str | None:
        return self.picker.currentData()

    def follow_obligation(self, obligation_id: str | None) -> None:
        """Show the metric tied to the obligation selected in the tree, if it has one."""
        for index, metric in enumerate(self.metrics):
            if obligation_id in metric.obligation_ids:
                self.picker.setCurrentIndex(index)
                return

    def _show_metric(self, *_) -> None:
        metric_id = self.metric_id()
        self.series = None
        if metric_id is not None and self.desk.store is not None:
            with self.desk.store.reading() as session:
                try:
                    self.series = metric_series(session, metric_id)
                except UserError:
                    self.series = None
        self.plot.show_series(self.series)
        self.plot.set_as_of(self.desk.as_of)
        self.targets.set_rows(self.series.targets if self.series else [])
        self.observations.set_rows(self.series.observations if self.series else [])

    def _add(self, kind: PointKind) -> None:
        if self.series is None:
            return
        rows = self.series.targets if kind is TARGET else self.series.observations
        value = rows[-1].value if rows else 0.0
        fields = (
            TargetFields(self.desk.as_of, value)
            if kind is TARGET
            else ObservationFields(self.desk.as_of, value)
        )
        self.desk.execute(AddPoint(self.desk, kind, self.series.id, fields))
        self.tabs.setCurrentWidget(self.tables[kind])

    def _edit(self, kind: PointKind, point_id: str, fields) -> None:
        self.desk.execute(EditPoint(self.desk, kind, point_id, fields))

    def _delete(self) -> None:
        kind = next(k for k, table in self.tables.items() if table is self.tabs.currentWidget())
        index = self.tables[kind].currentIndex()
        model = self.tables[kind].model()
        if index.isValid():
            self.desk.execute(DeletePoint(self.desk, kind, model.rows[index.row()].id))

    def _destination(self, title: str, suffix: str, kind: str) -> Path | None:
        name = file_dialog.save_file_name(self, title, f"{self.series.name}{suffix}", f"{kind} (*{suffix})")
        return Path(name) if name else None

    def export_png(self, path: Path | None = None) -> None:
        import pyqtgraph.exporters

        if self.series is None:
            return
        path = path or self._destination("Export plot as PNG", ".png", "PNG image")
        if path is None:
            return
        exporter = pyqtgraph.exporters.ImageExporter(self.plot.plot.plotItem)
        exporter.parameters()["width"] = 1600
        image = exporter.export(toBytes=True)
        try:
            with atomic_path(path, whole=framed(b"\x89PNG", b"IEND")) as partial:
                if not image.save(str(partial), "PNG"):
                    raise not_written(path)
        except UserError as error:
            show_error(self, str(error))

    def export_csv(self, path: Path | None = None) -> None:
        if self.series is None:
            return
        path = path or self._destination("Export data as CSV", ".csv", "CSV")
        if path is None:
            return
        try:
            write_series_csv(self.series, path)
        except UserError as error:
            show_error(self, str(error))
