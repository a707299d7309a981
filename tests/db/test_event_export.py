"""The CSV export: quoting, text a spreadsheet must not run, atomic writing, and export then import restoring
the same events, whatever text they hold."""

import csv
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from db import event_export
from db.actors import actor_keys, find_or_create_actors
from db.errors import ExportCancelled, UserError
from db.event_csv import COLUMNS, protect, unprotect
from db.event_export import export_events
from db.event_import import import_events
from db.event_log import EventFilter
from db.event_rules import EventFields, check_actor_name
from db.events import create_event, event_actor_roles, event_fields
from db.models import Event, EventActor, Obligation
from db.same_happening import add_second_source
from db.store import Store
from db.vocabulary import EventRole

DATA = Path(__file__).parent.parent / "data"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2 killed", "'-2 killed"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'quoted", "''quoted"),
        ("Taliban", "Taliban"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_is_protected_and_given_back(text, written):
    assert protect(text) == written
    assert unprotect(protect(text)) == text


def _dump(store: Store, ids=None) -> list:
    """Every event's content as the form reads it, with each actor's role."""
    with store.reading() as session:
        ids = ids or sorted(session.exec(select(Event.id)).all())
        events = []
        for event_id in ids:
            roles = event_actor_roles(session, event_id)
            external_id = session.get(Event, event_id).external_id
            events.append((event_id, external_id, event_fields(session, event_id), roles))
    return events


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_file_is_quoted_utf8_with_protected_text_and_plain_numbers(example_store, tmp_path):
    with example_store.writing("Add event") as session:
        create_event(session, EventFields(
            date(2020, 4, 6), "=cmd|' /C calc'!A0", "@source", actors=["-Taliban"], notes="+ 1, \"quoted\"\r\nnext",
            latitude=-33.5, longitude=-70.25, fatalities=0,
        ))  # fmt: skip
    path = tmp_path / "events.csv"
    with example_store.reading() as session:
        assert export_events(session, path, EventFilter(text="quoted")) == 1
    raw = path.read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"id",') and raw.count(b"\r\n") == 3  # header, row, and the note's own
    header, row = _read(path)
    assert header == list(COLUMNS)
    cells = dict(zip(header, row, strict=True))
    assert cells["event_type"] == "'=cmd|' /C calc'!A0" and cells["source_name"] == "'@source"
    assert cells["actor1"] == "'-Taliban" and cells["notes"] == '\'+ 1, "quoted"\r\nnext'
    assert (cells["latitude"], cells["longitude"], cells["fatalities"]) == ("-33.5", "-70.25", "0")


def test_a_failed_export_leaves_the_old_file_and_no_part_file(example_store, tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "events.csv"
    path.write_text("the previous export")

    def broken(session, handle, wanted, progress):
        handle.write("half a row")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(event_export, "write_events_csv", broken)
    with (
        pytest.raises(UserError, match="cannot be written \\(No space left on device\\)"),
        example_store.reading() as s,
    ):
        export_events(s, path)
    assert path.read_text() == "the previous export"
    assert [p.name for p in path.parent.iterdir()] == ["events.csv"]


@pytest.mark.parametrize(("target", "message"), [("missing/x.csv", "does not exist"), (".", "is a folder")])
def test_export_to_a_place_that_cannot_take_it(example_store, tmp_path, target, message):
    with pytest.raises(UserError, match=message), example_store.reading() as session:
        export_events(session, tmp_path / target)


def test_acled_events_survive_export_and_import_into_another_copy(store_copy, tmp_path):
    source, target = store_copy("example", tmp_path, "source"), store_copy("example", tmp_path, "target")
    try:
        import_events(source, DATA / "acled_afghanistan.csv")
        import_events(source, DATA / "acled_afghanistan_pre2023.csv")
        with source.reading() as session:
            export_events(session, tmp_path / "all.csv")
        report = import_events(target, tmp_path / "all.csv")
        assert report.updated == [] and report.new_actors  # the example's own events are unchanged
        assert _dump(target) == _dump(source)
    finally:
        source.close()
        target.close()


# Hostile text the record holds (no NUL, no lone surrogate): formula starts, quotes, commas, line breaks, control characters, RTL and other scripts.
_START = st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "'", "'=", '"', " "])
_TEXT = st.builds(
    lambda start, body: start + body,
    _START,
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
    )  # db.values
    | st.sampled_from(["طالبان", 'מחבל, "ציטוט"', "Ташкент\r\nКабул", "a;b", "\u202eevil", "1,5"]),
)
_REQUIRED = _TEXT.filter(lambda text: text.strip())


def _a_name(text: str) -> bool:
    try:
        return bool(check_actor_name(text))
    except ValueError:
        return False


_NAME = _REQUIRED.filter(_a_name)  # what the record takes as one actor's name
_OPTIONAL = st.none() | _TEXT


