"""Events for the event log's tests: generated in one transaction through db/events.py."""

from datetime import date, timedelta

from db.event_log import count_events
from db.event_rules import EventFields
from db.events import create_event


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
