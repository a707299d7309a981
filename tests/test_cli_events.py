"""`accord-desk import-events` and `export-events`: reports, filters, and every mistake refused in one sentence
with the database's content unchanged."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from tests.record_digest import content_digest
from tests.test_cli import run

DATA = Path(__file__).parent / "data"
CURRENT, NEWER, OLDER = (DATA / f"acled_afghanistan{suffix}.csv" for suffix in ("", "_newer", "_pre2023"))


@pytest.fixture
def db_file(example_store):
    example_store.close()
    return example_store.path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_import_reports_added_updated_unchanged_and_missing(capsys, db_file):
    code, out, err = run(capsys, "import-events", "--db", str(db_file), str(CURRENT))
    assert (code, err) == (0, "")
    assert out.splitlines()[1:3] == ["Added 7, updated 0, unchanged 0.", "Put 7 new events under no agreement."]
    assert "New actors: Unidentified Armed Group (Afghanistan)" in out
    code, out, _ = run(capsys, "import-events", "--db", str(db_file), str(CURRENT))
    assert out.splitlines()[1:] == ["Added 0, updated 0, unchanged 7."]
    code, out, _ = run(capsys, "import-events", "--db", str(db_file), str(NEWER))
    assert out.splitlines()[1:] == [
        "Added 1, updated 1, unchanged 5.",
        "Put 1 new event under no agreement.",
        "Updated: AFG40003.",
        "Not in this file, kept: 1 event imported earlier (AFG40007).",
    ]
    code, out, _ = run(capsys, "import-events", "--db", str(db_file), str(OLDER))
    assert "(an ACLED export (pre-2023 layout)" in out and "Added 3," in out


def test_import_under_an_agreement_says_how_many_went_where(capsys, db_file, tmp_path):
    code, out, err = run(capsys, "import-events", "--db", str(db_file), "--agreement", "US–Taliban agreement", str(CURRENT))
    assert (code, err) == (0, "")
    assert "Put 7 new events under US–Taliban agreement." in out.splitlines()
    out_file = tmp_path / "out.csv"
    run(capsys, "export-events", "--db", str(db_file), "-o", str(out_file), "--agreement", "US–Taliban agreement")
    exported = [row for row in _rows(out_file) if row["external_id"].startswith("AFG4")]
    assert len(exported) == 7 and {row["agreement_id"] for row in exported} != {""}


def test_date_order_on_the_command_line(capsys, db_file):
    path = DATA / "acled_excel_dates.csv"
    code, out, err = run(capsys, "import-events", "--db", str(db_file), str(path))
    assert code == 1 and "say which with --date-order dmy (day first) or --date-order mdy" in err
    code, out, err = run(capsys, "import-events", "--db", str(db_file), "--date-order", "dmy", str(path))
    assert (code, err) == (0, "") and "Dates read day first, as given." in out.splitlines()


def test_dry_run_writes_nothing(capsys, db_file):
    before = content_digest(db_file)
    code, out, _ = run(capsys, "import-events", "--db", str(db_file), str(CURRENT), "--dry-run")
    assert code == 0 and "Would add 7" in out and out.rstrip().endswith("Dry run: nothing was written.")
    assert content_digest(db_file) == before


def test_the_dry_run_and_the_import_list_likely_duplicates_apart(capsys, db_file, tmp_path):
    from tests.db.test_import_duplicates import AMBUSH, ROWS, _file

    path = _file(tmp_path, ROWS)
    for options, verb in ((["--dry-run"], "to add"), ([], "added")):
        code, out, _ = run(capsys, "import-events", "--db", str(db_file), str(path), *options)
        lines = out.splitlines()
        at = lines.index(f"Of the events {verb}, 2 new events and 1 likely duplicate of events already in the record:")
        assert code == 0 and lines[at + 1] == f"  AFG50001 looks like {AMBUSH}"


def test_skip_invalid_lists_every_skipped_line(capsys, db_file, tmp_path):
    lines = CURRENT.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("2020-03-04", "2020-02-30")
    lines[5] = lines[5].replace(",0,crowd size", ",-4,crowd size")
    path = tmp_path / "partly.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "import-events", "--db", str(db_file), str(path), "--skip-invalid")
    assert code == 0 and "Added 5," in out
    assert (
        "Skipped 2 invalid rows:\n  line 3, column event_date: '2020-02-30' is not a date: February 2020 has 29 days\n  line 6, column fatalities:"
        in out
    )


def test_export_with_filters(capsys, db_file, tmp_path):
    run(capsys, "import-events", "--db", str(db_file), str(CURRENT))
    output = tmp_path / "taliban.csv"
    code, out, err = run(
        capsys, "export-events", "--db", str(db_file), "--actor", "islamic emirate of afghanistan",
        "--from", "2020-03-01", "--to", "2020-04-30", "--type", "Battles", "-o", str(output),
    )  # fmt: skip
    rows = _rows(output)
    assert (code, err, out) == (0, "", f"Exported {len(rows)} events to {output}.\n")
    assert [row["external_id"] for row in rows if row["external_id"]] == ["AFG40001", "AFG40006"]
    assert {row["event_type"] for row in rows} == {"Battles"} and len(rows) > 2  # and the example's own
    code, out, _ = run(
        capsys,
        "export-events",
        "--db",
        str(db_file),
        "--obligation",
        "P1-C.1",
        "--grade",
        "B2",
        "-o",
        str(output),
    )
    rows = _rows(output)
    assert (
        code == 0
        and rows
        and all(
            "P1-C.1 (" in row["links"] and row["reliability"] + row["credibility"] == "B2" for row in rows
        )
    )
    code, out, _ = run(
        capsys, "export-events", "--db", str(db_file), "--text", "BAGRAM PRISON (PARWAN)", "-o", str(output)
    )
    assert [row["external_id"] for row in _rows(output)] == ["AFG40004"]


def test_export_then_import_into_the_same_database_changes_nothing(capsys, db_file, tmp_path):
    run(capsys, "import-events", "--db", str(db_file), str(CURRENT))
    output = tmp_path / "all.csv"
    code, out, _ = run(capsys, "export-events", "--db", str(db_file), "-o", str(output))
    assert code == 0
    before = content_digest(db_file)
    code, out, _ = run(capsys, "import-events", "--db", str(db_file), str(output))
    assert "Added 0, updated 0, unchanged " in out
    assert content_digest(db_file) == before


def _write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


@pytest.fixture
def bad_inputs(tmp_path, db_file):
    header = CURRENT.read_bytes().splitlines()[0]
    body = CURRENT.read_bytes()
    files = {
        "latin1": _write(
            tmp_path,
            "latin1.csv",
            body.replace(b"Gereshk", "Gerešk".encode("latin-1", "replace")).replace(b"Kabul", b"K\x81bul"),
        ),
        "date": _write(tmp_path, "date.csv", body.replace(b"2020-03-06", b"2020-02-30")),
        "columns": _write(tmp_path, "columns.csv", body.replace(b",country,", b",nation,")),
        "empty": _write(tmp_path, "empty.csv", b""),
        "header": _write(tmp_path, "header.csv", header + b"\n"),
        "notes": _write(tmp_path, "notes.txt", b"just some notes\n"),
    }
    db, out = str(db_file), str(tmp_path / "out.csv")
    return {
        "missing file": (["import-events", "--db", db, str(tmp_path / "none.csv")], "none.csv: no such file; check the path.", 1),
        "not UTF-8": (["import-events", "--db", db, str(files["latin1"])], "latin1.csv, line 4: the file is neither UTF-8 nor Windows-1252 (byte 0x81 on line 4 cannot be read)", 1),
        "impossible date": (["import-events", "--db", db, str(files["date"])], "date.csv, line 4, column event_date: '2020-02-30' is not a date: February 2020 has 29 days; correct the file", 1),
        "missing column": (["import-events", "--db", db, str(files["columns"])], "line 1: the header lacks the column country, without which an ACLED export cannot be read", 1),
        "empty file": (["import-events", "--db", db, str(files["empty"])], "empty.csv: the file is empty", 1),
        "header only": (["import-events", "--db", db, str(files["header"])], "holds a header but no events", 1),
        "not events": (["import-events", "--db", db, str(files["notes"])], "the header names no columns of an ACLED export", 1),
        "missing database": (["import-events", "--db", str(tmp_path / "no.sqlite"), str(CURRENT)], "no.sqlite: no such file", 1),
        "no file named": (["import-events", "--db", db], "the following arguments are required: FILE.csv", 2),
        "unknown actor": (["export-events", "--db", db, "--actor", "Martians", "-o", out], "No actor is named 'Martians'", 1),
        "unknown obligation": (["export-events", "--db", db, "--obligation", "P9", "-o", out], "No obligation has the clause reference 'P9'", 1),
        "bad grade": (["export-events", "--db", db, "--grade", "Z9", "-o", out], "argument --grade: 'Z' is not a source reliability", 2),
        "bad date": (["export-events", "--db", db, "--from", "2020-02-30", "-o", out], "'2020-02-30' is not a date; write it as YYYY-MM-DD", 2),
        "dates swapped": (["export-events", "--db", db, "--from", "2021-01-01", "--to", "2020-01-01", "-o", out], "--from 2021-01-01 is after --to 2020-01-01; swap the dates.", 1),
        "missing folder": (["export-events", "--db", db, "-o", str(tmp_path / "no" / "x.csv")], "does not exist; create the folder first", 1),
        "no output": (["export-events", "--db", db], "the following arguments are required: -o/--output", 2),
    }  # fmt: skip


@pytest.mark.parametrize(
    "case",
    ["missing file", "not UTF-8", "impossible date", "missing column", "empty file", "header only", "not events",
     "missing database", "no file named", "unknown actor", "unknown obligation", "bad grade", "bad date",
     "dates swapped", "missing folder", "no output"],
)  # fmt: skip
def test_bad_input_gets_one_sentence_and_changes_nothing(capsys, bad_inputs, db_file, tmp_path, case):
    argv, message, exit_code = bad_inputs[case]
    before = content_digest(db_file)
    code, out, err = run(capsys, *argv)
    assert code == exit_code
    assert message in err, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("accord-desk")
    if exit_code == 1:
        assert err.count("\n") == 1
    assert content_digest(db_file) == before
    assert not (tmp_path / "out.csv").exists()


def test_the_installed_command_imports_without_qt(tmp_path, db_file):
    probe = (
        "import sys; from gui.cli import main; code = main(sys.argv[1:]); "
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))], 'Qt loaded'; sys.exit(code)"
    )
    for argv in (
        ["import-events", "--db", str(db_file), str(CURRENT)],
        ["export-events", "--db", str(db_file), "-o", str(tmp_path / "x.csv")],
    ):
        done = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
