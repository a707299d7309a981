"""The event log's rows: plain tuples, every filter, every sort, pages, and the indexes they use."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from db.actors import find_actor
from db.event_import import import_events
from db.event_log import (
    SORTS,
    Col,
    EventFilter,
    count_events,
    event_rows,
    event_rows_by_id,
    event_types,
    find_obligations,
)
from db.event_rules import EVENT_TYPES
from db.models import Agreement, Event

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def log(example_store):
    import_events(example_store, DATA / "acled_afghanistan.csv")
    return example_store


def _keys(store, wanted, **options):
    with store.reading() as session:
        rows = event_rows(session, wanted, **options)
        assert count_events(session, wanted) == len(rows)
    return rows


def _external(store, wanted):
    return sorted(row[Col.EXTERNAL_ID] for row in _keys(store, wanted) if row[Col.EXTERNAL_ID])


def test_rows_are_plain_tuples_with_display_values(log):
    rows = _keys(log, EventFilter(text="AFG40006"))
    (row,) = rows
    assert type(row) is tuple and len(row) == len(Col)
    assert all(value is None or type(value) in (str, int, float) for value in row)
    assert row[Col.OCCURRED_ON] == "2020-04-15" and row[Col.DATE_PRECISION] == "month"
    # soldiers and police: each itself (both count as the Afghan government for the agreement, db.parties)
    assert row[Col.ACTORS] == "Taliban; Military Forces of Afghanistan (2014-2021); Police Forces of Afghanistan (2014-2021)"
    assert (row[Col.LOCATION], row[Col.ADMIN1], row[Col.FATALITIES]) == ("Jurm", "Badakhshan", 12)


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (EventFilter(text="gereshk"), ["AFG40001"]),  # any case
        (
            EventFilter(text="Police Forces of Afghanistan"),
            ["AFG40006"],
        ),  # ACLED's police, an actor of their own
        (EventFilter(text="Women (Afghanistan)"), ["AFG40003"]),
        (EventFilter(text="Xinhua"), ["AFG40002"]),
        (EventFilter(text="100%"), []),  # % and _ are not wildcards
        (
            EventFilter(date_from=date(2020, 4, 8), date_to=date(2020, 4, 15)),
            ["AFG40004", "AFG40005", "AFG40006"],
        ),
        (EventFilter(event_type="Battles", date_to=date(2020, 3, 31)), ["AFG40001"]),
        (EventFilter(event_type="Protests"), ["AFG40005"]),
    ],
)
def test_filters(log, wanted, expected):
    assert _external(log, wanted) == expected


def test_actor_obligation_grade_and_agreement_filters(log):
    with log.reading() as session:
        taliban = find_actor(session, "Taliban")
        agreement_id = session.exec(select(Agreement.id)).one()
        p1c1 = find_obligations(session, "P1-C.1")
    assert _external(log, EventFilter(actor_id=taliban)) == ["AFG40001", "AFG40002", "AFG40006"]
    linked = _keys(log, EventFilter(obligation_ids=tuple(p1c1)))
    assert linked and all("P1-C.1 (" in row[Col.OBLIGATIONS] for row in linked)
    graded = _keys(log, EventFilter(reliability="C", credibility="3"))
    assert graded and {(row[Col.RELIABILITY], row[Col.CREDIBILITY]) for row in graded} == {("C", "3")}
    assert len(_keys(log, EventFilter(credibility="3"))) == len(graded)
    everything = _keys(log, EventFilter())
    assert len(_keys(log, EventFilter(agreement_id=agreement_id))) == len(
        everything
    )  # ACLED's belong to none
    assert _keys(log, EventFilter(agreement_id="elsewhere")) == [r for r in everything if r[Col.EXTERNAL_ID]]


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_is_total_and_pages_agree(log, sort):
    full = _keys(log, EventFilter(), sort=sort)
    backwards = _keys(log, EventFilter(), sort=sort, descending=True)
    assert backwards == full[::-1]
    with log.reading() as session:
        pages = [
            event_rows(session, EventFilter(), sort=sort, limit=7, offset=start)
            for start in range(0, len(full), 7)
        ]
    assert [row for page in pages for row in page] == full


@pytest.mark.parametrize(
    "wanted",
    [
        EventFilter(text="Afghan"),
        EventFilter(event_type="Battles", date_from=date(2020, 3, 1)),
        EventFilter(credibility="3"),
        EventFilter(text="a", agreement_id="elsewhere"),
    ],
)
@pytest.mark.parametrize(("sort", "descending"), [("date", False), ("actors", True), ("obligations", False)])
def test_pages_of_a_filtered_log_are_its_rows_in_order(log, wanted, sort, descending):
    """A page holds the filter's rows only (it is applied to the page's ids), with every column, in order."""
    full = _keys(log, wanted, sort=sort, descending=descending)
    assert 1 < len(full) < len(_keys(log, EventFilter()))
    with log.reading() as session:
        pages = [
            event_rows(session, wanted, sort=sort, descending=descending, limit=2, offset=start)
            for start in range(0, len(full) + 2, 2)
        ]
    assert [row for page in pages for row in page] == full and pages[-1] == []


def test_date_sort_orders_by_date(log):
    dates = [row[Col.OCCURRED_ON] for row in _keys(log, EventFilter(), sort="date")]
    assert dates == sorted(dates)
    with pytest.raises(ValueError, match="unknown sort"):
        _keys(log, EventFilter(), sort="colour")


def test_rows_by_id_and_event_types(log):
    with log.reading() as session:
        ids = list(session.exec(select(Event.id).limit(3)))
        assert sorted(row[Col.ID] for row in event_rows_by_id(session, [*ids, "gone"])) == sorted(ids)
        types = event_types(session)
    assert types[: len(EVENT_TYPES)] == list(EVENT_TYPES)


@pytest.mark.sqlite_file("SQLite's query planner; a server plans by its own statistics")
@pytest.mark.parametrize(
    ("wanted", "index"),
    [
        (EventFilter(event_type="Battles", date_from=date(2020, 3, 1)), "ix_event_type_occurred_on"),
        (EventFilter(reliability="B", credibility="2"), "ix_event_grade_occurred_on"),
        (EventFilter(date_from=date(2020, 3, 1), date_to=date(2020, 3, 31)), "ix_event_occurred_on"),
    ],
)
def test_filters_use_their_indexes(log, wanted, index):
    from sqlalchemy import func

    from db.event_log import conditions

    query = select(func.count()).select_from(Event).where(*conditions(wanted))
    with log.reading() as session:
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = " ".join(
            row[-1] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        )
    assert index in plan
