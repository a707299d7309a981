import sqlite3
from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from db.models import Actor, Obligation
from db.report_content import EVENTS_ALL, EVENTS_LINKED, _span, fingerprint, report_content
from db.vocabulary import Status
from tests.reports import content_read


def _content(store, **kw):
    return content_read(store, None, date(2021, 9, 1), **kw)


def test_summary_counts_and_sentences(example_store):
    content = _content(example_store, since=date(2020, 9, 1))
    assert content.summary[0] == "As of 2021-09-01: 7 of 19 obligations met (4 late), 3 overdue, 9 unknown."
    assert any(
        s.startswith("P1-B (") and "four months after its deadline 2021-04-29" in s for s in content.summary
    )
    parties = dict(content.counts_by_party)
    assert parties["United States"][Status.OVERDUE] == 3
    assert [r.ref for r in content.rows][:3] == ["Intro", "Intro-3", "Intro-4"]
    assert {m.name for m in content.metrics} == {
        "US troops in Afghanistan", "Taliban prisoners released by the Afghan government",
        "Afghan government personnel released by the Taliban",
    }  # fmt: skip


def test_changes_since_a_date_carry_their_evidence(example_store):
    content = _content(example_store, since=date(2020, 9, 1))
    changes = {c.ref: c for c in content.changes}
    assert (changes["Intro-3"].before, changes["Intro-3"].after) == (Status.OVERDUE, Status.MET_LATE)
    assert changes["Intro-3"].evidence == ["2020-09-12 Intra-Afghan negotiations open in Doha (B2)"]
    assert "P3-1" not in changes  # met before and after
    assert all(
        date(2020, 9, 1) < date.fromisoformat(e.when[:10]) <= date(2021, 9, 1) for e in content.chronology
    )


def test_chronology_linked_or_all(example_store):
    linked = _content(example_store).chronology
    everything = _content(example_store, events=EVENTS_ALL).chronology
    assert len(everything) >= len(linked) > 10
    assert all(entry.obligations for entry in linked)


@pytest.mark.parametrize(
    ("days", "text"), [(1, "one day"), (12, "12 days"), (123, "four months"), (185, "six months")]
)


def test_spans(days, text):
    assert _span(days) == text


def test_fingerprint_follows_the_content(example_store):
    with example_store.reading() as session:
        first = fingerprint(session)
        assert fingerprint(session) == first
    with example_store.writing("Rename") as session:
        actor = session.exec(select(Actor).where(Actor.name == "Qatar")).one()
        actor.name = "State of Qatar"
    with example_store.reading() as session:
        assert fingerprint(session) != first


def test_the_figures_show_only_what_was_observed_by_the_as_of_date(example_store):
    with example_store.reading() as session:
        content = report_content(session, None, date(2020, 4, 10))
    observed = [o.on for series in content.metrics for o in series.observations]
    assert observed and max(observed) <= date(2020, 4, 10)
    troops = next(m for m in content.metrics if m.name == "US troops in Afghanistan")
    assert [t.on for t in troops.targets][-1] == date(2021, 4, 29)  # the agreed trajectory stays whole


def test_a_month_dated_event_waits_for_the_end_of_its_month(example_store):
    from db.event_rules import EventFields
    from db.events import create_event
    from db.tree import list_agreements

    with example_store.writing("Add event") as session:
        (agreement,) = list_agreements(session)
        april = EventFields(date(2020, 4, 1), "Statement", "UNAMA", date_precision="month", notes="April report")
        create_event(session, replace(april, agreement_id=agreement.id))
    for as_of, shown in ((date(2020, 4, 10), False), (date(2020, 4, 30), True)):
        content = content_read(example_store, None, as_of, events=EVENTS_ALL)
        assert any(e.notes == "April report" for e in content.chronology) is shown


def test_the_chronology_keeps_who_acted_on_whom(example_store):
    """ACLED's actor 1 (with its associates) comes before actor 2, whatever the names' order."""
    from db.event_rules import EventFields
    from db.events import create_event
    from db.models import EventActor

    with example_store.writing("Add event") as session:
        (obligation,) = session.exec(select(Obligation.id).where(Obligation.ref == "P1-C.1")).all()
        fields = EventFields(
            date(2021, 3, 1), "Battles", "Tolo News", actors=["Taliban", "Afghan National Army", "Haqqani Network"],
            notes="Clash at the checkpoint", links=[(obligation, "breach")],
        )  # fmt: skip
        event_id = create_event(session, fields)
        haqqani = session.exec(select(Actor.id).where(Actor.name == "Haqqani Network")).one()
        session.get(EventActor, (event_id, haqqani)).role = "assoc1"
    entry = next(e for e in _content(example_store).chronology if e.notes.endswith("Clash at the checkpoint"))
    assert entry.notes == "Taliban (with Haqqani Network) → Afghan National Army: Clash at the checkpoint"
    assert entry.obligations == "P1-C.1 (breach)"


def test_a_chronology_longer_than_sqlites_variable_limit(empty_store):
    """The chronology's rows are read in one query, not through a bound parameter per event: with SQLite
    allowed 100 variables a statement, a report of 300 events still comes out whole."""
    from db.agreement_document import parse_document
    from db.agreement_load import import_document
    from tests.synthetic import agreement_document

    with empty_store.writing("Import generated agreement") as session:
        agreement_id = import_document(session, parse_document(agreement_document(level_sizes=(3, 9), events=300)))
    for scope in (EVENTS_LINKED, EVENTS_ALL):
        with empty_store.reading() as session:
            driver = session.connection().connection.driver_connection
            if isinstance(driver, sqlite3.Connection):  # a server has no such limit: the report comes out whole there too
                driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)
            chronology = list(report_content(session, agreement_id, date(2023, 1, 1), events=scope).chronology)
        assert len(chronology) == 300
        assert all(e.obligations and e.notes.startswith("Party A → Party B: Clash ") for e in chronology)
        assert [e.when for e in chronology] == sorted(e.when for e in chronology)
