"""The audit trail, seen: the History tab beside the obligation panel (the selected obligation's or
event's entries) and View ▸ Audit trail… (every entry, filtered, exported as CSV).

Both show db.history's entries; reads of the whole trail run off the UI thread (gui/background.py).
"""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.errors import UserError
from db.event_rules import parse_optional_date
from db.history import TRAIL_LIMIT, HistoryEntry, TrailFilter, named_history, tables, trail, write_trail_csv
from gui import file_dialog
from gui.background import Background
from gui.desk import Desk
from gui.plain_text import plain_label, show_error
from gui.rows_model import RowsModel, read_only_table

Column = tuple[str, Callable[[HistoryEntry], str]]
WHEN: Column = ("When", lambda e: e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
WHO: Column = ("Who", lambda e: e.who)
ACTION: Column = ("Action", lambda e: e.action)
RECORD: Column = ("Record", lambda e: f"{e.table_name} {e.row_id[:8]}")
WHAT: Column = ("What", HistoryEntry.what)


class HistoryModel(RowsModel):
    def __init__(self, columns: list[Column], parent=None):
        super().__init__([header for header, _show in columns], parent)
        self.columns = columns

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return self.columns[index.column()][1](self.rows[index.row()])


def _entries(count: int) -> str:
    return f"{count:,} entry" if count == 1 else f"{count:,} entries"


def _table(model: HistoryModel) -> QTableView:
    table = read_only_table(model)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class RecordHistory(QWidget):
    """The History tab: who changed the selected record, when, and what before and after. Read while it is
    shown: behind the Details tab (as the window starts) it only notes that it is behind, and reads when shown."""

    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.subject: tuple[str, str] | None = None  # (table, id)
        self._behind = False  # something changed while hidden: read when shown
        self.heading = plain_label()
        self.model = HistoryModel([WHEN, WHO, ACTION, WHAT], self)
        self.table = _table(self.model)
        self.detail = QPlainTextEdit()  # the selected entry in full: plain text, never interpreted
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select an entry to read it in full.")
        self.detail.setMaximumHeight(140)
        self.table.selectionModel().currentRowChanged.connect(self._show_entry)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        for signal in (desk.record_changed, desk.store_replaced):
            signal.connect(self.refresh)
        self.refresh()

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 60)  # a tab beside the obligation panel: its table scrolls rather than hold the dock up

    def follow_obligation(self, obligation_id: str | None) -> None:
        self.subject = ("obligation", obligation_id) if obligation_id else None
        self.refresh()

    def _show_entry(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entries = self.model.rows
        entry = entries[current.row()] if current.isValid() and current.row() < len(entries) else None
        self.detail.setPlainText(entry.in_full() if entry else "")

    def follow_event(self, event_id: str | None) -> None:
        self.subject = ("event", event_id) if event_id else None
        self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._behind:
            self.refresh()

    def refresh(self, *_) -> None:
        self._behind = not self.isVisible()
        if self._behind:
            return
        if self.subject is None or self.desk.store is None:
            self.heading.setText("Select an obligation or an event to see its history.")
            self.model.show([])
            return
        table, record_id = self.subject
        with self.desk.store.reading() as session:
            name, entries = named_history(session, table, record_id)
        self.heading.setText(f"{name}: {_entries(len(entries))} in the audit trail, newest first")
        self.model.show(entries)


class AuditTrailDialog(QDialog):
    """View ▸ Audit trail…: every entry of the trail, filtered by who, action, kind, record and dates."""

    def __init__(self, desk: Desk, parent: QWidget):
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle("Audit trail")
        self.background = Background(self)
        self.who, self.action, self.record = QLineEdit(), QLineEdit(), QLineEdit()
        self.since, self.until = QLineEdit(), QLineEdit()
        for edit, hint in ((self.since, "YYYY-MM-DD"), (self.until, "YYYY-MM-DD"), (self.record, "an id or its start")):
            edit.setPlaceholderText(hint)
        self.kind = QComboBox()
        self.kind.addItem("Any record", "")
        with desk.store.reading() as session:
            for name in tables(session):
                self.kind.addItem(name, name)
        filters = QFormLayout()
        filters.addRow("&Who", self.who)
        filters.addRow("&Action", self.action)
        filters.addRow("&Kind of record", self.kind)
        filters.addRow("&Record", self.record)
        dates = QHBoxLayout()
        dates.addWidget(self.since)
        dates.addWidget(plain_label("to", wrap=False))
        dates.addWidget(self.until)
        between = QLabel("&Between")
        between.setBuddy(self.since)  # a row holding a layout has no field for Alt+B to reach on its own
        filters.addRow(between, dates)
        self.count = plain_label()
        self.model = HistoryModel([WHEN, WHO, ACTION, RECORD, WHAT], self)
        self.table = _table(self.model)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button: QPushButton = buttons.addButton("&Export CSV…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.count)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        for edit in (self.who, self.action, self.record, self.since, self.until):
            edit.textChanged.connect(self.reload)
        self.kind.currentIndexChanged.connect(self.reload)
        self.resize(1100, 650)
        self.reload()

    def wanted(self) -> TrailFilter:
        """The filter typed; ValueError names a date that is not one."""
        dates = []
        for edit, name in ((self.since, "From"), (self.until, "To")):
            try:
                dates.append(parse_optional_date(edit.text()))
            except ValueError as error:
                raise ValueError(f"{name}: {error}.") from None
        return TrailFilter(
            who=self.who.text().strip(), action=self.action.text().strip(), table=self.kind.currentData(),
            record=self.record.text().strip(), since=dates[0], until=dates[1],
        )  # fmt: skip

    def reload(self, *_) -> None:
        try:
            wanted = self.wanted()
        except ValueError as error:
            self.count.setText(str(error))
            return
        store = self.desk.store

        def read():
            with store.reading() as session:
                return trail(session, wanted)

        self.count.setText("Reading the trail…")
        self.background.run(read, lambda found: self._show(wanted, *found), self._failed)

    def _show(self, wanted: TrailFilter, entries: list[HistoryEntry], total: int) -> None:
        try:
            current = self.wanted()
        except ValueError:
            current = None
        if current != wanted:  # the filter changed while the trail was read: a newer read is on its way
            return
        shown = f"the newest {len(entries):,} of " if total > len(entries) else ""
        self.count.setText(f"Showing {shown}{_entries(total)}" + (f" (at most {TRAIL_LIMIT:,} at once)" if shown else ""))
        self.model.show(entries)

    def _failed(self, error: BaseException) -> None:
        self.count.setText(str(error) if isinstance(error, UserError) else f"The trail cannot be read: {error}")

    def export(self) -> None:
        try:
            wanted = self.wanted()
        except ValueError as error:
            show_error(self, str(error), "Export audit trail")
            return
        chosen = file_dialog.save_file_name(self, "Export audit trail", "audit-trail.csv", "CSV files (*.csv)")
        if not chosen:
            return
        try:
            with self.desk.store.reading() as session:
                entries, _ = trail(session, wanted, limit=None)
            count = write_trail_csv(entries, Path(chosen))
        except UserError as error:
            show_error(self, str(error), "Export audit trail")
            return
        self.count.setText(f"Exported {_entries(count)} to {chosen}")
