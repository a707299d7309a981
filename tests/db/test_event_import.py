"""ACLED and Accord Desk CSV imports: both layouts, re-imports, updates, and every bad file refused untouched."""

import csv
import hashlib
import json
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from db import event_file
from db.errors import ImportCancelled, ImportFileError
from db.event_import import import_events, read_event_file
from db.events import event_actor_roles
from db.examples import create_database
from db.integrity import check_record
from db.models import AuditEntry, Event, ImportFile
from tests.record_digest import store_digest

DATA = Path(__file__).parent.parent / "data"
CURRENT, NEWER, OLDER = (DATA / f"acled_afghanistan{suffix}.csv" for suffix in ("", "_newer", "_pre2023"))


def _events(store) -> dict[str, Event]:
    with store.reading() as session:
        return {e.external_id: e for e in session.exec(select(Event).where(Event.external_id.is_not(None)))}


def _actors(store, external_id) -> list[tuple[str, str]]:
    with store.reading() as session:
        event_id = session.exec(select(Event.id).where(Event.external_id == external_id)).one()
        return sorted(event_actor_roles(session, event_id))


def test_current_layout_maps_actors_through_aliases_and_records_the_file(example_store):
    report = import_events(example_store, CURRENT)
    assert (report.format, report.rows, len(report.added), report.updated, report.missing) == (
        "acled",
        7,
        7,
        [],
        [],
    )
    assert report.new_actors == [
        "Unidentified Armed Group (Afghanistan)", "Civilians (Afghanistan)", "Ethnic Group (Afghanistan)",
        "Women (Afghanistan)", "Protesters (Afghanistan)",
    ]  # fmt: skip
    events = _events(example_store)
    clash = events["AFG40001"]
    assert (clash.occurred_on, clash.date_precision, clash.event_type, clash.sub_event_type) == (
        date(2020, 3, 3), "day", "Battles", "Armed clash"
    )  # fmt: skip
    assert (clash.location, clash.admin1, clash.admin2, clash.country) == (
        "Gereshk",
        "Helmand",
        "Nahr-e Saraj",
        "Afghanistan",
    )
    assert (clash.latitude, clash.longitude, clash.geo_precision, clash.fatalities) == (31.82, 64.57, 2, 5)
    assert (clash.source_name, clash.origin, clash.reliability) == ("Pajhwok Afghan News", "imported", None)
    military, police = "Military Forces of Afghanistan (2014-2021)", "Police Forces of Afghanistan (2014-2021)"
    assert _actors(example_store, "AFG40001") == [("actor1", "Taliban"), ("actor2", military)]  # each itself
    assert _actors(example_store, "AFG40002") == [("actor1", "United States"), ("actor2", "Taliban")]
    assert _actors(example_store, "AFG40006") == [("actor1", "Taliban"), ("actor2", military), ("assoc2", police)]
    assert _actors(example_store, "AFG40004") == [("actor1", "Afghan government")]  # "Government of Afghanistan"
    assert ("assoc2", "Women (Afghanistan)") in _actors(example_store, "AFG40003")
    assert '""' not in events["AFG40003"].notes and '"the attackers' in events["AFG40003"].notes
    assert (events["AFG40005"].date_precision, events["AFG40006"].date_precision) == ("week", "month")
    with example_store.reading() as session:
        (record,) = session.exec(select(ImportFile)).all()
    assert (record.file_name, record.format, record.row_count, record.imported_by) == (
        CURRENT.name,
        "acled",
        7,
        "tester",
    )
    assert record.sha256 == hashlib.sha256(CURRENT.read_bytes()).hexdigest() == report.sha256
    assert {event.import_file_id for event in events.values()} == {record.id}


def test_pre_2023_layout_with_written_dates(example_store):
    report = import_events(example_store, OLDER)
    assert (report.format, len(report.added)) == ("acled-pre-2023", 3)
    events = _events(example_store)
    assert events["AFG39001"].occurred_on == date(2020, 2, 22)
    assert (events["AFG39003"].occurred_on, events["AFG39003"].date_precision) == (date(2020, 3, 1), "week")
    assert _actors(example_store, "AFG39001") == [("actor1", "Taliban"), ("actor2", "United States")]