@st.composite
def _events(draw, refs: list[str]):
    fields = EventFields(
        occurred_on=date(2019, 1, 1) + timedelta(days=draw(st.integers(0, 2000))),
        event_type=draw(_REQUIRED), source_name=draw(_REQUIRED),
        date_precision=draw(st.sampled_from(["day", "week", "month"])), sub_event_type=draw(_OPTIONAL),
        actors=draw(st.lists(_NAME | st.sampled_from(["Taliban", "USA", "ANDSF"]), max_size=3)),
        location=draw(_OPTIONAL), admin1=draw(_OPTIONAL), country=draw(_OPTIONAL),
        fatalities=draw(st.none() | st.integers(0, 10**6)), notes=draw(_OPTIONAL), source_reference=draw(_OPTIONAL),
        source_accessed_on=draw(st.none() | st.just(date(2024, 5, 1))),
        links=draw(st.lists(st.tuples(st.sampled_from(refs), st.sampled_from(["supports", "breach", "context"])),
                            max_size=2, unique_by=lambda link: link[0])),
    )  # fmt: skip
    if draw(st.booleans()):
        fields.latitude = draw(st.floats(-90, 90, allow_nan=False))
        fields.longitude = draw(st.floats(-180, 180, allow_nan=False))
    if draw(st.booleans()):
        fields.reliability, fields.credibility = (
            draw(st.sampled_from("ABCDEF")),
            draw(st.sampled_from("123456")),
        )
    return fields


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_export_then_import_restores_the_same_events(store_copy, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("round-trip")
    source, target = store_copy("example", folder, "source"), store_copy("example", folder, "target")
    try:
        with source.reading() as session:
            refs = sorted(session.exec(select(Obligation.id)).all())
        events = data.draw(st.lists(_events(refs), min_size=1, max_size=4))
        with source.writing("Add events") as session:
            ids = sorted(create_event(session, fields) for fields in events)
        with source.reading() as session:
            export_events(session, folder / "first.csv")
        import_events(target, folder / "first.csv")
        assert _dump(target, ids) == _dump(source, ids)
        with target.reading() as session:
            export_events(session, folder / "second.csv")
        assert (folder / "second.csv").read_bytes() == (folder / "first.csv").read_bytes()
    finally:
        source.close()
        target.close()


def test_rows_are_written_as_they_are_read_a_few_thousand_at_a_time(example_store, tmp_path, monkeypatch):
    """Streamed (issue 15): the actors and links of each few thousand events are read for them; the file
    is the same whatever the number."""
    import_events(example_store, DATA / "acled_afghanistan.csv")
    with example_store.reading() as session:
        export_events(session, tmp_path / "at-once.csv")
        monkeypatch.setattr(event_export, "_ROWS_AT_ONCE", 2)
        told = []
        count = export_events(session, tmp_path / "by-two.csv", progress=told.append)
    assert (tmp_path / "by-two.csv").read_bytes() == (tmp_path / "at-once.csv").read_bytes()
    assert told == list(range(2, count, 2)) + [count] and count > 20


def test_a_cancelled_export_leaves_no_file(example_store, tmp_path, monkeypatch):
    monkeypatch.setattr(event_export, "_ROWS_AT_ONCE", 2)
    (tmp_path / "out").mkdir()
    with pytest.raises(ExportCancelled, match="no file was written"), example_store.reading() as session:
        export_events(session, tmp_path / "out" / "events.csv", progress=lambda done: done < 4)
    assert list((tmp_path / "out").iterdir()) == []


def test_every_cell_comes_from_one_statement_however_many_events(example_store, tmp_path):
    """Issue 15: the export streams one SELECT (actors and links in correlated subqueries) into csv.writer;
    it collects nothing per event first, so its statements do not grow with the events."""
    from sqlalchemy import event

    import_events(example_store, DATA / "acled_afghanistan.csv")
    statements = []

    def note(_connection, _cursor, statement, *_rest):
        statements.append(statement)

    with example_store.reading() as session:
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", note)
        try:
            count = export_events(session, tmp_path / "events.csv")
        finally:
            event.remove(engine, "before_cursor_execute", note)
    assert count > 20 and len([s for s in statements if s.startswith("SELECT")]) == 1


def test_the_links_are_listed_in_clause_order_and_the_actors_by_role(example_store, tmp_path):
    with example_store.writing("Add event") as session:
        obligations = session.exec(select(Obligation).order_by(Obligation.ref.desc())).all()[:2]
        create_event(session, EventFields(
            date(2020, 4, 6), "Battles", "Tolo News", actors=["Zeta group", "Alpha group"],
            links=[(obligations[0].id, "context"), (obligations[1].id, "breach")],
        ))  # fmt: skip
    with example_store.reading() as session:
        export_events(session, tmp_path / "events.csv", EventFilter(text="Tolo"))
    header, row = _read(tmp_path / "events.csv")
    cells = dict(zip(header, row, strict=True))
    refs = sorted(o.ref for o in obligations)
    bearing = {obligations[0].ref: "context", obligations[1].ref: "breach"}
    assert cells["links"] == "; ".join(f"{ref} ({bearing[ref]})" for ref in refs)
    assert (cells["actor1"], cells["actor2"]) == ("Zeta group", "Alpha group")


def test_names_are_in_order_within_a_role_whatever_characters_they_hold(example_store, tmp_path):
    """The export joins a role's names in SQL without ordering them and sorts them after; names holding the
    characters it joins them with, or the list's own "; ", are read apart, not split wrongly."""
    names = ["Zeta group", "alpha\x1fomega", "Alpha; Beta", "-Mob", "Beta"]
    with example_store.writing("Add event") as session:
        create_event(session, EventFields(date(2020, 4, 6), "Battles", "Tolo News", actors=["Gamma"]))
        event_id = create_event(
            session, EventFields(date(2020, 4, 7), "Battles", "Tolo News", actors=["First"])
        )
        roster = {name: find_or_create_actors(session, [name], actor_keys(session))[0] for name in names}
        for name in names:
            session.add(EventActor(event_id=event_id, actor_id=roster[name], role=EventRole.ASSOC1))
    with example_store.reading() as session:
        export_events(session, tmp_path / "events.csv", EventFilter(text="Tolo"))
    header, *rows = _read(tmp_path / "events.csv")
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(c["actor1"], c["assoc_actor_1"]) for c in cells] == [
        ("Gamma", ""),
        ("First", "'" + "; ".join(sorted(names))),  # "-Mob" first: protected
    ]


