"""Issue 13: the import's check lists likely duplicates of events already in the record apart from the new
events (db.duplicates.rows_like_record, through the indexes on place and date)."""

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from db.duplicates import rows_like_record
from db.event_file import read_event_file
from db.event_import import import_events
from db.event_layouts import ACLED_COLUMNS
from db.models import Event

AMBUSH = "2020-04-07 Sholgara, Balkh — Ambush of security forces in Sholgara, Balkh (attackers not named in the referen…"


def _row(key: str, on: str, location: str, admin1: str, notes: str, sub: str = "Armed clash") -> dict[str, str]:
    return {
        "event_id_cnty": key, "event_date": on, "year": on[:4], "time_precision": "1",
        "disorder_type": "Political violence", "event_type": "Battles", "sub_event_type": sub,
        "actor1": "Unidentified Armed Group (Afghanistan)", "actor2": "Police Forces of Afghanistan (2014-2021)",
        "inter1": "Rebel group", "inter2": "State forces", "iso": "4", "region": "Caucasus and Central Asia",
        "country": "Afghanistan", "admin1": admin1, "location": location, "latitude": "36.3", "longitude": "66.8",
        "geo_precision": "1", "source": "Pajhwok Afghan News", "source_scale": "National", "notes": notes,
        "fatalities": "3", "timestamp": "1586217600",
    }  # fmt: skip


def _file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "acled_april.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ACLED_COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


ROWS = [
    # the example's ambush, in ACLED's words and capitals: a likely duplicate
    _row("AFG50001", "2020-04-07", "SHOLGARA", "Balkh",
         "On 7 April 2020, an unidentified armed group ambushed security forces in Sholgara (Balkh); attackers not named."),
    # the same day and place, another happening: new
    _row("AFG50002", "2020-04-07", "Sholgara", "Balkh", "Police defuse a roadside bomb near the district centre.",
         "Remote explosive/landmine/IED"),
    # the ambush's words elsewhere: new
    _row("AFG50003", "2020-04-07", "Gereshk", "Helmand",
         "On 7 April 2020, an unidentified armed group ambushed security forces in Sholgara (Balkh); attackers not named."),
]  # fmt: skip


def test_the_check_lists_the_likely_duplicate_apart_from_the_new(example_store, tmp_path):
    path = _file(tmp_path, ROWS)
    report = import_events(example_store, path, dry_run=True)
    assert report.added == ["AFG50001", "AFG50002", "AFG50003"]
    assert report.likely_duplicates == [("AFG50001", AMBUSH)]
    lines = report.lines()
    at = lines.index("Of the events to add, 2 new events and 1 likely duplicate of events already in the record:")
    assert lines[at + 1] == f"  AFG50001 looks like {AMBUSH}"
    # the import itself says the same, and adds them all: the officer decides in the log
    report = import_events(example_store, path)
    assert report.likely_duplicates == [("AFG50001", AMBUSH)]
    assert "Of the events added, 2 new events and 1 likely duplicate" in "\n".join(report.lines())
    with example_store.reading() as session:
        assert len(session.exec(select(Event.id).where(Event.external_id.is_not(None))).all()) == 3


def test_rows_are_checked_against_the_record_not_each_other(example_store, tmp_path):
    file = read_event_file(_file(tmp_path, ROWS[1:] * 1))
    with example_store.reading() as session:
        (chunk,) = file.chunks()
        assert rows_like_record(session, chunk, chunk.rows) == {}


def test_a_streamed_import_checks_each_chunk_against_the_record_as_it_was(example_store, tmp_path, monkeypatch):
    """The rows an import wrote from its earlier chunks are not the record its later chunks are checked against."""
    from db import event_file, event_import

    path = _file(tmp_path, [ROWS[1], {**ROWS[1], "event_id_cnty": "AFG59999"}])  # alike, not in the record
    whole = import_events(example_store, path, dry_run=True).likely_duplicates
    for module in (event_file, event_import):
        monkeypatch.setattr(module, "CHUNK_ROWS", 1)
    assert import_events(example_store, path).likely_duplicates == whole


def test_a_week_dated_row_meets_the_day_in_its_week(example_store, tmp_path):
    week = {**ROWS[0], "event_date": "2020-04-09", "time_precision": "2"}  # 6–12 April
    month = {**ROWS[0], "event_id_cnty": "AFG50004", "event_date": "2020-05-07", "time_precision": "3"}
    file = read_event_file(_file(tmp_path, [week, month]))
    with example_store.reading() as session:
        found = rows_like_record(session, next(file.chunks()), [0, 1])
    assert list(found) == [0] and found[0].label == AMBUSH


