"""A UCDP event's range (occurred_on..occurred_until) wherever the record shows an event's date (issue 12):
one label, db.event_rules.date_label, in the log's rows, the search hits, the duplicate question, the
report's evidence and chronology; the form's end of a range; and moving a ranged event's date."""

from datetime import date
from pathlib import Path

from sqlmodel import select

from db.duplicates import events_like
from db.event_import import import_events
from db.event_log import Col, EventFilter, event_rows
from db.event_rules import EventFields
from db.events import event_fields
from db.models import Agreement, Event, EventObligation, Obligation
from db.report_content import EVENTS_ALL
from db.search import search
from tests.reports import content_read

DATA = Path(__file__).parent.parent / "data"
RANGED = "ucdp-ged:330002"  # 2020-03-02 to 2020-03-06 (date_prec 2)


def _ucdp(store) -> dict[str, str]:
    import_events(store, DATA / "ucdp_ged_afghanistan.csv")
    with store.reading() as session:
        return dict(session.exec(select(Event.external_id, Event.id).where(Event.external_id.like("ucdp-ged:%"))).all())


def test_the_log_rows_carry_the_end_of_a_range(example_store):
    ids = _ucdp(example_store)
    with example_store.reading() as session:
        rows = {row[Col.ID]: row for row in event_rows(session, EventFilter(text="ucdp-ged:"))}
    assert (rows[ids[RANGED]][Col.OCCURRED_ON], rows[ids[RANGED]][Col.OCCURRED_UNTIL]) == ("2020-03-02", "2020-03-06")
    assert rows[ids["ucdp-ged:330001"]][Col.OCCURRED_UNTIL] is None  # one day


def test_a_search_hit_shows_the_range(example_store):
    ids = _ucdp(example_store)
    with example_store.reading() as session:
        hits = {hit.record_id: hit for hit in search(session, "Imam Sahib") if hit.kind == "event"}
    assert hits[ids[RANGED]].heading == "2020-03-02 to 2020-03-06 Imam Sahib town"
    assert hits[ids["ucdp-ged:330001"]].heading == "2020-03-04 Imam Sahib town"


def test_the_duplicate_question_names_the_range(example_store):
    """The day event of 2020-03-04 looks like the ranged one of the same place and notes (its days meet)."""
    ids = _ucdp(example_store)
    with example_store.reading() as session:
        day = event_fields(session, ids["ucdp-ged:330001"])
        like = {sketch.id: sketch for sketch in events_like(session, day, ids["ucdp-ged:330001"])}
    assert like[ids[RANGED]].label.startswith("2020-03-02 to 2020-03-06 Imam Sahib town, Kunduz province — ")


def _breach(store, event_id: str) -> str:
    """The event linked as a breach of P1-F (a prohibition): its status changes, with the event as evidence."""
    with store.writing("Link") as session:
        doha = session.exec(select(Agreement.id)).one()
        clause = session.exec(select(Obligation.id).where(Obligation.agreement_id == doha, Obligation.ref == "P1-F")).one()
        session.add(EventObligation(event_id=event_id, obligation_id=clause, bearing="breach"))
    return doha


def _evidence(store, doha: str, events: str = EVENTS_ALL):
    content = content_read(store, doha, date(2021, 1, 1), since=date(2020, 2, 29), events=events)
    evidence = [line for change in content.changes for line in change.evidence if "Taliban attack checkpoints" in line]
    return content, evidence


def test_the_report_shows_the_range_in_the_chronology_and_the_evidence(example_store):
    ids = _ucdp(example_store)
    content, evidence = _evidence(example_store, _breach(example_store, ids[RANGED]))
    whens = [entry.when for entry in content.chronology if "Taliban attack checkpoints" in entry.notes]
    assert "2020-03-02 to 2020-03-06" in whens and "2020-03-04" in whens
    assert evidence == ["2020-03-02 to 2020-03-06 Taliban attack checkpoints in Kunduz"]


def test_a_week_dated_event_is_shown_as_its_week_in_the_evidence(example_store):
    """The report's evidence wrote the first day alone, as if the event were dated to that day."""
    ids = _ucdp(example_store)
    with example_store.writing("Week") as session:
        session.get(Event, ids["ucdp-ged:330001"]).date_precision = "week"
    _content, evidence = _evidence(example_store, _breach(example_store, ids["ucdp-ged:330001"]))
    assert evidence == ["week of 2020-03-04 Taliban attack checkpoints in Kunduz"]


def test_fields_of_a_ranged_event_hold_its_end(example_store):
    ids = _ucdp(example_store)
    with example_store.reading() as session:
        fields = event_fields(session, ids[RANGED])
    assert (fields.occurred_on, fields.occurred_until) == (date(2020, 3, 2), date(2020, 3, 6))
    assert isinstance(fields, EventFields)
