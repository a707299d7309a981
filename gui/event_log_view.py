"""The event log: a filter row, the table of events (gui/event_log_model.py) and the actions on them.

Docked in the main window. Nothing is read on the UI thread: a filter change (the free text after a
short pause in the typing), a sort, the refresh after an edit and the next page are read by a LogRead
in a worker thread (gui/background.py), each in its own short read transaction, so the window stays
usable over 100,000 events; a result that a newer read has overtaken is dropped
(EventLogModel.generation), and the selected events are selected again when the rows come. "Only the selected obligation's evidence" follows
ObligationTree.obligation_selected. Several events can be selected: Delete deletes them all (one undo
step), dragging them onto an obligation links them; Edit and Duplicate act on one.
New, Edit, Duplicate and Delete run undo commands (gui/event_commands.py); Import events… opens
gui/event_import_dialog.py; Export shown… writes what the filter shows (db.event_export).
"""

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from db import audit
from db.actors import find_actor
from db.changes import Changes
from db.event_log import EventFilter
from db.event_rules import parse_date, parse_grade
from db.events import event_fields
from gui import file_dialog
from gui.actions import make_action
from gui.background import Background
from gui.desk import Desk
from gui.event_commands import AddEvent, AddSecondSource, DeleteEvents, DuplicateEvent, EditEvent
from gui.event_dialog import EventDialog
from gui.event_inline_edit import connect_inline_editing
from gui.event_log_model import (
    ACTORS,
    COLUMNS,
    DATE,
    FATALITIES,
    GRADE,
    LOCATION,
    NOTES,
    OBLIGATIONS,
    PAGE_ROWS,
    SOURCE,
    SOURCES,
    TYPE,
    EventLogModel,
    LogRead,
    LogResult,
)
from gui.export_shown import ExportShown
from gui.plain_text import confirm, plain_label, tooltip

if TYPE_CHECKING:
    from db.duplicates import EventSketch

TYPING_PAUSE_MS = 250
CSV_FILTER = "CSV files (*.csv);;All files (*)"
GRADE_TIP = "Source grade: B2, or only B, or only 2"
_INVALID = "QLineEdit { border: 1px solid #b3141f; }"
ACTOR_TIP = "Only this actor's events: a name or alias"
NO_ACTOR = "\x00no such actor"  # an actor id nothing has: an unknown name shows no events

_TOP = QModelIndex()


@dataclass(frozen=True)
class _Reading:
    """A read of the whole table under way: why (for the count's label), and what to select after."""

    generation: int
    wanted: EventFilter
    why: str  # "reading", "filtering", "sorting", "updating"
    selected: tuple[str, ...] = ()
    current: str | None = None  # the event to scroll to
    counted: bool = False  # also the agreement's unfiltered count (the record or the agreement changed)
    vocabulary: bool = False  # also the types and names offered (the record changed)


# answers to "this looks like…"
OPEN_THAT_ONE, SECOND_SOURCE, SAVE_ANYWAY, BACK_TO_THE_FORM = "open", "second source", "save", "back"

