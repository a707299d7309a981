"""The event log's reading: its table model, which never reads on the UI thread, and the reads
(LogRead, run in a worker thread by gui/background.py) that answer it with LogResults.

A page is chosen by ids first in SQL (db/event_log.py), so deep pages stay cheap; a result for an
older generation of the model (a newer filter, sort or edit) is dropped.
"""

from dataclasses import dataclass, replace

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal

from db.actors import actor_completions
from db.event_log import EventFilter, count_events, event_rows, event_types
from gui.event_table_model import EventTableModel

_TOP = QModelIndex()


class EventLogModel(EventTableModel):
    """The table model of the view, which never reads on the UI thread: a sort (reread_requested) or
    the next page (page_requested) is asked for, and the view's LogRead answers."""

    reread_requested = Signal()  # sorted anew: read the first page again
    page_requested = Signal(int)  # the offset of the next page
    generation = 0  # of the rows shown: a result for another one is stale
    _paging = False  # a page is being read

    def reload(self, keep: int = 0) -> None:
        self.reread_requested.emit()

    def begin_read(self) -> int:
        """A new read of the whole table starts: whatever is being read now is stale."""
        self.generation += 1
        self._paging = False
        return self.generation

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _TOP) -> None:
        if not self._paging and self.canFetchMore(parent):
            self._paging = True
            self.page_requested.emit(len(self._rows))

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

    def add_page(self, generation: int, offset: int, rows: list[tuple]) -> None:
        if generation == self.generation and offset == len(self._rows):
            self._paging = False
            self._append(rows)


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
