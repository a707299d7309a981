"""Services behind the event log's undo commands: each change, its undo, and what the audit trail keeps."""

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from db.actors import actor_completions, find_actor, find_or_create_actors
from db.errors import RecordError
from db.event_rules import EventFields, MetricFigure
from db.events import (
    create_event,
    delete_event,
    duplicate_event,
    edit_event,
    event_fields,
    link_obligation,
    restore_event,
    unlink_obligation,
    update_event,
)
from db.ids import new_id
from db.models import (
    Actor,
    AuditEntry,
    Event,
    EventActor,
    EventObligation,
    Metric,
    Obligation,
    Observation,
)


@pytest.fixture
def record(example_store):
    with example_store.reading() as session:
        refs = dict(session.exec(select(Obligation.ref, Obligation.id)).all())
        metrics = dict(session.exec(select(Metric.name, Metric.id)).all())
    return example_store, refs, metrics


def _release(refs, metrics, **changes) -> EventFields:
    fields = EventFields(
        occurred_on=date(2020, 4, 8), event_type="Prisoner release", source_name="Tolo News",
        actors=["ANDSF", "Taliban"], location="Bagram", admin1="Parwan",
        country="Afghanistan", fatalities=0, notes="100 Taliban prisoners released from Bagram",
        reliability="B", credibility="2", links=[(refs["P1-C.1"], "supports")],
        figure=MetricFigure(metrics["Taliban prisoners released by the Afghan government"], 100.0),
    )  # fmt: skip
    return replace(fields, **changes)


def _add(store, fields: EventFields) -> str:
    with store.writing("Add event") as session:
        return create_event(session, fields)


def _snapshot(store, event_id):
    with store.reading() as session:
        return event_fields(session, event_id)


def _audit(store, action):
    with store.reading() as session:
        return session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()


def test_create_maps_aliases_links_and_keeps_the_figure_as_an_observation(record):
    store, refs, metrics = record
    event_id = new_id()
    with store.writing("Add event") as session:
        assert create_event(session, _release(refs, metrics), event_id) == event_id
    fields = _snapshot(store, event_id)
    assert fields.actors == ["Afghan government", "Taliban"]  # ANDSF is an alias of the government
    assert fields.links == [(refs["P1-C.1"], "supports")]
    assert fields.figure.value == 100.0 and fields.figure.claimant == "Afghan government"
    with store.reading() as session:
        observation = session.get(Observation, fields.figure.observation_id)
        event = session.get(Event, event_id)
    assert (observation.event_id, observation.observed_on, observation.source) == (
        event_id,
        date(2020, 4, 8),
        "Tolo News",
    )
    assert (event.origin, event.recorded_by) == ("typed", "tester")
    tables = {entry.table_name for entry in _audit(store, "Add event")}
    assert tables == {"event", "eventactor", "eventobligation", "observation"}


def test_invalid_fields_are_refused_and_nothing_is_written(record):
    store, refs, metrics = record
    with store.reading() as session:
        before = len(session.exec(select(Event.id)).all())
    with pytest.raises(RecordError, match="Name the source"), store.writing("Add event") as session:
        create_event(session, _release(refs, metrics, source_name=" "))
    with pytest.raises(RecordError, match="no longer in the record"), store.writing("Add event") as session:
        create_event(session, _release(refs, metrics, links=[(new_id(), "breach")]))
    with store.reading() as session:
        assert len(session.exec(select(Event.id)).all()) == before


def test_new_actor_names_become_actors_and_stay_known(record):
    store, refs, metrics = record
    with store.writing("Add event") as session:
        event_id = create_event(
            session, _release(refs, metrics, actors=["Haqqani Network", "taliban"], figure=None)
        )
    with store.reading() as session:
        haqqani = find_actor(session, "HAQQANI NETWORK")
        assert haqqani is not None
        assert find_actor(session, "Islamic Emirate of Afghanistan") == find_actor(session, "Taliban")
        assert ("Islamic Emirate of Afghanistan", "Taliban") in actor_completions(session)
        roles = dict(
            session.exec(
                select(EventActor.actor_id, EventActor.role).where(EventActor.event_id == event_id)
            ).all()
        )
    assert roles[haqqani] == "actor1"
    with store.writing("Add actors") as session:
        assert find_or_create_actors(session, ["Haqqani Network"]) == [haqqani]


