from datetime import date

import pytest
from sqlmodel import select

from db.errors import RecordError
from db.metrics import (
    ObservationFields,
    TargetFields,
    add_observation,
    add_target,
    delete_point,
    list_metrics,
    metric_series,
    observation_fields,
    target_fields,
    update_observation,
    update_target,
)
from db.models import AuditEntry, Observation
from db.plot_data import observed_as_of, plot_data
from db.tree import list_agreements


@pytest.fixture
def troops_id(example_store):
    with example_store.reading() as session:
        (agreement,) = list_agreements(session)
        return next(m.id for m in list_metrics(session, agreement.id) if m.name == "US troops in Afghanistan")


def test_series_of_the_example(example_store, troops_id):
    with example_store.reading() as session:
        series = metric_series(session, troops_id)
    assert [(t.on.isoformat(), t.value, t.clause) for t in series.targets] == [
        ("2020-02-29", 13000, "P1-A.1"),
        ("2020-07-13", 8600, "P1-A.1"),
        ("2021-04-29", 0, "P1-B"),
    ]
    assert [(d.on.isoformat(), d.clause) for d in series.deadlines] == [
        ("2020-07-13", "P1-A.1"),
        ("2021-04-29", "P1-B"),
    ]
    assert series.observations[-1].on == date(2021, 8, 30) and series.observations[-1].value == 0
    assert observed_as_of(series, date(2020, 7, 1)) == 8500
    assert observed_as_of(series, date(2020, 2, 1)) is None
    data = plot_data(series)
    assert set(data.claims) == {"United States", "Press reports"}


def test_points_are_added_edited_and_deleted_with_audit(example_store, troops_id):
    with example_store.writing("Add observation") as session:
        new = add_observation(
            session,
            troops_id,
            ObservationFields(date(2020, 9, 1), 8000, claimant_id=None, source="Press"),
            "obs-1",
        )
        target = add_target(session, troops_id, TargetFields(date(2020, 10, 1), 5000, note="interim"))
    with example_store.writing("Edit observation") as session:
        fields = observation_fields(session, new)
        fields.value = 7900
        fields.qualifier = "about"
        update_observation(session, new, fields)
        moved = target_fields(session, target)
        moved.value = 4800
        update_target(session, target, moved)
    with example_store.reading() as session:
        assert session.get(Observation, "obs-1").value == 7900
        assert 4800 in [t.value for t in metric_series(session, troops_id).targets]
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.row_id == "obs-1").order_by(AuditEntry.id)
        ).all()
    assert actions == ["Add observation", "Edit observation"]
    with pytest.raises(RecordError, match="not a qualifier"), example_store.writing("Edit") as session:
        add_observation(session, troops_id, ObservationFields(date(2020, 9, 1), 1, qualifier="roughly"))
    with example_store.writing("Delete observation") as session:
        delete_point(session, "observation", "obs-1")
    with example_store.reading() as session:
        assert session.get(Observation, "obs-1") is None
