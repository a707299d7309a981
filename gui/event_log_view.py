"""The event log: a filter row, the table of events (gui/event_table_model.py) and the actions on them.

Docked in the main window. Filters ask the database again (db.event_log), the free text after a short
pause in the typing, in a worker thread (FilterQuery: the count and the first page in their own short
read transaction) so the window stays usable over 100,000 events; a result that a newer filter, sort or
edit has overtaken is dropped (EventLogModel.generation). "Only the selected obligation's evidence"
follows ObligationTree.obligation_selected.
New, Edit, Duplicate and Delete run undo commands (gui/event_commands.py); Import events… opens
gui/event_import_dialog.py; Export shown… writes what the filter shows (db.event_export).
"""

from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from db.actors import actor_completions, find_actor
from db.errors import UserError
from db.event_export import export_events
from db.event_log import EventFilter, count_events, event_rows, event_types
from db.event_rules import parse_date, parse_grade
from db.events import event_fields
from gui.actions import make_action
from gui.desk import Desk
from gui.event_commands import AddEvent, DeleteEvent, DuplicateEvent, EditEvent
from gui.event_dialog import EventDialog
from gui.event_inline_edit import connect_inline_editing
from gui.event_table_model import COLUMNS, DATE, NOTES, PAGE_ROWS, TYPE, EventTableModel
from gui.plain_text import confirm, plain_label, show_error, tooltip

TYPING_PAUSE_MS = 250
CSV_FILTER = "CSV files (*.csv);;All files (*)"
GRADE_TIP = "Source grade: B2, or only B, or only 2"
_INVALID = "QLineEdit { border: 1px solid #b3141f; }"
ACTOR_TIP = "Only this actor's events: a name or alias"
NO_ACTOR = "\x00no such actor"  # an actor id nothing has: an unknown name shows no events

_RUNNING: set[QThread] = set()  # queries kept alive until they finish, even if their view is gone


class EventLogModel(EventTableModel):
    """The table model, plus results read by a FilterQuery; every reload makes pending results stale."""

    reloaded = Signal()  # read again at once (a sort, an edit): a pending result is stale
    generation = 0

    def reload(self, keep: int = 0) -> None:
        self.generation += 1
        super().reload(keep)
        self.reloaded.emit()

    @property
    def sort_key(self) -> tuple[str, bool]:
        return self._sort, self._descending

    def show_result(self, generation: int, wanted: EventFilter, rows: list[tuple], total: int) -> bool:
        """Show what a query found, unless something newer asked the database since it started."""
        if generation != self.generation:
            return False
        self.beginResetModel()
        self._filter, self._rows, self._total = wanted, rows, total
        self.endResetModel()
        return True


class FilterQuery(QThread):
    """count_events and the first page of a filter, in their own short read transaction."""

    found = Signal(int, object, object, int)  # generation, the filter, its first rows, how many match
    failed = Signal(int, str)

    def __init__(self, store, generation: int, wanted: EventFilter, sort: str, descending: bool):
        super().__init__()
        self.store, self.generation, self.wanted = store, generation, wanted
        self.sort, self.descending = sort, descending
        _RUNNING.add(self)
        self.finished.connect(self._done)

    def run(self) -> None:
        try:
            with self.store.reading() as session:
                total = count_events(session, self.wanted)
                rows = event_rows(session, self.wanted, self.sort, self.descending, limit=PAGE_ROWS)
        except Exception as error:  # e.g. the database was closed meanwhile: the view says so
            self.failed.emit(self.generation, str(error))
            return
        self.found.emit(self.generation, self.wanted, rows, total)

    def _done(self) -> None:
        _RUNNING.discard(self)
        self.deleteLater()