def test_importing_the_same_file_again_changes_nothing(example_store):
    import_events(example_store, CURRENT)
    before = store_digest(example_store)
    report = import_events(example_store, CURRENT)
    assert (report.added, report.updated, len(report.unchanged), report.missing) == ([], [], 7, [])
    assert store_digest(example_store) == before


def test_a_newer_export_updates_adds_and_reports_what_it_lacks(example_store):
    import_events(example_store, CURRENT)
    with example_store.writing("Grade") as session:  # the officer's own fields survive an update
        event = session.exec(select(Event).where(Event.external_id == "AFG40003")).one()
        event.reliability, event.credibility = "B", "2"
    first = _events(example_store)
    report = import_events(example_store, NEWER)
    assert (report.added, report.updated, report.missing) == (["AFG40008"], ["AFG40003"], ["AFG40007"])
    assert sorted(report.unchanged) == ["AFG40001", "AFG40002", "AFG40004", "AFG40005", "AFG40006"]
    after = _events(example_store)
    assert "AFG40007" in after  # reported, not deleted
    revised = after["AFG40003"]
    assert (revised.fatalities, revised.source_name, revised.reliability) == (
        33,
        "Ariana News; Tolo News; Reuters",
        "B",
    )
    assert revised.id == first["AFG40003"].id and revised.import_file_id != first["AFG40003"].import_file_id
    assert (
        after["AFG40001"].import_file_id == first["AFG40001"].import_file_id
    )  # unchanged rows keep their origin
    with example_store.reading() as session:
        entries = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == f"Import events {NEWER.name}", AuditEntry.table_name == "event"
            )
        ).all()
    update = next(e for e in entries if e.operation == "update")
    assert (json.loads(update.before)["fatalities"], json.loads(update.after)["fatalities"]) == (32, 33)
    assert _inserted(entries) == [after["AFG40008"].id]
    again = import_events(example_store, NEWER)
    assert (again.added, again.updated, again.missing) == ([], [], ["AFG40007"])


def _inserted(entries) -> list[str]:
    """The events an import's entries say it added: one entry naming them all on a file (db.event_import),
    an entry per row on a server, whose triggers write the trail."""
    return [
        added for e in entries if e.operation == "insert" for added in json.loads(e.after).get("event_ids", [e.row_id])
    ]


def test_a_dry_run_reports_and_writes_nothing(example_store):
    before = store_digest(example_store)
    report = import_events(example_store, CURRENT, dry_run=True)
    assert len(report.added) == 7 and report.dry_run and report.lines()[-1] == "Dry run: nothing was written."
    assert report.lines()[1] == "Would add 7, would update 0, unchanged 0."
    assert store_digest(example_store) == before


ROW = (
    "AFG50001,2020-03-03,2020,1,Political violence,Battles,Armed clash,Taliban,,Rebel group,,,,,,4,Caucasus and "
    "Central Asia,Afghanistan,Helmand,,,Gereshk,31.82,64.57,2,Pajhwok Afghan News,National,Notes,5,,1583971200"
)
HEADER = CURRENT.read_text(encoding="utf-8").splitlines()[0]


def _row(**cells) -> str:
    columns, values = HEADER.split(","), ROW.split(",")
    for name, value in cells.items():
        values[columns.index(name)] = value
    return ",".join(values)


