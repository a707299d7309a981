"""Which events belong to an agreement's view: one rule (db.event_log.agreement_events) for the event log,
the CSV export and the PDF's chronology of all events."""

import io
from datetime import date

from sqlmodel import select

from db.event_export import write_events_csv
from db.event_log import EventFilter, count_events, event_rows
from db.event_rules import EventFields
from db.events import create_event
from db.models import Agreement, Obligation
from db.report_content import EVENTS_ALL, report_content


def _setup(store) -> tuple[str, dict[str, str]]:
    with store.writing("Set up") as session:
        doha = session.exec(select(Agreement.id)).one()
        other = Agreement(title="Another accord", short_title="Other")
        session.add(other)
        session.flush()
        clause = session.exec(select(Obligation.id).where(Obligation.agreement_id == doha)).first()

        def event(note: str, agreement: str | None, links=()) -> str:
            values = EventFields(occurred_on=date(2020, 3, 5), event_type="Statement", source_name="Test",
                                 notes=note, agreement_id=agreement, links=list(links))  # fmt: skip
            return create_event(session, values)

        made = {
            "under it": event("under it", doha),
            "under none": event("under none", None),
            "under the other, linked to it": event("linked", other.id, [(clause, "context")]),
            "under the other only": event("other only", other.id),
        }
    return doha, made


def test_one_rule_for_the_log_the_export_and_the_chronology(example_store):
    doha, made = _setup(example_store)
    expected = {made["under it"], made["under none"], made["under the other, linked to it"]}
    wanted = EventFilter(agreement_id=doha)
    with example_store.reading() as session:
        ours = {row[0] for row in event_rows(session, wanted)}
        assert expected <= ours and made["under the other only"] not in ours
        assert count_events(session, wanted) == len(ours)
        exported = io.StringIO()
        write_events_csv(session, exported, wanted)
        assert {line.split(",")[0].strip('"') for line in exported.getvalue().splitlines()[1:]} == ours
        chronology = list(report_content(session, doha, date(2030, 1, 1), events=EVENTS_ALL).chronology)
    notes = " ".join(entry.notes for entry in chronology)
    assert "under it" in notes and "under none" in notes and "linked" in notes
    assert "other only" not in notes
    assert len(chronology) == len(ours)  # every event of the example happened by then


def test_find_anything_follows_the_same_rule(example_store):
    """Issue 13: an event put under another agreement but linked to one of this one's obligations was not
    found from this agreement."""
    from db.search import search

    doha, made = _setup(example_store)
    cases = [("under it", "under it", True), ("under none", "under none", True),
             ("linked", "under the other, linked to it", True), ("other only", "under the other only", False)]  # fmt: skip
    with example_store.reading() as session:
        for words, which, found in cases:
            hits = {hit.record_id for hit in search(session, words, doha) if hit.kind == "event"}
            assert (made[which] in hits) is found, which