def test_an_event_the_import_updates_is_still_the_record_its_later_chunks_are_checked_against(
    example_store, tmp_path, monkeypatch
):
    """The record as it was includes the events the import updates: a later row like one of them is a likely
    duplicate in the import as in its dry run, however the file falls into chunks."""
    from db import event_file, event_import

    first = _row("AFG60001", "2020-05-02", "Gereshk", "Helmand", "Police posts attacked near Gereshk; two policemen killed.")
    import_events(example_store, _file(tmp_path, [first]))
    later = tmp_path / "later"
    later.mkdir()
    path = _file(later, [
        {**first, "fatalities": "2"},  # the same event, updated
        {**first, "event_id_cnty": "AFG60002", "notes": "Two policemen killed as police posts near Gereshk are attacked."},
    ])  # fmt: skip
    whole = import_events(example_store, path, dry_run=True).likely_duplicates
    assert [key for key, _label in whole] == ["AFG60002"]
    for module in (event_file, event_import):
        monkeypatch.setattr(module, "CHUNK_ROWS", 1)
    report = import_events(example_store, path)
    assert report.updated == ["AFG60001"] and report.likely_duplicates == whole


@pytest.mark.sqlite_file("SQLite's own query plan")
def test_the_check_passes_over_the_import_s_own_rows_in_the_index_without_reading_them(example_store, tmp_path):
    """The import's own rows are told apart by rowid, which every index entry holds: SQLite's plan for the
    candidates defers reading an event until its rowid says it was in the record before the import."""
    from sqlalchemy import text

    from db.duplicates import _statements, near_parameters, sketch_of
    from db.event_rules import EventFields

    fields = EventFields(date(2020, 4, 7), "Battles", "Pajhwok Afghan News", location="Sholgara", admin1="Balkh")
    with example_store.reading() as session:
        parameters = {**near_parameters([sketch_of(fields)]), "last_before": 0}
        plan = [row[1:] for row in session.connection().execute(text(f"EXPLAIN {_statements('sqlite')[0].text}"), parameters)]
    opcodes = [row[0] for row in plan]
    deferred = [at for at, code in enumerate(opcodes) if code == "DeferredSeek"]
    assert deferred, "the candidates are read through an index"
    for at in deferred:
        assert opcodes[at + 1] == "IdxRowid"  # the rowid is compared before the event is read


@pytest.mark.parametrize(("a", "b"), [
    ("SHOLGARA", "Sholgara"), ("Mazar-i-Sharif", "MAZAR-I-SHARIF"), ("Şah", "şah"), ("ÅRHUS", "århus"),
    ("Kunduz", "Kunduz "), ("Straße", "STRASSE"), ("İstanbul", "istanbul"),
])  # fmt: skip
def test_places_fold_as_sqlite_compares_them_ignoring_case(a, b):
    import sqlite3

    from db.duplicates import ascii_fold

    (nocase,) = sqlite3.connect(":memory:").execute("SELECT ? = ? COLLATE NOCASE", (a, b)).fetchone()
    assert (ascii_fold(a) == ascii_fold(b)) is bool(nocase)


def test_an_import_does_not_look_up_rows_at_places_the_record_lacks(example_store, tmp_path):
    """Rows whose location (or, where the record's events have none, first administrative area) no event of the
    record has cannot be like one: the near events' statement is not run for them."""
    from sqlalchemy import event

    far = [_row(f"AFG7{n:04d}", "2020-04-07", f"Village {n}", "Nimroz", "A clash far away.") for n in range(3)]
    statements = []

    def seen(_connection, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(example_store.engine, "before_cursor_execute", seen)
    try:
        report = import_events(example_store, _file(tmp_path, [*far, ROWS[0]]), dry_run=True)
        near = [s for s in statements if "e.occurred_on BETWEEN" in s]
        assert report.likely_duplicates == [("AFG50001", AMBUSH)] and len(near) == 1
        statements.clear()
        report = import_events(example_store, _file(tmp_path, far))
        assert report.likely_duplicates == [] and not [s for s in statements if "e.occurred_on BETWEEN" in s]
    finally:
        event.remove(example_store.engine, "before_cursor_execute", seen)