BAD_FILES = {
    "not UTF-8": (f"{HEADER}\n{_row()}\n{_row(event_id_cnty='AFG50002', notes='Caf')}\xe9\n".encode("latin-1") + b"\x81\n", "line 3: the file is neither UTF-8 nor Windows-1252 (byte 0x81 on line 4 cannot be read); save it as UTF-8"),
    "UTF-16": ((HEADER + "\n").encode("utf-16"), "line 1: the file is UTF-16 (Excel's Unicode Text), not UTF-8; save it as CSV UTF-8"),
    "binary": (f"{HEADER}\n".encode() + b"\xe9\x00\x00\n", "the file is neither UTF-8 nor Windows-1252 (byte 0x00 on line 2"),
    "missing columns": (f"{HEADER.replace(',event_type', '').replace(',country', '')}\n".encode(), "line 1: the header lacks the columns event_type, country, without which an ACLED export cannot be read; export the file again with them"),
    "empty": (b"", "the file is empty; export the events again"),
    "only a byte-order mark": (b"\xef\xbb\xbf\r\n", "the file is empty"),
    "only a header": (f"{HEADER}\n".encode(), "holds a header but no events"),
    "not events": (b"name,colour\nx,blue\n", "line 1: the header names no columns of an ACLED export"),
    "column twice": (f"{HEADER},notes\n".encode(), "names the column notes twice"),
    "impossible date": (f"{HEADER}\n{_row()}\n{_row(event_id_cnty='AFG50002', event_date='2020-02-30')}\n".encode(), "line 3, column event_date: '2020-02-30' is not a date: February 2020 has 29 days; correct the file and import it again, or skip the invalid rows."),
    "written date": (f"{HEADER}\n{_row(event_date='31 April 2020')}\n".encode(), "column event_date: '31 April 2020' is not a date: April 2020 has 30 days"),
    "precision": (f"{HEADER}\n{_row(time_precision='4')}\n".encode(), "column time_precision: '4' is not a time precision; ACLED writes 1 (day), 2 (week) or 3 (month)"),
    "fatalities": (f"{HEADER}\n{_row(fatalities='many')}\n".encode(), "column fatalities: 'many' is not a number of fatalities"),
    "latitude": (f"{HEADER}\n{_row(latitude='134.5')}\n".encode(), "column latitude: '134.5' is not a latitude"),
    "half a place": (f"{HEADER}\n{_row(longitude='')}\n".encode(), "column longitude: the longitude is missing"),
    "no source": (f"{HEADER}\n{_row(source=' ')}\n".encode(), "column source: the cell is empty; every event needs its source"),
    "no id": (f"{HEADER}\n{_row(event_id_cnty='')}\n".encode(), "column event_id_cnty: the cell is empty"),
    "twice": (f"{HEADER}\n{_row()}\n{_row()}\n".encode(), "line 3, column event_id_cnty: AFG50001 appears again (first on line 2)"),
    "short row": (f"{HEADER}\n{_row()}\n{_row().rsplit(',', 1)[0]}\n{_row(event_id_cnty='AFG50003')}\n".encode(), "line 3: the row has 30 values where the header names 31 columns"),
    "long row": (f"{HEADER}\n{_row()}\n{_row(event_id_cnty='AFG50002')},x\n".encode(), "line 3: the row has 32 values where the header names 31 columns"),
    "cut off last record": (f"{HEADER}\n{_row()}\n{_row(event_id_cnty='AFG50002').rsplit(',', 5)[0]}".encode(), "line 3: the last record is cut off after 26 of the 31 values (the file ends early); correct the file"),
    "unclosed quote": (f'{HEADER}\n{_row()}\n{_row(notes=chr(34) + "never closed")}\n'.encode(), "line 3: the last record is cut off inside a quoted value (the file ends early)"),
    "unclosed quote inside": (f'{HEADER}\n{_row(notes=chr(34) + "x" * 140_000)}\n{_row()}\n'.encode(), "a value is longer than 131,072 characters"),
    "text after a quote": (f'{HEADER}\n{_row(notes=chr(34) + "quoted" + chr(34) + " word")}\n'.encode(), "line 2: the CSV is malformed"),
    "long field": (f"{HEADER}\n{_row(notes='x' * 140_000)}\n".encode(), "line 2: a value is longer than 131,072 characters"),
    "long notes": (f"{HEADER}\n{_row(notes='x' * 110_000)}\n".encode(), "column notes: the text is 110,000 characters long; the limit is 100,000"),
    "year 2300": (f"{HEADER}\n{_row(event_date='2300-01-01')}\n".encode(), "column event_date: 2300-01-01 is outside the years 1900–2200 the record holds"),
    "NUL in notes": (f"{HEADER}\n{_row(notes='a' + chr(0) + 'b')}\n".encode(), "column notes: the text holds a NUL character at position 2"),
    "a billion dead": (f"{HEADER}\n{_row(fatalities='9999999999')}\n".encode(), "column fatalities: '9999999999' is not a number of fatalities"),
    "multi-line row": (f'{HEADER}\n{_row(notes=chr(34) + "two" + chr(10) + "lines" + chr(34))}\n{_row(event_id_cnty="AFG50002", event_date="2020-13-01")}\n'.encode(), "line 4, column event_date"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_in_one_sentence_and_change_nothing(example_store, tmp_path, case):
    content, message = BAD_FILES[case]
    path = tmp_path / "events.csv"
    path.write_bytes(content)
    before = store_digest(example_store)
    with pytest.raises(ImportFileError) as refused:
        import_events(example_store, path)
    text = str(refused.value)
    assert text.startswith(f"{path}") and message in text, text
    assert text.count(".") >= 1 and "\n" not in text and text.endswith(".")
    assert store_digest(example_store) == before


@pytest.mark.parametrize(
    ("where", "message"),
    [("missing", "no such file; check the path"), ("folder", "is a folder; choose the CSV file itself")],
)
def test_files_that_are_not_there(example_store, tmp_path, where, message):
    path = tmp_path / "none.csv" if where == "missing" else tmp_path
    with pytest.raises(ImportFileError, match=message):
        import_events(example_store, path)


def test_a_file_larger_than_the_limit_is_imported_a_chunk_at_a_time(example_store, tmp_path, monkeypatch):
    """MAX_HELD_BYTES bounds what an import holds at once (a chunk of rows), not the file it reads."""
    from db import event_import
    from tests.bench_import import generate
    from tests.db.test_import_values import imported_values

    path = tmp_path / "acled.csv"
    generate(path, 300)
    whole = create_database(tmp_path / "whole.sqlite", user="test")
    import_events(whole, path)
    monkeypatch.setattr(event_file, "MAX_HELD_BYTES", 64 * 2**10)
    for module in (event_file, event_import):
        monkeypatch.setattr(module, "CHUNK_ROWS", 16)  # 19 chunks, the last one short
    assert path.stat().st_size > 2 * event_file.MAX_HELD_BYTES
    report = import_events(example_store, path)
    assert len(report.added) == 300 and imported_values(example_store) == imported_values(whole)
    assert check_record(example_store).problems == []  # the bulk entry's digest reads the rows back
    whole.close()


def test_a_line_longer_than_the_limit_is_refused(example_store, tmp_path, monkeypatch):
    monkeypatch.setattr(event_file, "MAX_HELD_BYTES", 64 * 2**10)
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "\n" + _row(notes="x" * 100_000) + "\n", encoding="utf-8")
    before = store_digest(example_store)
    with pytest.raises(ImportFileError, match="more than 0.0625 MB come without a line break or within 5,000 rows"):
        import_events(example_store, path)
    assert store_digest(example_store) == before


def test_an_endless_file_is_read_only_to_the_limit(example_store, monkeypatch):
    """/dev/zero says it holds 0 bytes and never ends: the reads are bounded by the bytes they bring."""
    monkeypatch.setattr(event_file, "MAX_HELD_BYTES", 3 * 2**20)
    before = store_digest(example_store)
    with pytest.raises(ImportFileError, match="/dev/zero: more than 3 MB come without a line break"):
        import_events(example_store, Path("/dev/zero"))
    assert store_digest(example_store) == before


def test_the_recorded_sha256_is_that_of_the_bytes_imported(example_store, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_bytes(CURRENT.read_bytes())
    report = import_events(example_store, path)
    assert report.sha256 == hashlib.sha256(CURRENT.read_bytes()).hexdigest()


def test_a_file_replaced_between_the_reads_is_refused(example_store, tmp_path, monkeypatch):
    """The first read hashes and checks the bytes, the second parses them; a file replaced in between
    would be recorded under the other file's hash."""
    path = tmp_path / "acled.csv"
    path.write_bytes(CURRENT.read_bytes())
    first_read = event_file._check_bytes

    def replaced_after(checked_path):
        found = first_read(checked_path)
        path.write_bytes(NEWER.read_bytes())  # another program saves over it
        return found

    monkeypatch.setattr(event_file, "_check_bytes", replaced_after)
    before = store_digest(example_store)
    with pytest.raises(ImportFileError, match="the file changed while it was being read"):
        import_events(example_store, path)
    assert store_digest(example_store) == before


def test_a_byte_order_mark_and_crlf_are_accepted(example_store, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CURRENT.read_bytes().replace(b"\n", b"\r\n"))
    assert len(import_events(example_store, path).added) == 7


def test_skip_invalid_imports_the_rest_and_lists_every_skipped_line(example_store, tmp_path):
    path = tmp_path / "events.csv"
    rows = [_row(), _row(event_id_cnty="AFG50002", event_date="2020-02-30"), _row(event_id_cnty="AFG50003"),
            _row(event_id_cnty="AFG50004", fatalities="-1")]  # fmt: skip
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    report = import_events(example_store, path, skip_invalid=True)
    assert sorted(report.added) == ["AFG50001", "AFG50003"]
    assert [(p.line, p.column) for p in report.skipped] == [(3, "event_date"), (5, "fatalities")]
    lines = report.lines()
    assert "Skipped 2 invalid rows:" in lines
    assert "  line 3, column event_date: '2020-02-30' is not a date: February 2020 has 29 days" in lines
    assert sorted(_events(example_store)) == ["AFG50001", "AFG50003"]


def test_cancel_from_the_progress_callback_leaves_the_database_unchanged(example_store):
    before = store_digest(example_store)
    seen = []

    def progress(done, total):
        seen.append((done, total))
        return done <= total // 2  # carry on reading, stop once writing has begun

    with pytest.raises(ImportCancelled, match="was cancelled; nothing was written"):
        import_events(example_store, CURRENT, progress=progress)
    assert store_digest(example_store) == before
    assert seen and all(0 <= done <= total for done, total in seen)
    finished = []
    import_events(example_store, CURRENT, progress=lambda done, total: finished.append((done, total)))
    assert finished[-1][0] == finished[-1][1]


def test_an_import_runs_off_the_main_thread(example_store):
    result = {}
    worker = threading.Thread(target=lambda: result.update(report=import_events(example_store, CURRENT)))
    worker.start()
    worker.join()
    assert len(result["report"].added) == 7


def test_reading_needs_no_database():
    file = read_event_file(NEWER)
    (chunk,) = file.chunks()
    assert (file.format, len(chunk.rows), file.problems) == ("acled", 7, [])
    assert chunk.actors[0] == ((("actor1", "Taliban"),), (), (("actor2", "Military Forces of Afghanistan (2014-2021)"),), ())
    chunk = next(file.chunks())
    assert chunk.value(2, "fatalities") == 33 and chunk.key(2) == "AFG40003"


def _own_file(tmp_path, **cells) -> Path:
    from db.event_csv import COLUMNS

    values = {"id": "6f1c3e0a-1b7e-4c8e-9a55-0f3a2b1c9d01", "occurred_on": "2020-04-08", "event_type": "Statement",
              "source_name": "Tolo News", "actor1": "Taliban", **cells}  # fmt: skip
    path = tmp_path / "own.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([COLUMNS, [values.get(column, "") for column in COLUMNS]])
    return path


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"id": "17"}, "column id: '17' is not an event id"),
        ({"same_happening_as": "the first"}, "column same_happening_as: 'the first' is not an event id"),
        ({"agreement_id": "6f1c3e0a-0000-4c8e-9a55-0f3a2b1c9d01"}, "column agreement_id: no agreement"),
        ({"links": "P9-Z (supports)"}, "column links: no obligation has the clause reference P9-Z"),
        ({"links": "P1-C.1 (violates)"}, "column links: 'violates' is not a bearing"),
        ({"links": "P1-C.1"}, "column links: 'P1-C.1' is not a link"),
        ({"reliability": "B"}, "column credibility: give the credibility too"),
        ({"occurred_on": "2020-02-30"}, "column occurred_on: '2020-02-30' is not a date"),
        ({"actor2": "'Women\nChildren"}, "column actor2: the actor name"),
    ],
)
def test_accord_desk_rows_are_checked_like_the_form(example_store, tmp_path, cells, message):
    before = store_digest(example_store)
    with pytest.raises(ImportFileError, match=message):
        import_events(example_store, _own_file(tmp_path, **cells))
    assert store_digest(example_store) == before


