"""Reading an import in chunks (issue 15) changes no imported value: what every sample file puts in the
record, and its report, are pinned by digests taken before the import streamed.

The digest leaves out what differs between any two imports of the same file (new ids, the time
recorded, the import file's id) and names events by their external id, actors by their name.
"""

import hashlib
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from db.event_export import export_events
from db.event_import import import_events
from db.examples import create_database
from db.store import Store

DATA = Path(__file__).parent.parent / "data"


def _as_sqlite_holds(value):
    """A driver's value as SQLite's driver returns it (a date as ISO text, a truth as 0 or 1), so one pinned
    digest serves both engines."""
    if isinstance(value, bool):
        return int(value)
    return value.isoformat() if isinstance(value, date) else value


def imported_values(store) -> str:
    raw = store.engine.raw_connection()  # the store's own: opening the file again would drop its locks
    connection = raw.driver_connection
    try:
        events = connection.execute(
            "SELECT coalesce(e.external_id, e.notes), e.agreement_id IS NOT NULL, e.occurred_on, e.occurred_until, "
            "e.date_precision, e.event_type, e.sub_event_type, e.location, e.admin1, e.admin2, e.admin3, e.country, "
            "e.latitude, e.longitude, e.geo_precision, e.fatalities, e.notes, e.source_name, e.source_reference, "
            "e.source_accessed_on, e.reliability, e.credibility, e.origin, e.version, f.file_name, "
            "f.format, f.row_count FROM event e LEFT JOIN importfile f ON f.id = e.import_file_id"
        ).fetchall()
        actors = connection.execute(
            "SELECT coalesce(e.external_id, e.notes), a.name, ea.role FROM eventactor ea JOIN event e ON e.id = ea.event_id "
            "JOIN actor a ON a.id = ea.actor_id"
        ).fetchall()
        links = connection.execute(
            "SELECT coalesce(e.external_id, e.notes), o.ref, l.bearing FROM eventobligation l JOIN event e "
            "ON e.id = l.event_id JOIN obligation o ON o.id = l.obligation_id"
        ).fetchall()
        aliases = connection.execute(
            "SELECT a.name, a.kind, a.id, l.alias_key FROM actor a LEFT JOIN actoralias l ON l.actor_id = a.id"
        ).fetchall()
        found = connection.execute(
            "SELECT coalesce(e.external_id, e.notes), s.heading, s.body FROM search_source s JOIN event e "
            "ON s.kind = 'event' AND s.record_id = e.id"
        ).fetchall()
        indexed = connection.execute(
            "SELECT count(*) FROM search WHERE search MATCH 'kind : event'"
            if isinstance(connection, sqlite3.Connection)  # FTS5's own rows; a server's are search_source's
            else "SELECT count(*) FROM search_source WHERE kind = 'event' AND document IS NOT NULL"
        ).fetchone()
    finally:
        raw.close()
    keys: dict[tuple, list[str]] = {}
    for name, kind, actor_id, alias_key in aliases:
        keys.setdefault((name, kind, actor_id), []).extend([alias_key] if alias_key is not None else [])
    names = [(name, kind, "|".join(sorted(held)) or None) for (name, kind, _), held in keys.items()]
    every = [sorted(repr(tuple(map(_as_sqlite_holds, row))) for row in rows) for rows in (events, actors, links, names, found)]
    return hashlib.sha256(json.dumps([*every, list(indexed)]).encode()).hexdigest()[:16]


def _report(report) -> str:
    """The report's lines, wherever the tests run from."""
    return hashlib.sha256("\n".join(report.lines()).replace(str(DATA), "").encode()).hexdigest()[:16]


# file(s) imported one after the other into the example, with the options of each: record, reports
CASES = {
    "current": ([("acled_afghanistan.csv", {})], "88178258018ff82a", "bbca19fe1b5c399e"),
    "current then newer": (
        [("acled_afghanistan.csv", {}), ("acled_afghanistan_newer.csv", {})],
        "a3efe46222f67c82",
        "bbca19fe1b5c399e/56d114c76501be57",
    ),
    "pre-2023": ([("acled_afghanistan_pre2023.csv", {})], "7088a23d536a7559", "d52073f8a1289e66"),
    "2015-era": ([("acled_2015_layout.csv", {})], "a971e452a33483d1", "4bb9b643cf1cc9fd"),
    # issue 12: the two folded "(2014-)" names saved as aliases of the example's own "(2014-2021)" actors (issue 13), and said
    "actor ranges": ([("acled_actor_ranges.csv", {})], "b0d6cfb2f8e858ae", "7f7e32a2de5dfeaa"),
    "dropped columns": ([("acled_dropped_columns.csv", {})], "b1db18f4211c6f4b", "fbda3f4684330323"),
    "excel dates, mdy": (
        [("acled_excel_dates.csv", {"date_order": "mdy"})],
        "b50d0852b9fe201d",
        "92e94517eb5c3ebc",
    ),
    "excel day first": ([("acled_excel_day_first.csv", {})], "4f7e014613197c01", "8b37f9395a87ca2d"),
    "semicolons cp1252": ([("acled_excel_semicolon_cp1252.csv", {})], "3054204dc70e642d", "34d7f93a1c139530"),
    "truncated, skipped": (
        [("acled_excel_truncated.csv", {"skip_invalid": True})],
        "432167a93a753602",
        "9cd5797715c9bfcb",
    ),
    "hdx": ([("acled_hdx_benin.csv", {})], "e7350e1ea827d14f", "62618180a234dca3"),
    "mojibake": ([("acled_mojibake.csv", {})], "67c13368b42cbc2c", "b96cf71aba1eb53e"),
    "r missing values": ([("acled_r_missing_values.csv", {})], "29b7292f3f9b033e", "1f56823ebf1a3eb8"),
    "ucdp then newer": (
        [("ucdp_ged_afghanistan.csv", {}), ("ucdp_ged_afghanistan_newer.csv", {})],
        "a94ccdcfd64937da",
        "9bbaf1392e0abab3/d2d04beda29d3ea0",
    ),
    "dry run": ([("acled_afghanistan.csv", {"dry_run": True})], "82c0b9e84a0f2da0", "a73e42997c1357c3"),
}


@pytest.mark.parametrize("case", CASES)
def test_streaming_changes_no_imported_value(example_store, case):
    steps, record, reports = CASES[case]
    said = [_report(import_events(example_store, DATA / name, **options)) for name, options in steps]
    assert (imported_values(example_store), "/".join(said)) == (record, reports)


def accord_desk_export(folder: Path) -> tuple[Path, Path]:
    """The example with the ACLED sample, exported as Accord Desk's CSV (actors, links, grades), and a copy
    of that record without any event to import it into."""
    store = create_database(folder / "exported.sqlite", user="test")
    import_events(store, DATA / "acled_afghanistan.csv")
    with store.reading() as session:
        export_events(session, folder / "events.csv")
    store.close()
    shutil.copyfile(folder / "exported.sqlite", folder / "other.sqlite")
    connection = sqlite3.connect(folder / "other.sqlite")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("DELETE FROM event")  # with their links and index rows
    connection.commit()
    connection.close()
    return folder / "events.csv", folder / "other.sqlite"


def test_an_accord_desk_export_imports_the_same_values(tmp_path):
    exported, other = accord_desk_export(tmp_path)
    store = Store.open(other, user="test")
    try:
        report = import_events(store, exported)
        assert (imported_values(store), len(report.added), len(report.updated)) == ("cf4de23da59a3d9d", 30, 0)
    finally:
        store.close()
