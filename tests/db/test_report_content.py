from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from db.models import Actor
from db.report_content import EVENTS_ALL, _span, fingerprint, report_content
from db.vocabulary import Status


def _content(store, **kw):
    with store.reading() as session:
        return report_content(session, None, date(2021, 9, 1), **kw)


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
        with example_store.reading() as session:
            content = report_content(session, None, as_of, events=EVENTS_ALL)
        assert any(e.notes == "April report" for e in content.chronology) is shown