class EventLogView(QWidget):
    filter_changed = Signal(object)  # the EventFilter now shown

    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.model = EventLogModel(desk, self)
        self._every = 0  # events of the agreement, unfiltered
        self._wanted: EventFilter | None = None  # being read by a FilterQuery
        self._obligation_id: str | None = None

        self.text = QLineEdit()
        self.text.setPlaceholderText("Search notes, places, sources, actors…")
        self.text.setClearButtonEnabled(True)
        self.text.setAccessibleName("Search events")
        self.date_from = _short_edit("from date", "Events on or after this date (YYYY-MM-DD)")
        self.date_to = _short_edit("to date", "Events on or before this date (YYYY-MM-DD)")
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Event type")
        self.grade = _short_edit("grade", GRADE_TIP, width=70)
        self.actor = _short_edit("actor", ACTOR_TIP, width=220)
        self.actor.setClearButtonEnabled(True)
        self._actor_names = QStringListModel(self)
        completer = QCompleter(self._actor_names, self.actor)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.actor.setCompleter(completer)
        self.actor_hint = plain_label(wrap=False)
        self.actor_hint.setVisible(False)
        self.evidence = QCheckBox("Only the selected obligation's evidence")
        self.count_label = plain_label(wrap=False)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(TYPING_PAUSE_MS)
        self._debounce.timeout.connect(self.apply_filter)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DATE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        connect_inline_editing(
            self.model, desk, self, self.table
        )  # F2 edits a simple cell; rows drag onto the tree
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        for column, width in (
            (DATE, 130),
            (1, 230),
            (2, 260),
            (3, 200),
            (4, 80),
            (5, 170),
            (6, 60),
            (7, 150),
        ):
            header.resizeSection(column, width)
        header.setSectionResizeMode(NOTES, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.table.installEventFilter(self)

        self.new_action = self._action("&New event…", self.new_event, "Ctrl+E", tip="Type in an event")
        self.edit_action = self._action("&Edit event…", self.edit_selected, tip="Edit the selected event")
        self.duplicate_action = self._action(
            "D&uplicate event", self.duplicate_selected, tip="Copy the event"
        )
        self.delete_action = self._action(
            "&Delete event…", self.delete_selected, tip="Delete the selected event"
        )
        self.import_action = self._action(
            "&Import events…", self.import_events, tip="Import an ACLED or Accord Desk CSV"
        )
        self.export_action = self._action("E&xport shown…", self.export_shown, tip="Write the events shown to a CSV")  # fmt: skip
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.new_action, self.edit_action, self.duplicate_action, self.delete_action):
            bar.addAction(action)
        bar.addSeparator()
        bar.addAction(self.import_action)
        bar.addAction(self.export_action)

        filters = QHBoxLayout()
        filters.addWidget(self.text, 3)
        for widget in (self.date_from, self.date_to, self.type_combo, self.actor, self.grade, self.evidence):
            filters.addWidget(widget)
        top = QHBoxLayout()
        top.addWidget(bar, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.actor_hint)
        layout.addWidget(self.table)

        self.text.textChanged.connect(lambda _text: self._debounce.start())
        for edit in (self.date_from, self.date_to, self.grade, self.actor):
            edit.textChanged.connect(lambda _text: self._debounce.start())
        self.type_combo.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.evidence.toggled.connect(lambda _on: self.apply_filter())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_enabled())
        self.model.modelReset.connect(self._update_count)
        self.model.reloaded.connect(self._reloaded)
        self.model.rowsInserted.connect(self._update_count)
        # Bound methods: Qt drops the connections when the view goes, even if the desk stays.
        desk.record_changed.connect(self._record_changed)
        desk.agreement_changed.connect(self._agreement_changed)
        desk.store_replaced.connect(self._agreement_changed)
        self._agreement_changed()

    def _action(self, text: str, slot, *shortcuts, tip: str = "") -> QAction:
        action = make_action(self, text, slot, *shortcuts, tip=tip)
        self.addAction(action)
        return action

    # --- the filter ----------------------------------------------------------------------------

    def current_filter(self) -> EventFilter:
        """What the filter row says; a date or grade being typed counts once it is complete."""
        date_from = self._date(self.date_from)
        date_to = self._date(self.date_to)
        reliability = credibility = None
        grade = self.grade.text().strip()
        try:
            reliability, credibility = parse_grade(grade) if grade else (None, None)
            self.grade.setStyleSheet("")
            self.grade.setToolTip(GRADE_TIP)
        except ValueError as error:
            self.grade.setStyleSheet(_INVALID)
            self.grade.setToolTip(tooltip(str(error)))  # escaped: it quotes what was typed
        only = self.evidence.isChecked() and self._obligation_id is not None
        return EventFilter(
            text=self.text.text(),
            date_from=date_from,
            date_to=date_to,
            event_type=self.type_combo.currentData(),
            actor_id=self._actor_id(),
            obligation_ids=(self._obligation_id,) if only else (),
            reliability=reliability,
            credibility=credibility,
            agreement_id=self.desk.agreement_id,
        )

    def _date(self, edit: QLineEdit) -> date | None:
        text = edit.text().strip()
        if not text:
            edit.setStyleSheet("")
            return None
        try:
            found = parse_date(text)
        except ValueError:
            edit.setStyleSheet(_INVALID)
            return None
        edit.setStyleSheet("")
        return found

    def _actor_id(self) -> str | None:
        """The actor named in the filter row; a name nobody has matches no event, and says so."""
        name = self.actor.text().strip()
        found = None
        if name and self.desk.store is not None:
            with self.desk.store.reading() as session:
                found = find_actor(session, name)
        unknown = bool(name) and found is None
        self.actor.setStyleSheet(_INVALID if unknown else "")
        self.actor_hint.setText(f"No actor or alias is named “{name}”: no events shown." if unknown else "")
        self.actor_hint.setVisible(unknown)
        return NO_ACTOR if unknown else found

    def apply_filter(self) -> None:
        """Start reading what the filter row asks for; the table shows it when it arrives."""
        self._debounce.stop()
        wanted = self.current_filter()
        if wanted == (self._wanted or self.model.event_filter):
            return
        self.model.generation += 1  # a result still coming for an older filter is stale now
        if wanted == self.model.event_filter or self.desk.store is None:
            self._wanted = None  # back to what is shown already
            self._update_count()
            return
        self._wanted = wanted
        sort, descending = self.model.sort_key
        query = FilterQuery(self.desk.store, self.model.generation, wanted, sort, descending)
        query.found.connect(self._found)
        query.failed.connect(self._failed)
        self._update_count()
        query.start()

    def _reloaded(self) -> None:
        if self._wanted is not None:  # the filter being read was overtaken: read it again
            self._wanted = None
            self.apply_filter()

    @property
    def filtering(self) -> bool:
        """A filter change is being read; the table still shows the previous one."""
        return self._wanted is not None

    def _found(self, generation: int, wanted: EventFilter, rows: list, total: int) -> None:
        if self.model.show_result(generation, wanted, rows, total):
            self._wanted = None
            self._update_count()
            self._update_enabled()
            self.filter_changed.emit(wanted)

    def _failed(self, generation: int, message: str) -> None:
        if generation == self.model.generation:
            self._wanted = None
            self._update_count()
            self.desk.report(f"The event log could not be filtered: {message}")

    def follow_obligation(self, obligation_id: str | None) -> None:
        """The tree's selection: the evidence filter follows it when checked."""
        self._obligation_id = obligation_id
        self.evidence.setEnabled(obligation_id is not None)
        if self.evidence.isChecked():
            self.apply_filter()

    def _count_every(self) -> None:
        self._every = 0
        if self.desk.store is not None:
            with self.desk.store.reading() as session:
                self._every = count_events(session, EventFilter(agreement_id=self.desk.agreement_id))

    def _update_count(self) -> None:
        text = f"{self.model.total:,} of {self._every:,} events"
        self.count_label.setText(f"{text} (filtering…)" if self.filtering else text)

    # --- following the desk -----------------------------------------------------------------------

    def _agreement_changed(self, *_args) -> None:
        current = self.type_combo.currentData()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem("Any type", None)
        if self.desk.store is not None:
            with self.desk.store.reading() as session:
                for name in event_types(session):
                    self.type_combo.addItem(name, name)
        self.type_combo.setCurrentIndex(max(self.type_combo.findData(current), 0))
        self.type_combo.blockSignals(False)
        self._fill_actor_names()
        self._count_every()
        self._wanted = None
        self.model.set_filter(self.current_filter())
        self.model.generation += 1  # set_filter may not have reloaded
        self._update_count()
        self._update_enabled()

    def _fill_actor_names(self) -> None:
        names: list[str] = []
        if self.desk.store is not None:
            with self.desk.store.reading() as session:
                names = sorted({typed for typed, _name in actor_completions(session)}, key=str.casefold)
        self._actor_names.setStringList(names)

    def _record_changed(self, _obligation_id=None) -> None:
        self._fill_actor_names()  # an edit may have named a new actor
        self._count_every()
        selected = self.selected_id()
        self.model.reload(keep=self.model.rowCount())
        if selected:
            self.select(selected)
        self._update_enabled()

    # --- selection --------------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.event_id(rows[0].row()) if rows else None

    def select(self, event_id: str) -> bool:
        row = self.model.row_of(event_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _update_enabled(self) -> None:
        chosen = self.selected_id() is not None
        has_store = self.desk.store is not None
        for action in (self.edit_action, self.duplicate_action, self.delete_action):
            action.setEnabled(chosen)
        for action in (self.new_action, self.import_action, self.export_action):
            action.setEnabled(has_store)

    # --- actions ------------------------------------------------------------------------------------

    def new_event(self) -> None:
        if self.desk.store is None:
            return
        dialog = EventDialog(self.desk, self)
        if dialog.exec() == EventDialog.DialogCode.Accepted:
            command = AddEvent(self.desk, dialog.fields())
            if self.desk.execute(command):
                self.select(command.event_id)

    def edit_selected(self) -> None:
        event_id = self.selected_id()
        if event_id is None:
            return
        with self.desk.store.reading() as session:
            fields = event_fields(session, event_id)
        dialog = EventDialog(self.desk, self, fields, heading="Edit event")
        if dialog.exec() == EventDialog.DialogCode.Accepted:
            self.desk.execute(EditEvent(self.desk, event_id, dialog.fields()))

    def duplicate_selected(self) -> None:
        event_id = self.selected_id()
        if event_id is not None:
            command = DuplicateEvent(self.desk, event_id)
            if self.desk.execute(command):
                self.select(command.event_id)

    def delete_selected(self, ask: bool = True) -> None:
        event_id = self.selected_id()
        if event_id is None:
            return
        row = self.model.row_of(event_id)
        what = " — ".join(self.model.index(row, column).data() for column in (DATE, TYPE))
        question = f"Delete the event {what}?\n\nEdit ▸ Undo brings it back."
        if ask and not confirm(self, "Delete event", question, "Delete"):
            return
        self.desk.execute(DeleteEvent(self.desk, event_id))

    def import_events(self) -> None:
        from gui.event_import_dialog import import_events_interactively

        import_events_interactively(self.desk, self)

    def export_shown(self, path: Path | None = None) -> int | None:
        if self.desk.store is None:
            return None
        if path is None:
            start = str(self.desk.store.path.parent / "events.csv")
            chosen, _ = QFileDialog.getSaveFileName(self, "Export events shown", start, CSV_FILTER)
            if not chosen:
                return None
            path = Path(chosen)
        try:
            with self.desk.store.reading() as session:
                count = export_events(session, path, self.model.event_filter)
        except UserError as error:
            show_error(self, str(error))
            return None
        return count

    # --- columns and keys -------------------------------------------------------------------------

    def _column_menu(self, position) -> None:
        menu = QMenu(self)
        header = self.table.horizontalHeader()
        for column, (title, _sort, _show) in enumerate(COLUMNS):
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column != DATE)
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
        menu.exec(header.mapToGlobal(position))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Delete in the table deletes the event, not the obligation (the window's Delete shortcut).
        key_event = event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
        if watched is self.table and key_event and event.matches(QKeySequence.StandardKey.Delete):
            if event.type() == QEvent.Type.KeyPress:
                self.delete_selected()
            event.accept()
            return True
        return super().eventFilter(watched, event)


def _short_edit(placeholder: str, tip: str, width: int = 150) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setToolTip(tip)
    edit.setAccessibleName(tip)
    edit.setMaximumWidth(width)
    return edit
