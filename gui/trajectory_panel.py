"""The trajectory panel: pick a metric (or follow the obligation selected in the tree), see its plot,
edit its target points and observations, and export the plot as PNG or its data as CSV.
"""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db import audit
from db.atomic_file import atomic_path, framed, not_written
from db.changes import Changes
from db.errors import UserError
from db.metrics import MetricSeries, MetricSummary, metric_events, metric_series
from db.plot_data import series_as_of
from db.series_csv import write_series_csv
from db.tree import list_actors
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
from gui.point_dialog import PointDialog
from gui.trajectory_plot import TrajectoryPlot

NOTHING_SELECTED = "No obligation is selected; pick a metric to see its plot."


class TrajectoryPanel(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None, following: str | None = None):
        """`following`: the obligation selected in the tree, so the first drawing is already its metric's."""
        super().__init__(parent)
        self.desk = desk
        self.metrics: list[MetricSummary] = []
        self.series: MetricSeries | None = None
        self._followed = following  # the obligation selected in the tree
        self._note = ""  # what the plot says when it shows no metric
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
            table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)  # F2 in a cell; Enter: the form
            table.activated.connect(lambda index, kind=kind: self.edit_point(kind, index.row()))
            self.tables[kind] = table
            self.tabs.addTab(table, title)
            model.edit_requested.connect(
                lambda point_id, fields, kind=kind: self._edit(kind, point_id, fields)
            )
            model.edit_refused.connect(lambda message: show_error(self, message))

        buttons = QHBoxLayout()
        buttons.addWidget(self.picker, 1)
        self.edit_buttons: list[QPushButton] = []  # greyed where the agreement is read-only here
        for text, slot, edits in (
            ("Add observation", lambda: self._add(OBSERVATION), True),
            ("Add target point", lambda: self._add(TARGET), True),
            ("Delete point", self._delete, True),
            ("Export PNG…", self.export_png, False),
            ("Export CSV…", self.export_csv, False),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            if edits:
                self.edit_buttons.append(button)
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
        desk.as_of_changed.connect(self._draw)
        desk.record_changed.connect(self._record_changed)
        desk.agreement_changed.connect(self.reload)
        desk.store_replaced.connect(self.reload)
        self.reload()

    def reload(self, *_) -> None:
        """Re-read the agreement's metrics and the one shown: the selected obligation's, else the one chosen."""
        chosen = self.metric_id()
        self.metrics = self.desk.metrics()
        self.picker.blockSignals(True)
        self.picker.clear()
        for metric in self.metrics:
            self.picker.addItem(f"{metric.name} ({metric.unit})" if metric.unit else metric.name, metric.id)
        ids = [m.id for m in self.metrics]
        index, message = ids.index(chosen) if chosen in ids else (0 if ids else -1), ""
        if self.desk.node(self._followed) is not None:  # the tree chose before the metrics came
            index, message = self._choice(self._followed)
        self.picker.setCurrentIndex(index)
        self.picker.blockSignals(False)
        self._show_metric(message=message)
        self._update_enabled()

    def _record_changed(self, changes: Changes, _initiator=None) -> None:
        if changes.everything or changes.agreements:
            self.reload()
        elif self.metric_id() in changes.metrics:
            self._show_metric()
        if changes.rights:
            self._update_enabled()

    def _update_enabled(self) -> None:
        """No point is added, changed or deleted where the officer may not change the agreement."""
        editable = self.desk.refusal() is None
        for button in self.edit_buttons:
            button.setEnabled(editable)
        self.targets.editable = self.observations.editable = editable

    def metric_id(self) -> str | None:
        return self.picker.currentData()

    def follow_obligation(self, obligation_id: str | None) -> None:
        """Show the metric tied to the obligation selected in the tree; for one without, say so."""
        self._followed = obligation_id
        if self.desk.node(obligation_id) is None:
            if self.metric_id() is None and self._note:  # the note named the obligation selected before
                self._show_metric(message=NOTHING_SELECTED)
            return
        index, message = self._choice(obligation_id)
        if index >= 0:
            self.picker.setCurrentIndex(index)
            return
        self.picker.blockSignals(True)
        self.picker.setCurrentIndex(-1)  # no unrelated metric; the officer may still pick one
        self.picker.blockSignals(False)
        self._show_metric(message=message)

    def _choice(self, obligation_id: str) -> tuple[int, str]:
        """The picker's row for the obligation's metric, or -1 and what the plot says instead."""
        for index, metric in enumerate(self.metrics):
            if obligation_id in metric.obligation_ids:
                return index, ""
        return -1, f"No metric is tied to {self.desk.node(obligation_id).ref}; pick one to see its plot."

    def _show_metric(self, *_, message: str = "") -> None:
        metric_id = self.metric_id()
        self.series = None
        if metric_id is not None and self.desk.store is not None:
            with self.desk.store.reading() as session:
                try:
                    self.series = metric_series(session, metric_id)
                except UserError:
                    self.series = None
        self._note = message
        self._draw()
        self.targets.set_rows(self.series.targets if self.series else [])
        self.observations.set_rows(self.series.observations if self.series else [])

    def _draw(self, *_) -> None:
        """The plot as of the desk's date: observations after it are not drawn (the tables keep them)."""
        message = self._note or ("This agreement has no metric." if not self.metrics else "")
        self.plot.show_series(series_as_of(self.series, self.desk.as_of) if self.series else None, message)
        self.plot.set_as_of(self.desk.as_of)

    def _add(self, kind: PointKind) -> None:
        """Open the point's form on the as-of date; nothing is written unless the officer fills it in."""
        if self.series is None:
            return
        fields = self.ask_point(kind)
        if fields is not None:
            self.desk.execute(AddPoint(self.desk, kind, self.series.id, fields))
            self.tabs.setCurrentWidget(self.tables[kind])

    def edit_point(self, kind: PointKind, row: int) -> None:
        """Enter or double-click on a row: the point's form."""
        model = self.targets if kind is TARGET else self.observations
        if self.series is None or not 0 <= row < len(model.rows) or not model.editable:
            return
        point_id = model.rows[row].id
        with self.desk.store.reading() as session:
            current, read = kind.read(session, point_id), audit.versions_read(session)
        fields = self.ask_point(kind, current)
        if fields is not None and fields != current:
            self.desk.execute(EditPoint(self.desk, kind, point_id, fields).read_at(read))

    def ask_point(self, kind: PointKind, fields=None):
        """The point's form: the fields typed, or None when cancelled."""
        metric = next(m for m in self.metrics if m.id == self.series.id)
        clauses = [(i, node.ref) for i in metric.obligation_ids if (node := self.desk.node(i)) is not None]
        with self.desk.store.reading() as session:
            actors = list_actors(session)
            events = metric_events(session, metric.id, getattr(fields, "event_id", None))
        dialog = PointDialog(
            self, kind=kind.key, noun=kind.noun, metric=metric.name, on=self.desk.as_of, fields=fields,
            clauses=clauses, actors=actors, events=events,
        )  # fmt: skip
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None

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