def test_links_are_in_clause_order_whatever_characters_the_clauses_hold(example_store, tmp_path):
    with example_store.writing("Add event") as session:
        obligations = session.exec(select(Obligation).order_by(Obligation.ref)).all()[:3]
        for obligation, ref in zip(obligations, ["B\x1eone", "A\x1ftwo", "=C"], strict=True):
            obligation.ref = ref
        create_event(session, EventFields(
            date(2020, 4, 6), "Battles", "Tolo News", links=[(o.id, "context") for o in obligations],
        ))  # fmt: skip
    with example_store.reading() as session:
        export_events(session, tmp_path / "events.csv", EventFilter(text="Tolo"))
    header, row = _read(tmp_path / "events.csv")
    assert (
        dict(zip(header, row, strict=True))["links"]
        == "'=C (context); A\x1ftwo (context); B\x1eone (context)"
    )


def test_a_happenings_sources_stay_one_happening_through_export_and_import(store_copy, tmp_path):
    """Issue 13: the events an officer marked as the same happening are still so in the copy an export
    is imported into, and exporting the copy gives the same file."""
    source, target = store_copy("example", tmp_path, "source"), store_copy("example", tmp_path, "target")
    second = str(uuid.uuid4())
    try:
        with source.writing("Add a second source") as session:
            first = create_event(session, EventFields(date(2020, 4, 6), "Battles", "Tolo News"))
            add_second_source(session, EventFields(date(2020, 4, 6), "Battles", "Pajhwok"), first, second)
        with source.reading() as session:
            export_events(session, tmp_path / "first.csv")
        header, *rows = _read(tmp_path / "first.csv")
        happening = {row[0]: dict(zip(header, row, strict=True))["same_happening_as"] for row in rows}
        assert (happening[first], happening[second]) == ("", first)
        import_events(target, tmp_path / "first.csv")
        with target.reading() as session:
            assert session.get(Event, second).same_happening_as == first
            assert session.get(Event, first).same_happening_as is None
            export_events(session, tmp_path / "second.csv")
        assert (tmp_path / "second.csv").read_bytes() == (tmp_path / "first.csv").read_bytes()
        with (tmp_path / "older.csv").open(
            "w", encoding="utf-8", newline=""
        ) as handle:  # made before the column
            csv.writer(handle).writerows(row[:-1] for row in [header, *rows])
        assert len(import_events(target, tmp_path / "older.csv").unchanged) == len(rows)
        with target.reading() as session:
            assert session.get(Event, second).same_happening_as == first
    finally:
        source.close()
        target.close()


@pytest.mark.sqlite_file("SQLite's page cache")
def test_the_export_sorts_in_a_smaller_cache_and_gives_the_stores_back(example_store, tmp_path, monkeypatch):
    """Issue 15: SQLite's sorter holds as many rows in memory as its page cache could hold pages, and the
    export sorts every event; it runs with a smaller cache, and the store's connection gets its own back
    however the export ends."""
    monkeypatch.setattr(event_export, "_ROWS_AT_ONCE", 2)
    seen = []
    with example_store.reading() as session:
        cache = session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one()

        def progress(done):
            seen.append(session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one())
            return done < 4

        with pytest.raises(ExportCancelled):
            export_events(session, tmp_path / "events.csv", progress=progress)
        export_events(session, tmp_path / "events.csv")
        assert session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one() == cache
    assert seen == [event_export.SORTING_CACHE_SIZE] * 2 and cache != event_export.SORTING_CACHE_SIZE