class EventLogView(QWidget):
    filter_changed = Signal(object)  # the EventFilter now shown
    event_selected = Signal(object)  # the event the officer is on (its id), or None

    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.model = EventLogModel(self)
        self._every = 0  # events of the agreement, unfiltered
        self._reading: _Reading | None = None  # of the whole table, by a LogRead in the background
        self.background = Background(self)
        self._obligation_id: str | None = None

        self.text = QLineEdit()
        self.text.setPlaceholderText("Search notes, places, sources, actors…")
        self.text.setClearButtonEnabled(True)
        self.text.setAccessibleName("Search events")
        self.date_from = _short_edit("from date", "Events on or after this date (YYYY-MM-DD)")
        self.date_to = _short_edit("to date", "Events on or before this date (YYYY-MM-DD)")
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Event type")
        self.type_combo.addItem("Any type", None)  # the record's types come with the first read
        self.type_combo.setMinimumContentsLength(16)  # as wide before they come as after
        self.type_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
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
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
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
        # the widest date a row shows: a range (UCDP's date_start to date_end), plus the cell's margins
        date_width = self.table.fontMetrics().horizontalAdvance("0000-00-00 to 0000-00-00") + 24
        # a count's column as wide as its heading
        sources_width = self.table.fontMetrics().horizontalAdvance(COLUMNS[SOURCES][0]) + 24
        for column, width in (
            (DATE, date_width),
            (TYPE, 230),
            (ACTORS, 260),
            (LOCATION, 200),
            (FATALITIES, 80),
            (SOURCE, 170),
            (GRADE, 60),
            (SOURCES, sources_width),
            (OBLIGATIONS, 150),
        ):
            header.resizeSection(column, width)
        header.setSectionResizeMode(NOTES, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.table.installEventFilter(self)

        self.new_action = self._action("&New event…", self.new_event, "Ctrl+E", tip="Type in an event")
        self.edit_action = self._action("Edi&t event…", self.edit_selected, tip="Edit the selected event")
        self.duplicate_action = self._action(
            "Dup&licate event", self.duplicate_selected, tip="Copy the event"
        )
        self.delete_action = self._action(
            "Delete e&vent…", self.delete_selected, tip="Delete the selected event"
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
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.event_selected.emit(self.selected_id()))
        self.model.modelReset.connect(self._update_count)
        self.model.reread_requested.connect(lambda: self._read("sorting"))
        self.model.page_requested.connect(self._read_page)
        self.model.rowsInserted.connect(self._update_count)
        # Bound methods: Qt drops the connections when the view goes, even if the desk stays.
        desk.record_changed.connect(self._record_changed)
        desk.agreement_changed.connect(self._agreement_changed)
        desk.store_replaced.connect(self._store_replaced)
        self._store_replaced()

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
        if wanted == (self._reading.wanted if self._reading else self.model.event_filter):
            return
        if wanted == self.model.event_filter and self._reading.why == "filtering":
            self.model.begin_read()  # back to what is shown: the pending result is stale
            self._reading = None
            self._update_count()
            return
        self._read("filtering", wanted)

    def _read(self, why: str, wanted: EventFilter | None = None, keep: int = 0, vocabulary: bool | None = None) -> None:
        """Read the filter row's events off the UI thread: their count and at least a page of rows.

        The rows selected now are selected again when the result comes (those it still holds).
        """
        self._debounce.stop()
        wanted = wanted or self.current_filter()
        generation = self.model.begin_read()
        selected = tuple(self.selected_ids())
        current = self.selected_id() if why == "updating" else None
        counted = why in ("reading", "updating")  # the unfiltered count changes with the record or agreement
        vocabulary = why == "reading" if vocabulary is None else vocabulary
        if self._reading is not None:  # an older read's wishes still count, its counting too
            selected, current = selected or self._reading.selected, current or self._reading.current
            counted, vocabulary = counted or self._reading.counted, vocabulary or self._reading.vocabulary
        self._reading = _Reading(generation, wanted, why, selected, current, counted or vocabulary, vocabulary)
        if self.desk.store is None:
            self._found(LogResult(generation, wanted, [], 0, every=0, types=[], actor_names=[]))
            return
        every = EventFilter(agreement_id=self.desk.agreement_id) if self._reading.counted else None
        read = LogRead(
            generation, wanted, self.model.sort_key, max(keep, PAGE_ROWS), every=every, vocabulary=vocabulary
        )
        self._update_count()
        self._start(read, self._found)

    def _read_page(self, offset: int) -> None:
        if self.desk.store is None:
            return
        model = self.model
        self._start(LogRead(model.generation, model.event_filter, model.sort_key, PAGE_ROWS, offset), self._page_found)

    def _start(self, read: LogRead, done) -> None:
        store = self.desk.store
        self.background.run(lambda: read(store), done, lambda error: self._failed(read.generation, error))

    def _page_found(self, found: LogResult) -> None:
        self.model.add_page(found.generation, found.offset, found.rows)

    @property
    def filtering(self) -> bool:
        """The table is being read again; it still shows the previous rows meanwhile."""
        return self._reading is not None

    def _found(self, found: LogResult) -> None:
        reading = self._reading
        if reading is None or not self.model.show_result(found.generation, found.wanted, found.rows, found.total):
            return
        self._reading = None
        if found.every >= 0:
            self._every = found.every
        if found.types is not None:
            self._offer(found.types, found.actor_names)
        self._select_ids(reading.selected, reading.current)
        self._update_count()
        self._update_enabled()
        if reading.why == "filtering":
            self.filter_changed.emit(found.wanted)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self.model.generation:
            self._reading = None
            self._update_count()
            self.desk.report(f"The event log could not be read: {error}", error)

    def follow_obligation(self, obligation_id: str | None) -> None:
        """The tree's selection: the evidence filter follows it when checked."""
        self._obligation_id = obligation_id
        self.evidence.setEnabled(obligation_id is not None)
        if self.evidence.isChecked():
            self.apply_filter()

    def _update_count(self) -> None:
        text = f"{self.model.total:,} of {self._every:,} events"
        self.count_label.setText(f"{text} ({self._reading.why}…)" if self._reading else text)

    # --- following the desk -----------------------------------------------------------------------

    def _agreement_changed(self, *_args) -> None:
        # The names and types offered are the record's, not the agreement's: they stay.
        self._read("reading", vocabulary=False)
        self._update_enabled()

    def _store_replaced(self) -> None:
        self._read("reading")
        self._update_enabled()

    def _offer(self, types: list[str], actor_names: list[str]) -> None:
        """The types to filter by and the names to complete, as the record now has them."""
        current = self.type_combo.currentData()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem("Any type", None)
        for name in (*types, *([current] if current and current not in types else [])):  # the chosen stays
            self.type_combo.addItem(name, name)
        self.type_combo.setCurrentIndex(max(self.type_combo.findData(current), 0))
        self.type_combo.blockSignals(False)
        self._actor_names.setStringList(actor_names)

    def _record_changed(self, changes: Changes, _initiator=None) -> None:
        if changes.rights:
            self._update_enabled()
        if changes.log:  # only a change that named a new actor or type reads the names and types again
            self._read("updating", keep=self.model.rowCount(), vocabulary=changes.actors or changes.everything)

    # --- selection --------------------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [event_id for event_id in map(self.model.event_id, rows) if event_id is not None]

    def selected_id(self) -> str | None:
        """The event the officer is on: the current row if it is selected, else the first selected."""
        current = self.table.currentIndex()
        if current.isValid() and self.table.selectionModel().isRowSelected(current.row(), _TOP):
            return self.model.event_id(current.row())
        chosen = self.selected_ids()
        return chosen[0] if chosen else None

    def select(self, event_id: str) -> bool:
        """Select the event now, or (while the table is read again) as soon as it shows."""
        row = self.model.row_of(event_id)
        if row < 0:
            if self._reading is None:
                return False
            self._reading = replace(self._reading, selected=(event_id,), current=event_id)
            return True
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _select_ids(self, event_ids: tuple[str, ...], current: str | None) -> None:
        selection = QItemSelection()
        for row in filter(lambda row: row >= 0, map(self.model.row_of, event_ids)):
            selection.select(self.model.index(row, 0), self.model.index(row, len(COLUMNS) - 1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(selection, flags)
        if current is not None and (row := self.model.row_of(current)) >= 0:
            index = self.model.index(row, 0)
            self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(index)

    def _update_enabled(self) -> None:
        chosen = len(self.selected_ids())
        has_store = self.desk.store is not None
        # The agreement's view is read-only where the officer may not change the agreement (gui/desk.py).
        editable = self.model.editable = has_store and self.desk.refusal() is None
        for action in (self.edit_action, self.duplicate_action):
            action.setEnabled(editable and chosen == 1)
        self.delete_action.setEnabled(editable and chosen > 0)
        self.delete_action.setText("Delete e&vents…" if chosen > 1 else "Delete e&vent…")
        for action in (self.new_action, self.import_action):
            action.setEnabled(editable)
        self.export_action.setEnabled(has_store)

    # --- actions ------------------------------------------------------------------------------------

    def new_event(self) -> None:
        """The form, then, if the event looks like one in the record, the officer's word on it."""
        if self.desk.store is None:
            return
        fields = None
        while True:
            dialog = EventDialog(self.desk, self, fields)
            if dialog.exec() != EventDialog.DialogCode.Accepted:
                return
            fields = dialog.fields()
            from db.duplicates import events_like  # rapidfuzz and the import's reader: not needed at start

            with self.desk.store.reading() as session:
                like = events_like(session, fields)
            answer = self.ask_about_duplicate(like[0]) if like else SAVE_ANYWAY
            if answer == OPEN_THAT_ONE:
                if self.select(like[0].id):
                    self.edit_selected()
                return
            if answer in (SAVE_ANYWAY, SECOND_SOURCE):
                break
        if answer == SECOND_SOURCE:
            command = AddSecondSource(self.desk, fields, like[0].id)
        else:
            command = AddEvent(self.desk, fields)
        if self.desk.execute(command):
            self.select(command.event_id)

    def ask_about_duplicate(self, like: "EventSketch") -> str:
        """OPEN_THAT_ONE, SECOND_SOURCE, SAVE_ANYWAY or BACK_TO_THE_FORM (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Question, "New event", "", QMessageBox.StandardButton.NoButton, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"This looks like an event already in the record:\n\n{like.label}")
        box.setInformativeText(
            "Same type, a date that can be the same day, the same place, actors in common and notes that read "
            "alike. Open that one to add to it, keep this one as a second source of the same happening (its own "
            "source and grade; the log counts the happening's sources), or save it as a separate event."
        )
        buttons = {
            box.addButton("&Open that one", QMessageBox.ButtonRole.AcceptRole): OPEN_THAT_ONE,
            box.addButton("&Link as a second source", QMessageBox.ButtonRole.AcceptRole): SECOND_SOURCE,
            box.addButton("&Save anyway", QMessageBox.ButtonRole.DestructiveRole): SAVE_ANYWAY,
            box.addButton("&Back to the form", QMessageBox.ButtonRole.RejectRole): BACK_TO_THE_FORM,
        }
        box.setDefaultButton(next(iter(buttons)))
        box.exec()
        return buttons.get(box.clickedButton(), BACK_TO_THE_FORM)

    def edit_selected(self) -> None:
        event_id = self.selected_id()
        if event_id is not None:
            self.edit_event(event_id)

    def show_actor(self, name: str) -> None:
        """The log narrowed to an actor's events (Find anything's actors)."""
        self.actor.setText(name)
        self.apply_filter()

    def edit_event(self, event_id: str) -> None:
        with self.desk.store.reading() as session:
            fields, read = event_fields(session, event_id), audit.versions_read(session)
        dialog = EventDialog(self.desk, self, fields, heading="Edit event")
        if dialog.exec() == EventDialog.DialogCode.Accepted and dialog.fields() != fields:
            self.desk.execute(EditEvent(self.desk, event_id, dialog.fields()).read_at(read))

    def duplicate_selected(self) -> None:
        event_id = self.selected_id()
        if event_id is not None:
            command = DuplicateEvent(self.desk, event_id)
            if self.desk.execute(command):
                self.select(command.event_id)

    def delete_selected(self, ask: bool = True) -> None:
        chosen = self.selected_ids()
        if not chosen:
            return
        if len(chosen) == 1:
            row = self.model.row_of(chosen[0])
            what = "the event " + " — ".join(self.model.index(row, column).data() for column in (DATE, TYPE))
        else:
            what = f"these {len(chosen):,} events"
        question = f"Delete {what}?\n\nEdit ▸ Undo brings {'it' if len(chosen) == 1 else 'them'} back."
        if ask and not confirm(self, "Delete events" if len(chosen) > 1 else "Delete event", question, "Delete"):
            return
        self.desk.execute(DeleteEvents(self.desk, chosen))

    def import_events(self) -> None:
        from gui.event_import_dialog import import_events_interactively

        import_events_interactively(self.desk, self)

    def export_shown(self, path: Path | None = None) -> ExportShown | None:
        """Write the events shown to a CSV, off the UI thread with progress and Cancel; the running export."""
        if self.desk.store is None:
            return None
        if path is None:
            start = str(self.desk.store.folder / "events.csv")
            chosen = file_dialog.save_file_name(self, "Export events shown", start, CSV_FILTER)
            if not chosen:
                return None
            path = Path(chosen)
        running = ExportShown(self, self.desk.store, path, self.model.event_filter, self.model.total)
        running.finished.connect(running.deleteLater)
        return running

    # --- columns and keys -------------------------------------------------------------------------

    def columns_state(self) -> QByteArray:
        """The columns shown, their order and widths, and the sort: kept between sessions."""
        return self.table.horizontalHeader().saveState()

    def restore_columns(self, state: QByteArray) -> None:
        header = self.table.horizontalHeader()
        if header.restoreState(state):
            header.setSectionHidden(DATE, False)  # the menu cannot bring it back
            header.setSectionResizeMode(NOTES, QHeaderView.ResizeMode.Stretch)

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
