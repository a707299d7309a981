"""The event log's table model (feeding the QTableView of gui/event_log_view.py) and the reads that fill it.

EventLogModel is a pure adapter: it never reads the database. It shows the plain tuples of
db.event_log.event_rows (see `Col`) that a LogRead found in a worker thread (gui/background.py, started
by the view): a sort (reread_requested) or the next page (page_requested) is asked for, and the answer
shown when it comes. A page is chosen by ids first in SQL (db/event_log.py), so deep pages stay cheap; a
result for an older generation of the model (a newer filter, sort or edit) is dropped. data() only
formats what the rows hold.

Simple cells (fatalities, location, source, notes) are editable, but setData never changes the model:
it parses the typed text with the field's db.event_rules parser and emits `edit_requested` (the
owner turns it into an InlineEditEvent command, see gui/event_inline_edit.py) or, for text the
parser refuses, `edit_refused` with one sentence; the rows change when the desk reports the change.
"""

from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from db.actors import actor_completions
from db.event_log import ALL_EVENTS, Col, EventFilter, count_events, event_rows, event_types
from db.event_rules import (
    date_label,
    grade_label,
    parse_fatalities,
    parse_text,
    place_label,
    required,
)
from db.values import sentence
from gui.obligation_model import EVENT_MIME_TYPE
from gui.plain_text import tooltip  # escaped: notes may hold markup

PAGE_ROWS = 500

# (header, the sort key of db.event_log.SORTS, how a row shows it)
COLUMNS = (
    ("Date", "date", lambda r: date_label(r[Col.OCCURRED_ON], r[Col.DATE_PRECISION], r[Col.OCCURRED_UNTIL])),
    ("Type", "type", lambda r: " / ".join(p for p in (r[Col.EVENT_TYPE], r[Col.SUB_EVENT_TYPE]) if p)),
    ("Actors", "actors", lambda r: r[Col.ACTORS] or ""),
    ("Location", "location", lambda r: place_label(r[Col.LOCATION], r[Col.ADMIN1], r[Col.COUNTRY])),
    ("Fatalities", "fatalities", lambda r: "" if r[Col.FATALITIES] is None else f"{r[Col.FATALITIES]:,}"),
    ("Source", "source", lambda r: r[Col.SOURCE_NAME] or ""),
    ("Grade", "grade", lambda r: grade_label(r[Col.RELIABILITY], r[Col.CREDIBILITY])),
    ("Sources", "sources", lambda r: f"{r[Col.SOURCES]:,}"),  # events reporting its happening, itself too
    ("Obligations", "obligations", lambda r: r[Col.OBLIGATIONS] or ""),
    ("Notes", "notes", lambda r: (r[Col.NOTES] or "").replace("\n", " ")),
)
DATE, TYPE, ACTORS, LOCATION, FATALITIES, SOURCE, GRADE, SOURCES, OBLIGATIONS, NOTES = range(len(COLUMNS))
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_TOOLTIP_CHARS = 2_000
_TOP = QModelIndex()  # the invisible root, as a default argument
# Dragged rows carry their event ids (EVENT_MIME_TYPE, one a line); dropped on an obligation in the
# tree they link to it (gui/obligation_model.py).
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemNeverHasChildren
    | Qt.ItemFlag.ItemIsDragEnabled
)
_EDITOR_MAX_CHARS = 32_767  # QLineEdit's limit: longer notes are edited in the form
_EDITABLE_FLAGS = _ROW_FLAGS | Qt.ItemFlag.ItemIsEditable

# column → (the EventFields name db.events.edit_event changes, the row's value, the parser of typed text)
EDITABLE = {
    FATALITIES: ("fatalities", Col.FATALITIES, parse_fatalities),
    LOCATION: ("location", Col.LOCATION, parse_text),
    SOURCE: ("source_name", Col.SOURCE_NAME, required("name the source, e.g. Pajhwok Afghan News")),
    NOTES: ("notes", Col.NOTES, parse_text),
}


