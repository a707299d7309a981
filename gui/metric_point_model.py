"""Table models for a metric's target points and observations, under the trajectory plot.

Thin adapters over db.metrics rows. An edit in a cell never changes the model: it becomes an
`edit_requested` (point id, new fields) that the panel turns into an undoable command.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from db.event_rules import parse_date
from db.metrics import ObservationFields, ObservationRow, TargetFields, TargetRow, parse_value
from db.trajectory import QUALIFIER_WORDS, figure
from db.values import check_text, sentence
from db.vocabulary import DatePrecision, Qualifier

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True)
class PointColumn:
    title: str
    show: Callable[[object], str]
    edit: Callable[[object, str], object] | None = None  # (fields, text) -> new fields; ValueError says why


def _date(fields, text: str):
    try:
        return replace(fields, on=parse_date(text))
    except ValueError as error:
        raise ValueError(sentence(str(error))) from None


def _value(fields, text: str):
    try:
        return replace(fields, value=parse_value(text))
    except ValueError as error:
        raise ValueError(sentence(str(error))) from None


def _choice(name: str, allowed) -> Callable[[object, str], object]:
    def edit(fields, text: str):
        value = text.strip().lower().replace(" ", "_")
        if value not in [str(a) for a in allowed]:
            raise ValueError(f"'{text}' is not one of: {', '.join(str(a) for a in allowed)}.")
        return replace(fields, **{name: value})

    return edit


def _text(name: str) -> Callable[[object, str], object]:
    def edit(fields, text: str):
        try:
            return replace(fields, **{name: check_text(text.strip(), f"the {name}") or None})
        except ValueError as error:
            raise ValueError(sentence(str(error))) from None

    return edit


TARGET_COLUMNS = [
    PointColumn("Date", lambda r: r.on.isoformat(), _date),
    PointColumn("Target", lambda r: figure(r.value), _value),
    PointColumn("Clause", lambda r: r.clause or ""),
    PointColumn("Note", lambda r: r.note or "", _text("note")),
]
OBSERVATION_COLUMNS = [
    PointColumn("Date", lambda r: r.on.isoformat(), _date),
    PointColumn("Precision", lambda r: r.precision, _choice("precision", DatePrecision)),
    PointColumn("Value", lambda r: figure(r.value), _value),
    PointColumn(
        "Qualifier",
        lambda r: QUALIFIER_WORDS[r.qualifier].strip() or "exact",
        _choice("qualifier", Qualifier),
    ),
    PointColumn("Claimed by", lambda r: r.claimant or ""),
    PointColumn("Source", lambda r: r.source or "", _text("source")),
    PointColumn("Note", lambda r: r.note or "", _text("note")),
]


def target_fields_of(row: TargetRow) -> TargetFields:
    return TargetFields(row.on, row.value, row.obligation_id, row.note)


def observation_fields_of(row: ObservationRow) -> ObservationFields:
    return ObservationFields(
        row.on, row.value, row.precision, row.qualifier, row.claimant_id, row.source, row.note, row.event_id
    )


class MetricPointModel(QAbstractTableModel):
    edit_requested = Signal(str, object)  # point id, the fields as edited
    edit_refused = Signal(str)  # one sentence: why the text typed cannot be saved

    def __init__(self, columns: list[PointColumn], fields_of: Callable[[object], object], parent=None):
        super().__init__(parent)
        self.columns, self.fields_of, self.rows = columns, fields_of, []
        self.editable = True  # False: no cell offers an editor (the agreement is read-only here)

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        return self.columns[index.column()].show(self.rows[index.row()])

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self.editable and index.isValid() and self.columns[index.column()].edit is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, column = self.rows[index.row()], self.columns[index.column()]
        if column.edit is None or str(value) == column.show(row):
            return False
        try:
            fields = column.edit(self.fields_of(row), str(value))
        except ValueError as error:
            self.edit_refused.emit(str(error))
            return False
        self.edit_requested.emit(row.id, fields)
        return False  # the command's refresh shows the saved value