def test_update_and_its_undo_by_the_previous_fields(record):
    store, refs, metrics = record
    event_id = _add(store, _release(refs, metrics))
    before = _snapshot(store, event_id)
    changed = replace(
        before, fatalities=2, actors=["Taliban", "Qatar"], links=[(refs["P1-C.1"], "breach"), (refs["P1-C.2"], "context")],
        figure=replace(before.figure, value=90.0, qualifier="about"),
    )  # fmt: skip
    with store.writing("Edit event") as session:
        update_event(session, event_id, changed)
    after = _snapshot(store, event_id)
    assert after.fatalities == 2 and after.actors == ["Taliban", "Qatar"]
    assert sorted(after.links) == sorted([(refs["P1-C.1"], "breach"), (refs["P1-C.2"], "context")])
    assert (after.figure.value, after.figure.observation_id) == (90.0, before.figure.observation_id)
    with store.writing("Undo edit event") as session:
        update_event(session, event_id, before)
    assert _snapshot(store, event_id) == before


def test_inline_edit_returns_what_undo_needs(record):
    store, refs, metrics = record
    event_id = _add(store, _release(refs, metrics))
    with store.writing("Edit notes") as session:
        previous = edit_event(session, event_id, {"notes": "=1+1 is text", "occurred_on": date(2020, 4, 9)})
    assert previous == {
        "notes": "100 Taliban prisoners released from Bagram",
        "occurred_on": date(2020, 4, 8),
    }
    fields = _snapshot(store, event_id)
    assert fields.notes == "=1+1 is text"
    with store.reading() as session:
        assert session.get(Observation, fields.figure.observation_id).observed_on == date(2020, 4, 9)
    (entry,) = [e for e in _audit(store, "Edit notes") if e.table_name == "event"]
    assert json.loads(entry.before)["notes"] == "100 Taliban prisoners released from Bagram"
    with store.writing("Undo edit notes") as session:
        edit_event(session, event_id, previous)
    assert _snapshot(store, event_id).notes == "100 Taliban prisoners released from Bagram"
    with pytest.raises(RecordError, match="not a latitude"), store.writing("Edit latitude") as session:
        edit_event(session, event_id, {"latitude": 123.0, "longitude": 1.0})


def test_delete_and_restore_bring_back_everything(record):
    store, refs, metrics = record
    event_id = _add(store, _release(refs, metrics))
    before = _snapshot(store, event_id)
    with store.writing("Delete event") as session:
        deleted = delete_event(session, event_id)
    with store.reading() as session:
        assert session.get(Event, event_id) is None
        assert session.get(Observation, before.figure.observation_id) is None
        assert session.exec(select(EventObligation).where(EventObligation.event_id == event_id)).all() == []
    with store.writing("Undo delete event") as session:
        restore_event(session, deleted)
    assert _snapshot(store, event_id) == before
    assert {e.operation for e in _audit(store, "Delete event")} == {"delete"}


def test_duplicate_copies_the_content_without_figure_or_external_id(record):
    store, refs, metrics = record
    event_id = _add(store, _release(refs, metrics))
    with store.writing("Set external id") as session:
        session.get(Event, event_id).external_id = "AFG1"
    copy_id = new_id()
    with store.writing("Duplicate event") as session:
        assert duplicate_event(session, event_id, copy_id) == copy_id
    original, copy = _snapshot(store, event_id), _snapshot(store, copy_id)
    assert replace(copy, figure=original.figure) == original and copy.figure is None
    with store.reading() as session:
        assert session.get(Event, copy_id).external_id is None


def test_link_and_unlink_report_the_previous_bearing(record):
    store, refs, metrics = record
    with store.writing("Add event") as session:
        event_id = create_event(session, _release(refs, metrics, links=[]))
    obligation = refs["P3-2"]
    with store.writing("Link") as session:
        assert link_obligation(session, event_id, obligation, "breach") is None
    with store.writing("Re-bear") as session:
        assert link_obligation(session, event_id, obligation, "context") == "breach"
    with store.writing("Unlink") as session:
        assert unlink_obligation(session, event_id, obligation) == "context"
    with store.writing("Unlink again") as session:
        assert unlink_obligation(session, event_id, obligation) is None
    assert _snapshot(store, event_id).links == []
    with pytest.raises(RecordError, match="not a bearing"), store.writing("Link") as session:
        link_obligation(session, event_id, obligation, "violates")
    with pytest.raises(RecordError, match="no longer in the record"), store.writing("Link") as session:
        link_obligation(session, new_id(), obligation, "breach")


def test_a_missing_metric_or_event_is_a_clear_refusal(record):
    store, refs, metrics = record
    with pytest.raises(RecordError, match="metric is no longer"), store.writing("Add event") as session:
        create_event(session, _release(refs, metrics, figure=MetricFigure(new_id(), 5.0)))
    with pytest.raises(RecordError, match="event is no longer"), store.reading() as session:
        event_fields(session, new_id())
    with store.reading() as session:
        assert session.exec(select(Actor).where(Actor.name == "ghost")).first() is None