class EventLogModel(QAbstractTableModel):
    edit_requested = Signal(str, object)  # event id, {EventFields name: new value}
    edit_refused = Signal(str)  # one sentence: why the typed text cannot be saved
    reread_requested = Signal()  # sorted anew: read the first page again
    page_requested = Signal(int)  # the offset of the next page

    def __init__(self, parent=None):
        super().__init__(parent)
        self._filter = ALL_EVENTS
        self.editable = True  # False: the cells offer no editor (the view's agreement is read-only here)
        self._sort, self._descending = "date", False
        self._rows: list[tuple] = []
        self._total = 0
        self.generation = 0  # of the rows shown: a result for another one is stale
        self._paging = False  # a page is being read

    # --- what the model shows -------------------------------------------------------------

    @property
    def event_filter(self) -> EventFilter:
        return self._filter

    @property
    def total(self) -> int:
        """How many events the filter matches (the rows not fetched yet included)."""
        return self._total

    @property
    def sort_key(self) -> tuple[str, bool]:
        return self._sort, self._descending

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = COLUMNS[column][1]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reread_requested.emit()

    def begin_read(self) -> int:
        """A new read of the whole table starts: whatever is being read now is stale."""
        self.generation += 1
        self._paging = False
        return self.generation

    def show_result(self, generation: int, wanted: EventFilter, rows: list[tuple], total: int) -> bool:
        """Show what a read found, unless something newer asked the database since it started."""
        if generation != self.generation:
            return False
        self.beginResetModel()
        self._filter, self._rows, self._total = wanted, rows, total
        self.endResetModel()
        return True

    def add_page(self, generation: int, offset: int, rows: list[tuple]) -> None:
        if generation == self.generation and offset == len(self._rows):
            self._paging = False
            self._append(rows)

    def event_id(self, row: int) -> str | None:
        return self._rows[row][Col.ID] if 0 <= row < len(self._rows) else None

    def row_of(self, event_id: str) -> int:
        return next((n for n, row in enumerate(self._rows) if row[Col.ID] == event_id), -1)

    def raw_row(self, row: int) -> tuple:
        return self._rows[row]

    # --- QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = _TOP) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _TOP) -> None:
        if not self._paging and self.canFetchMore(parent):
            self._paging = True
            self.page_requested.emit(len(self._rows))

    def _append(self, more: list[tuple]) -> None:
        if more:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()
        else:
            self._total = len(self._rows)  # the record shrank meanwhile

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[index.column()][2](row)
        if role == Qt.ItemDataRole.EditRole:
            if index.column() in EDITABLE:
                value = row[EDITABLE[index.column()][1]]
                return "" if value is None else str(value)
            return COLUMNS[index.column()][2](row)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (NOTES, ACTORS, OBLIGATIONS, TYPE):
            text = COLUMNS[index.column()][2](row)
            if index.column() == NOTES:
                text = row[Col.NOTES] or ""
            return tooltip(text[:_TOOLTIP_CHARS]) if text else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (FATALITIES, SOURCES):
            return _ALIGN_RIGHT
        if role == Qt.ItemDataRole.UserRole:
            return row[Col.ID]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _EDITABLE_FLAGS if self._editable(index) else _ROW_FLAGS

    # --- dragging rows: their event ids travel ----------------------------------------------

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.LinkAction

    def mimeTypes(self) -> list[str]:
        return [EVENT_MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData | None:
        rows = sorted({i.row() for i in indexes if i.isValid() and 0 <= i.row() < len(self._rows)})
        if not rows:
            return None
        data = QMimeData()
        ids = "\n".join(self._rows[row][Col.ID] for row in rows)
        data.setData(EVENT_MIME_TYPE, QByteArray(ids.encode()))
        return data

    def _editable(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.editable or index.column() not in EDITABLE or not 0 <= index.row() < len(self._rows):
            return False
        if index.column() == NOTES:  # a one-line editor would flatten or cut longer notes
            notes = self._rows[index.row()][Col.NOTES] or ""
            return "\n" not in notes and len(notes) <= _EDITOR_MAX_CHARS
        return True

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Ask for the change (edit_requested) or refuse the text (edit_refused); the rows stay as they are."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self._editable(index):
            return False
        name, column, parse = EDITABLE[index.column()]
        try:
            parsed = parse("" if value is None else str(value))
        except ValueError as error:
            self.edit_refused.emit(sentence(str(error)))
            return False
        row = self._rows[index.row()]
        if parsed == row[column]:
            return False  # nothing changed: no command, no audit entry
        self.edit_requested.emit(row[Col.ID], {name: parsed})
        return True


@dataclass(frozen=True)
class LogResult:
    """What a LogRead found: rows from `offset` on, and, after a change of the record, its vocabulary."""

    generation: int
    wanted: EventFilter
    rows: list[tuple]
    total: int  # how many events the filter matches (-1 for a further page: not counted)
    offset: int = 0
    every: int = -1  # how many the agreement has, unfiltered (-1: not asked)
    types: list[str] | None = None  # the event types and actors' names to offer (None: not asked)
    actor_names: list[str] | None = None


@dataclass(frozen=True)
class LogRead:
    """What to read: rows from `offset` on; with `every` (the unfiltered filter) also what changes
    with the record rather than with the filter: the unfiltered count, the types, the actors' names."""

    generation: int
    wanted: EventFilter
    sort: tuple[str, bool]
    limit: int
    offset: int = 0
    every: EventFilter | None = None
    vocabulary: bool = True  # with `every`, also the types and names (they change with the record only)

    def __call__(self, store) -> LogResult:
        """Runs in a worker thread (gui/background.py), in its own short read transaction."""
        with store.reading() as session:
            total = count_events(session, self.wanted) if self.offset == 0 else -1
            rows = event_rows(session, self.wanted, *self.sort, limit=self.limit, offset=self.offset)
            found = LogResult(self.generation, self.wanted, rows, total, self.offset)
            if self.every is not None:
                every = total if self.every == self.wanted else count_events(session, self.every)
                found = replace(found, every=every)
            if self.every is not None and self.vocabulary:
                names = sorted({typed for typed, _name in actor_completions(session)}, key=str.casefold)
                found = replace(found, types=event_types(session), actor_names=names)
        return found