def test_accord_desk_rows_link_obligations_by_clause_reference(example_store, tmp_path):
    path = _own_file(
        tmp_path,
        links="P1-C.1 (supports); P3-2 (breach)",
        notes="'=SUM(A1:A3)",
        reliability="b",
        credibility="2",
    )
    report = import_events(example_store, path)
    assert len(report.added) == 1 and report.format == "accord-desk"
    from db.events import event_fields

    with example_store.reading() as session:
        fields = event_fields(session, "6f1c3e0a-1b7e-4c8e-9a55-0f3a2b1c9d01")
    assert fields.notes == "=SUM(A1:A3)" and fields.reliability == "B" and len(fields.links) == 2
    assert import_events(example_store, path).unchanged == ["6f1c3e0a-1b7e-4c8e-9a55-0f3a2b1c9d01"]


def test_a_huge_cell_is_quoted_short(example_store, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(f"{HEADER}\n{_row(latitude='9' * 50_000)}\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"column latitude: '9{40}…' is not a latitude") as refused:
        import_events(example_store, path)
    assert len(str(refused.value)) < 400


def test_new_ids_are_distinct_version_4_uuids():
    import uuid

    from db.ids import new_ids

    ids = new_ids(5000)
    assert len(set(ids)) == 5000
    assert all((u := uuid.UUID(i)).version == 4 and u.variant == uuid.RFC_4122 and str(u) == i for i in ids)


def _passes(monkeypatch) -> list[str]:
    """The file's passes over its rows (each reads and parses the whole file): their names, as they begin."""
    passes = []
    real = event_file._Rows.chunks

    def counted(rows):
        passes.append(rows.path.name)
        return real(rows)

    monkeypatch.setattr(event_file._Rows, "chunks", counted)
    return passes


def test_an_import_reads_the_rows_of_its_file_once(example_store, tmp_path, monkeypatch):
    """Read, checked and written a chunk at a time in one pass (issue 15: the whole-file check before the
    write pass was 40% of an import's time); a file whose numeric dates need the file's day/month order
    is read once more for its dates alone."""
    from db import event_import
    from tests.bench_import import generate

    path = tmp_path / "acled.csv"
    generate(path, 100)
    for module in (event_file, event_import):
        monkeypatch.setattr(module, "CHUNK_ROWS", 16)
    passes = _passes(monkeypatch)
    assert len(import_events(example_store, path).added) == 100 and passes == ["acled.csv"]
    spreadsheet = tmp_path / "excel.csv"
    rows = [_row(event_id_cnty=f"AFG5{n:04}", event_date=f"{n % 12 + 1:02}/03/2020") for n in range(40)]
    spreadsheet.write_text("\n".join([HEADER, *rows, _row(event_id_cnty="AFG59999", event_date="03/13/2020")]) + "\n")
    passes.clear()
    report = import_events(example_store, spreadsheet)
    assert passes == ["excel.csv"] * 2 and report.how.date_order == "mdy"
    assert _events(example_store)["AFG50002"].occurred_on == date(2020, 3, 3)  # month first, decided by the last row


def test_a_dry_runs_day_month_order_is_reused_only_while_the_file_is_unchanged(example_store, tmp_path, monkeypatch):
    path = tmp_path / "excel.csv"
    rows = [_row(event_id_cnty="AFG50001", event_date="13/03/2020"), _row(event_id_cnty="AFG50002", event_date="03/04/2020")]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    dry = import_events(example_store, path, dry_run=True)
    passes = _passes(monkeypatch)
    again = import_events(example_store, path, dry_run=True, checked=dry.checked)
    assert passes == ["excel.csv"] and again.added == dry.added and again.how.date_order == "dmy"
    text = path.read_text(encoding="utf-8").replace("AFG50001,", "AFG49999,", 1)  # changed since
    path.write_text(text, encoding="utf-8")
    passes.clear()
    report = import_events(example_store, path, checked=dry.checked)
    assert passes == ["excel.csv"] * 2 and "AFG49999" in report.added and "AFG50001" not in report.added
    assert _events(example_store)["AFG50002"].occurred_on == date(2020, 4, 3)


def _indexes(store) -> list[tuple]:
    """The indexes and triggers, as the database says them: a bulk load drops some and makes them again."""
    with store.reading() as session:
        return session.connection().exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY type, name"
        ).all()


@pytest.mark.sqlite_file("SQLite's schema and statement journal")
def test_events_are_inserted_without_the_search_index_s_insert_trigger_which_is_made_again(example_store, tmp_path):
    """An insert trigger, even paused, makes SQLite journal every row's statement: a bulk load drops the search
    index's trigger on events in its transaction, indexes its events in one statement, and makes the trigger
    again as it was; an event added afterwards is found by the search."""
    from sqlalchemy import event

    from db.event_rules import EventFields
    from db.events import create_event
    from db.search import search
    from tests.bench_import import generate

    path = tmp_path / "acled.csv"
    generate(path, 50)
    before = _indexes(example_store)
    seen = []

    def look(connection, _cursor, statement, *_rest):
        if statement.startswith("INSERT INTO event "):
            seen.append(connection.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event' AND name LIKE '%insert'"
            ).fetchall())  # fmt: skip

    event.listen(example_store.engine, "before_cursor_execute", look)
    try:
        assert len(import_events(example_store, path).added) == 50
    finally:
        event.remove(example_store.engine, "before_cursor_execute", look)
    assert seen and all(found == [] for found in seen)
    assert _indexes(example_store) == before
    with example_store.writing("Add event") as session:
        typed = create_event(session, EventFields(date(2020, 5, 1), "Battles", "Tolo News", notes="Zanzibarish clash"))
    with example_store.reading() as session:
        assert [hit.record_id for hit in search(session, "AFG000050")] == [_id_of(session, "AFG000050")]
        assert [hit.record_id for hit in search(session, "zanzibarish")] == [typed]


