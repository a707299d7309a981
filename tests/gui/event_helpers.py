"""Events for the event log's tests: generated in one transaction through db/events.py, and read into
the event table model in the background as the view reads them."""

from datetime import date, timedelta

from db.event_log import ALL_EVENTS, EventFilter, count_events
from db.event_rules import EventFields
from db.events import create_event
from db.ids import new_id
from db.obligations import ObligationFields, add_obligation, create_agreement
from gui.background import Background
from gui.event_log_model import PAGE_ROWS, EventLogModel, LogRead


def make_events(store, count: int, note: str = "generated") -> None:
    with store.writing("Generate events") as session:
        for n in range(count):
            create_event(
                session,
                EventFields(
                    occurred_on=date(2021, 1, 1) + timedelta(days=n % 300),
                    event_type="Battles" if n % 2 else "Statement",
                    source_name=f"Source {n:04d}",
                    fatalities=n,
                    notes=f"{note} {n}",
                    reliability="ABCDEF"[n % 6],
                    credibility="123456"[n % 6],
                ),
            )


def events_in(store, wanted=None) -> int:
    with store.reading() as session:
        return count_events(session) if wanted is None else count_events(session, wanted)


class LogReader:
    """Answers an EventLogModel's asks as the event log view does: a LogRead in a worker thread
    (gui/background.py) for a new filter, a sort or the next page, its rows shown when they come.
    So the model's own tests read the way the window does, without the view."""

    def __init__(self, qtbot, model: EventLogModel, store):
        self.qtbot, self.model, self.store = qtbot, model, store
        self.background = Background(model)
        model.reread_requested.connect(lambda: self.read(model.event_filter))
        model.page_requested.connect(self._page)

    def read(self, wanted: EventFilter = ALL_EVENTS) -> None:
        """Read the filter's first page and wait until the model shows it."""
        read = LogRead(self.model.begin_read(), wanted, self.model.sort_key, PAGE_ROWS)
        self._run(read, lambda found: self.model.show_result(found.generation, found.wanted, found.rows, found.total))
        self.wait()

    def _page(self, offset: int) -> None:
        model = self.model
        read = LogRead(model.generation, model.event_filter, model.sort_key, PAGE_ROWS, offset)
        self._run(read, lambda found: model.add_page(found.generation, found.offset, found.rows))

    def _run(self, read: LogRead, done) -> None:
        store = self.store
        self.background.run(lambda: read(store), done, _raise)

    def wait(self) -> None:
        self.qtbot.waitUntil(lambda: not self.background.busy)


def _raise(error: BaseException) -> None:
    raise error  # in the UI thread: pytest-qt fails the test


def loaded_model(qtbot, store, wanted: EventFilter = ALL_EVENTS) -> EventLogModel:
    """An event table model showing the filter's first page, read in the background."""
    model = EventLogModel()
    model.reader = LogReader(qtbot, model, store)  # lives as long as the model
    model.reader.read(wanted)
    return model


DECLARATION = "US–Afghan joint declaration"


def add_joint_declaration(desk) -> tuple[str, str]:
    """The Joint Declaration signed in Kabul the same day as the Doha agreement, with one obligation on
    prisoners (as real events bear on both): returns the agreement's and the obligation's ids."""
    agreement_id, obligation_id = new_id(), new_id()
    with desk.store.writing("Add agreement") as session:
        create_agreement(session, "Joint Declaration between the Islamic Republic of Afghanistan and the United States",
                         DECLARATION, date(2020, 2, 29), "Kabul", agreement_id=agreement_id)  # fmt: skip
        add_obligation(session, agreement_id, None, 0, ObligationFields(
            "JD-1.2", "The Government will participate in a US-facilitated discussion on prisoner releases"
        ), obligation_id)  # fmt: skip
    desk.changed()
    return agreement_id, obligation_id
