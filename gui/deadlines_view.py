"""Deadlines ahead: a dock listing the obligations due in the next 30 or 90 days of the as-of date and
those overdue, with the days left; Enter or a double-click goes to the obligation in the tree.

The list is db.deadlines_ahead over the tree the desk already judged; the model only shows it.
"""

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QVBoxLayout,
    QWidget,
)

from db.deadlines_ahead import WINDOWS, count_line, deadlines_ahead, next_deadline
from gui.desk import Desk
from gui.plain_text import plain_label
from gui.rows_model import RowsModel, read_only_table
from gui.status_badge import STATUS_STYLES, badge_text

COLUMNS = ("Ref", "Obligation", "Due", "When", "Status")


class DeadlinesModel(RowsModel):
    def __init__(self, parent=None):
        super().__init__(COLUMNS, parent)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.ref, row.title, row.due.isoformat(), row.when(), badge_text(row.status))[column]
        if role == Qt.ItemDataRole.ForegroundRole and column in (3, 4):
            return QColor(STATUS_STYLES[row.status].colour) if column == 4 or row.overdue else None
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return row.title
        return None


class DeadlinesView(QWidget):
    obligation_chosen = Signal(str)

    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.window_choice = QComboBox()
        for days in WINDOWS:
            self.window_choice.addItem(f"Next {days} days and overdue", days)
        self.window_choice.setCurrentIndex(len(WINDOWS) - 1)
        self.window_choice.setAccessibleName("Deadlines within")
        self.window_choice.currentIndexChanged.connect(self.refresh)
        self.heading = plain_label(wrap=False)
        self.model = DeadlinesModel(self)
        self.table = read_only_table(self.model)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._chosen)  # Enter, or a double-click
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.window_choice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        for signal in (desk.record_changed, desk.as_of_changed, desk.agreement_changed, desk.store_replaced):
            signal.connect(self.refresh)  # a bound method: Qt drops it with the view
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(700, 220)  # a tab among the bottom docks: no taller than they are

    @property
    def within(self) -> int:
        return self.window_choice.currentData()

    def refresh(self, *_) -> None:
        rows = deadlines_ahead(self.desk.tree(), self.desk.as_of, self.within)
        self.model.show(rows)
        self.heading.setText(count_line(rows, self.desk.as_of, self.within))

    def next_deadline_text(self) -> str:
        """For the status bar: the next deadline not yet passed, within the longest window."""
        coming = next_deadline(deadlines_ahead(self.desk.tree(), self.desk.as_of, WINDOWS[-1]))
        if coming is None:
            return f"No deadline in the next {WINDOWS[-1]} days"
        return f"Next deadline: {coming.ref} on {coming.due.isoformat()} ({coming.when()})"

    def _chosen(self, index: QModelIndex) -> None:
        if index.isValid():
            self.obligation_chosen.emit(self.model.rows[index.row()].obligation_id)