def _id_of(session, external_id: str) -> str:
    return session.exec(select(Event.id).where(Event.external_id == external_id)).one()


@pytest.mark.sqlite_file("SQLite builds an index faster from all its rows; a server keeps its indexes through a load")
def test_a_bulk_load_makes_the_event_indexes_again_or_keeps_them_when_cancelled(example_store, tmp_path):
    """A load that more than doubles the events builds their indexes after the rows (db.event_import)."""
    from tests.bench_import import generate

    path = tmp_path / "acled.csv"
    generate(path, 300)
    before = _indexes(example_store)
    with pytest.raises(ImportCancelled):
        import_events(example_store, path, progress=lambda done, total: done <= total * 3 // 4)
    assert _indexes(example_store) == before
    assert len(import_events(example_store, path).added) == 300
    assert _indexes(example_store) == before
    with example_store.reading() as session:
        assert session.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert check_record(example_store).problems == []


@pytest.mark.sqlite_file("SQLite's index builds after a bulk load (db.event_import._defer_indexes)")
def test_cancel_is_heard_while_a_bulk_load_builds_its_indexes_and_leaves_nothing(example_store, tmp_path):
    """Once the rows are in, a bulk load builds its indexes and search index in long statements: the officer's
    Cancel is asked between them (the bar stays full), and a cancel there rolls the whole import back."""
    from tests.bench_import import generate

    path = tmp_path / "acled.csv"
    generate(path, 300)
    before, digest = _indexes(example_store), store_digest(example_store)
    full = []

    def progress(done, total):
        full.append(done == total)
        return sum(full) < 3  # the last chunk's, then the first between the statements that follow

    with pytest.raises(ImportCancelled):
        import_events(example_store, path, progress=progress)
    assert sum(full) == 3 and _indexes(example_store) == before and store_digest(example_store) == digest
    told = []
    import_events(example_store, path, progress=lambda done, total: told.append(done == total))
    assert sum(told) > 4  # the last chunk, once per index built, around the search index, and the end


def test_every_statement_of_an_import_holds_at_most_a_chunk_of_rows(example_store, tmp_path, monkeypatch):
    """What an import holds is bounded by the chunk, not the file (issue 15): no INSERT is handed more than
    CHUNK_ROWS events, nor their links more than CHUNK_ROWS events' worth, and no statement's one bound JSON
    list of ids or sketches names more than a chunk's, however long the file."""
    from sqlalchemy import event

    from db import event_import
    from tests.bench_import import generate

    path = tmp_path / "acled.csv"
    generate(path, 300)
    for module in (event_file, event_import):
        monkeypatch.setattr(module, "CHUNK_ROWS", 16)
    handed: dict[str, int] = {}

    def note(_connection, _cursor, statement, parameters, _context, many):
        rows = len(parameters) if many else 1
        for table in ("event", "eventactor"):
            if statement.startswith(f"INSERT INTO {table} "):
                handed[table] = max(handed.get(table, 0), rows)
        values = [] if many else parameters.values() if isinstance(parameters, dict) else parameters
        for value in values:
            if isinstance(value, str) and value.startswith("["):
                handed["json list"] = max(handed.get("json list", 0), len(json.loads(value)))
            elif isinstance(value, list):  # a server takes the list as an array (db.dialects.values_of)
                handed["json list"] = max(handed.get("json list", 0), len(value))

    from db import copy_rows

    copy = copy_rows.copy_rows

    def copied(connection, table, columns, rows):  # a server takes the rows by COPY (db.bulk)
        handed[table] = max(handed.get(table, 0), len(rows))
        copy(connection, table, columns, rows)

    monkeypatch.setattr(copy_rows, "copy_rows", copied)
    engine = example_store.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        report = import_events(example_store, path)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(report.added) == 300
    assert handed["event"] == 16 and 16 < handed["eventactor"] <= 16 * 4  # four roles at most
    assert 0 < handed["json list"] <= 16


def test_a_bad_row_late_in_a_long_file_refuses_it_after_its_first_chunks_were_written(
    example_store, tmp_path, monkeypatch
):
    """Read, checked and written a chunk at a time, an import still commits whole or not at all: a row met
    again or invalid long after rows were written refuses the file in one sentence that names its line, and
    the record is as it was; skipping the invalid rows imports the others."""
    from db import event_import
    from tests.bench_import import generate

    path = tmp_path / "acled.csv"
    generate(tmp_path / "some.csv", 300)
    with (tmp_path / "some.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[248]["event_id_cnty"] = rows[3]["event_id_cnty"]  # line 250 repeats line 5
    rows[288]["fatalities"] = "-1"  # line 290
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for module in (event_file, event_import):
        monkeypatch.setattr(module, "CHUNK_ROWS", 16)
    before = store_digest(example_store)
    with pytest.raises(ImportFileError) as refused:
        import_events(example_store, path)
    key = rows[3]["event_id_cnty"]
    assert str(refused.value) == (
        f"{path}, line 250, column event_id_cnty: {key} appears again (first on line 5); correct the file and "
        "import it again, or skip the invalid rows (2 rows are invalid)."
    )
    assert store_digest(example_store) == before
    report = import_events(example_store, path, skip_invalid=True)
    assert len(report.added) == 298 and [(p.line, p.column) for p in report.skipped] == [
        (250, "event_id_cnty"), (290, "fatalities")
    ]
    assert check_record(example_store).problems == []
