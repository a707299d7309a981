"""The command line: status output, init, and one clear sentence for every user mistake."""

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from gui.cli import main


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db_file(example_store):
    example_store.close()
    return example_store.path


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node["children"])


def test_status_json_is_a_tree_with_statuses(capsys, db_file):
    code, out, err = run(capsys, "status", "--db", str(db_file), "--as-of", "2020-03-11", "--format", "json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["as_of"] == "2020-03-11"
    (agreement,) = report["agreements"]
    assert agreement["signed_on"] == "2020-02-29"
    roots = agreement["obligations"]
    assert [r["ref"] for r in roots] == ["Intro", "P1", "P2", "P3"]
    nodes = {n["ref"]: n for n in _walk(roots)}
    assert set(nodes["P1-A.1"]) >= {"ref", "title", "obligors", "deadline", "status", "reason", "children"}
    assert nodes["P1-A.1"]["deadline"] == "2020-07-13"
    assert nodes["P1-A.1"]["deadline_rule"] == "135 days after signing"
    assert nodes["P1-A.1"]["status"] == "on_track"  # about 13,000 at signing, on the trajectory
    assert "United States" in nodes["P1-A.1"]["obligors"]
    for ref in ("Intro-3", "P1-C.1", "P1-C.2"):
        assert nodes[ref]["status"] == "overdue"
    assert nodes["Intro-3"]["reason"] == "1 day late: due 2020-03-10, no completion recorded."
    assert nodes["P1-C"]["counts"]["overdue"] == 2
    troops = nodes["P1-A.1"]["quantity"]
    assert (troops["metric"], troops["target"], troops["target_on"]) == (
        "US troops in Afghanistan",
        8600,
        "2020-07-13",
    )
    assert (troops["observed"], troops["observed_on"]) == (13000, "2020-02-29")
    assert nodes["Intro-3"]["quantity"] is None


def test_status_text_lists_every_obligation(capsys, db_file):
    code, out, _ = run(capsys, "status", "--db", str(db_file), "--as-of", "2021-09-01")
    assert code == 0
    assert out.startswith(
        "Agreement for Bringing Peace to Afghanistan, signed 2020-02-29 in Doha, Qatar\nStatus as of 2021-09-01\n"
    )
    line = next(line for line in out.splitlines() if line.strip().startswith("P1-B "))
    assert "met_late" in line and "2021-04-29" in line


def test_deadlines_lists_those_coming_and_those_overdue(capsys, db_file):
    code, out, err = run(capsys, "deadlines", "--db", str(db_file), "--as-of", "2020-07-01", "--within", "30")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "US–Taliban agreement. As of 2020-07-01: 1 due in the next 30 days, 4 overdue"
    assert [line.split()[:2] for line in lines[1:]] == [["2020-03-10", "113"]] * 3 + [
        ["2020-05-29", "33"],
        ["2020-07-13", "in"],
    ]
    assert lines[-1].split()[4] == "P1-A.2" and lines[-1].endswith("[Not due]")


def test_deadlines_json_and_a_bad_window(capsys, db_file):
    code, out, _ = run(capsys, "deadlines", "--db", str(db_file), "--as-of", "2020-03-01", "--format", "json")
    assert code == 0
    [agreement] = json.loads(out)
    assert [(d["ref"], d["due"], d["days_left"]) for d in agreement["deadlines"]] == [
        ("Intro-3", "2020-03-10", 9), ("P1-C.1", "2020-03-10", 9), ("P1-C.2", "2020-03-10", 9),
        ("P1-E", "2020-05-29", 89),
    ]  # fmt: skip
    code, out, err = run(capsys, "deadlines", "--db", str(db_file), "--within", "-1")
    assert (code, out) == (
        1,
        "",
    ) and err == "accord-desk: --within -1: give the number of days ahead, 0 or more.\n"


def test_audit_lists_the_trail_and_writes_it_as_csv(capsys, db_file, tmp_path):
    code, out, err = run(capsys, "audit", "--db", str(db_file), "--action", "Upgrade")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == f"{len(lines) - 1} entries." and all(
        "Upgrade the record to schema" in line for line in lines[:-1]
    )
    target = tmp_path / "trail.csv"
    code, out, _ = run(capsys, "audit", "--db", str(db_file), "-o", str(target))
    written = int(out.split()[1].replace(",", ""))
    assert code == 0 and len(target.read_text(encoding="utf-8-sig").splitlines()) == written + 1 > 100


def test_init_empty_and_example(capsys, tmp_path):
    code, out, _ = run(capsys, "init", str(tmp_path / "e.sqlite"), "--empty")
    assert code == 0 and "empty" in out
    code, out, _ = run(capsys, "status", "--db", str(tmp_path / "e.sqlite"), "--format", "json")
    assert json.loads(out)["agreements"] == []
    code, out, _ = run(capsys, "init", str(tmp_path / "x.sqlite"), "--example", "doha-2020")
    assert code == 0 and "doha-2020" in out


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@pytest.fixture
def bad_inputs(tmp_path, db_file):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    corrupt = tmp_path / "corrupt.sqlite"
    data = bytearray(db_file.read_bytes())
    data[4096:12288] = b"\x00\x01" * 4096
    corrupt.write_bytes(bytes(data))
    existing = tmp_path / "existing.sqlite"
    shutil.copyfile(db_file, existing)
    return {
        "missing": (["status", "--db", str(tmp_path / "nope.sqlite")], "no such file", tmp_path / "nope.sqlite", 1),
        "not a database": (["status", "--db", str(text)], "not an Accord Desk database", text, 1),
        "corrupt": (["status", "--db", str(corrupt)], "is damaged", corrupt, 1),
        "unknown example": (["init", str(tmp_path / "n.sqlite"), "--example", "oslo"], "invalid choice: 'oslo'", tmp_path / "n.sqlite", 2),
        "malformed date": (["status", "--db", str(existing), "--as-of", "2020-02-30"], "'2020-02-30' is not a date; write it as YYYY-MM-DD", existing, 2),
        "init over a file": (["init", str(existing)], "already exists", existing, 1),
        "unknown agreement": (["status", "--db", str(existing), "--agreement", "zzz"], "matches no agreement", existing, 1),
        "missing document": (["import-agreement", "--db", str(existing), str(tmp_path / "none.json")], "cannot be read", existing, 1),
        "bad document": (["import-agreement", "--db", str(existing), str(text)], "line 1, column 1: not valid JSON", existing, 1),
    }  # fmt: skip


@pytest.mark.parametrize(
    "case",
    ["missing", "not a database", "corrupt", "unknown example", "malformed date", "init over a file", "unknown agreement",
     "missing document", "bad document"],
)  # fmt: skip
def test_bad_input_gets_one_sentence_and_changes_nothing(capsys, bad_inputs, case):
    argv, message, path, exit_code = bad_inputs[case]
    before = _sha(path)
    code, out, err = run(capsys, *argv)
    assert code == exit_code
    assert message in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("accord-desk")
    assert _sha(path) == before


def test_import_agreement_adds_a_second_agreement(capsys, db_file, tmp_path):
    from db.examples import example_path

    code, out, _ = run(capsys, "import-agreement", "--db", str(db_file), str(example_path("doha-2020")))
    assert code == 0 and "Imported Agreement for Bringing Peace to Afghanistan" in out
    code, out, err = run(capsys, "status", "--db", str(db_file), "--format", "json")
    assert len(json.loads(out)["agreements"]) == 2


def test_the_installed_command_runs_without_qt_and_without_traceback(tmp_path, db_file):
    """A real process: `status` must not load Qt, and a user's mistake must not print a traceback."""
    probe = (
        "import sys; from gui.cli import main; code = main(sys.argv[1:]); "
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))], 'Qt loaded'; sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "status", "--db", str(db_file)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-c", probe, "status", "--db", str(tmp_path / "x.sqlite")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_export_pdf(capsys, db_file, tmp_path, qapp):
    target = tmp_path / "summary.pdf"
    argv = ["export-pdf", "--db", str(db_file), "--as-of", "2021-09-01", "--since", "2020-09-01",
            "--marking", "RESTRICTED", "--page-size", "letter", "-o", str(target)]  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert out.startswith(f"Wrote {target} (")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "RESTRICTED" in text and "What changed since 2020-09-01" in text
    code, _, err = run(capsys, "export-pdf", "--db", str(db_file), "--since", "2030-01-01", "-o", str(target))
    assert code == 1 and "is not before the as-of date" in err


def _pdf_text(path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_export_pdf_with_the_officers_summary_and_name(capsys, db_file, tmp_path, qapp):
    summary = tmp_path / "summary.txt"
    summary.write_text('Releases lagged.\r\n<b>kept</b> & "literal" %s\n', encoding="utf-8")
    target = tmp_path / "brief.pdf"
    code, _, err = run(capsys, "export-pdf", "--db", str(db_file), "--as-of", "2021-09-01", "-o", str(target),
                       "--summary", str(summary), "--prepared-by", "Farida Rahimi, Afghanistan desk")  # fmt: skip
    assert (code, err) == (0, "")
    first = subprocess.run(["pdftotext", "-l", "1", str(target), "-"], capture_output=True, text=True).stdout
    first = " ".join(first.split())
    assert "Releases lagged." in first and '<b>kept</b> & "literal" %s' in first
    assert "Prepared by Farida Rahimi, Afghanistan desk" in first and "Key findings from the record" in first


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_export_pdf_is_prepared_by_the_officer_of_the_settings(capsys, db_file, tmp_path, qapp):
    from db.officer import Officer, save_officer

    save_officer(Officer("Jawad Karimi", "Political section"))
    target = tmp_path / "brief.pdf"
    code, _, err = run(capsys, "export-pdf", "--db", str(db_file), "--as-of", "2021-09-01", "-o", str(target))
    assert (code, err) == (0, "")
    text = _pdf_text(target)
    assert "Prepared by Jawad Karimi, Political section" in text and "root" not in text


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "does not exist; give the summary's text file with --summary FILE.txt."),
        (b"caf\xe9", "is not UTF-8 text (byte 4); save it as UTF-8 and try again."),
        (b"a\x00b", "holds a NUL character at position 2; remove it."),
    ],
)
def test_a_summary_file_that_cannot_be_used_is_refused_in_one_sentence(capsys, db_file, tmp_path, content, said):
    summary = tmp_path / "summary.txt"
    if content is not None:
        summary.write_bytes(content)
    target = tmp_path / "brief.pdf"
    code, out, err = run(capsys, "export-pdf", "--db", str(db_file), "-o", str(target), "--summary", str(summary))
    assert code == 1 and out == "" and err.endswith(said + "\n") and err.count("\n") == 1
    assert not target.exists()


def test_check_says_the_record_is_whole_or_names_what_is_not(capsys, db_file):
    code, out, err = run(capsys, "check", "--db", str(db_file))
    assert (code, err) == (0, "")
    assert out.startswith("The record is whole: ") and ", chain head " in out and out.endswith("…\n")
    with sqlite3.connect(db_file) as connection:
        connection.execute("UPDATE obligation SET title = 'Nothing' WHERE ref = 'P1-A.1'")
    connection.close()
    code, out, err = run(capsys, "check", "--db", str(db_file))
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == "The record is not whole: 2 problems."
    assert (
        "Obligation P1-A.1 differs from audit entry " in out
        and "in title: it was changed outside Accord Desk." in out
        and "The content digest kept in the record does not match its rows in obligation: " in out
    )


def test_export_docx_has_the_same_sections_and_the_officers_words(capsys, db_file, tmp_path, qapp):
    from docx import Document

    summary = tmp_path / "summary.txt"
    summary.write_text('My words <b>as typed</b> & "kept".\x01\n', encoding="utf-8")
    target = tmp_path / "brief.docx"
    code, out, err = run(capsys, "export-docx", "--db", str(db_file), "--as-of", "2021-09-01", "--since",
                         "2020-09-01", "--summary", str(summary), "--prepared-by", "Farida Rahimi, Afghanistan desk",
                         "--marking", "RESTRICTED", "-o", str(target))  # fmt: skip
    assert (code, err) == (0, "") and out.startswith(f"Wrote {target} (Word")
    document = Document(str(target))
    text = [p.text for p in document.paragraphs]
    for heading in ("Key findings from the record", "The officer's assessment", "Obligations", "Trajectories",
                    "What changed since 2020-09-01", "Provenance"):  # fmt: skip
        assert heading in text
    assert 'My words <b>as typed</b> & "kept".\ufffd' in text  # a control character Word cannot hold shows as �
    assert any(t.startswith("Finding 2. 3 obligations overdue") for t in text)
    assert len(document.inline_shapes) == 3  # the three trajectories
    assert document.sections[0].header.paragraphs[0].text == "RESTRICTED"
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Farida Rahimi, Afghanistan desk" in cells and not any(c == "root" for c in cells)


def test_actors_lists_every_actor_with_aliases_counts_and_roles(capsys, db_file):
    code, out, _ = run(capsys, "actors", "--db", str(db_file))
    assert code == 0
    assert "Taliban  (armed group): 12 events, 12 obligations" in out
    assert "also: Afghan Taliban, Islamic Emirate of Afghanistan, Taleban" in out
    assert "US–Taliban agreement: signatory" in out and out.rstrip().endswith("12 actors.")
    assert (
        "US–Taliban agreement: non-signatory, grouping Government of Afghanistan (2014-2021), "
        "Military Forces of Afghanistan (2014-2021), Police Forces of Afghanistan (2014-2021)\n" in out
    )
    police = out.index("Police Forces of Afghanistan (2014-2021)  (government)")
    assert out[police:].splitlines()[1].strip() == "US–Taliban agreement: counts as Afghan government"
    code, out, _ = run(capsys, "actors", "--db", str(db_file), "--format", "json")
    listed = {a["name"]: a for a in json.loads(out)}
    qatar, government = listed["Qatar"], listed["Afghan government"]
    assert qatar["roles"] == [{"agreement": "US–Taliban agreement", "role": "mediator", "members": []}]
    assert qatar["events"] == 2 and qatar["counts_as"] == []
    assert government["roles"][0]["members"] == [
        "Government of Afghanistan (2014-2021)", "Military Forces of Afghanistan (2014-2021)",
        "Police Forces of Afghanistan (2014-2021)",
    ]  # fmt: skip
    assert listed["Police Forces of Afghanistan (2014-2021)"]["counts_as"] == [
        {"agreement": "US–Taliban agreement", "party": "Afghan government"}
    ]


def test_merge_actors_by_name_and_id_and_one_sentence_when_refused(capsys, db_file):
    code, out, _ = run(capsys, "actors", "--db", str(db_file), "--format", "json")
    ghani = next(a["id"] for a in json.loads(out) if a["name"] == "Ashraf Ghani")
    before_merge = _sha(db_file)
    code, out, err = run(capsys, "merge-actors", "afghan government", ghani[:8], "--db", str(db_file))
    assert code == 0 and "Merged Ashraf Ghani into Afghan government" in out, err
    code, listing, _ = run(capsys, "actors", "--db", str(db_file), "--format", "json")
    government = next(a for a in json.loads(listing) if a["name"] == "Afghan government")
    assert "Ashraf Ghani" in government["aliases"] and len(json.loads(listing)) == 11
    # backed up first; the sentence says how to undo, and doing what it says brings Ghani back
    undo = out.split("To undo the merge, restore that backup (what was changed after the merge goes with it): ")[1]
    program, command, name, *database = undo.split()
    assert (program, command, database) == ("accord-desk", "restore", ["--db", str(db_file)])
    assert (db_file.parent / f"{db_file.stem}-backups" / name).is_file() and name.endswith("-merge.sqlite")
    assert run(capsys, "restore", name, "--db", str(db_file))[0] == 0
    code, listing, _ = run(capsys, "actors", "--db", str(db_file), "--format", "json")
    assert "Ashraf Ghani" in {a["name"] for a in json.loads(listing)}
    assert _sha(db_file) != before_merge  # the restore is itself recorded (and backed up the merged record)
    run(capsys, "merge-actors", "afghan government", "ashraf ghani", "--db", str(db_file))
    before = _sha(db_file)
    for keep, other, sentence in [
        ("Afghan government", "Kabul", "'Kabul' names no actor"),
        (
            "Qatar",
            "United States",
            "Qatar is a mediator and United States a signatory of US–Taliban agreement",
        ),
    ]:
        code, _, err = run(capsys, "merge-actors", keep, other, "--db", str(db_file))
        assert code == 1 and sentence in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    assert _sha(db_file) == before


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_the_reports_use_the_officers_words_kept_in_the_record_and_a_file_wins_unsaved(
    capsys, example_store, tmp_path, qapp
):
    from docx import Document

    from db.ids import new_id
    from db.officer_words import save_words, words_history
    from db.tree import list_agreements

    with example_store.writing("Save the officer's words") as session:
        agreement_id = list_agreements(session)[0].id
        save_words(session, agreement_id, "Earlier words.", "Farida Rahimi", new_id())
    with example_store.writing("Save the officer's words") as session:
        save_words(session, agreement_id, 'Kept in the record: <b>literal</b> & "so".', "Farida Rahimi", new_id())
    example_store.close()
    db_file, target = example_store.path, tmp_path / "brief.pdf"
    assert run(capsys, "export-pdf", "--db", str(db_file), "--as-of", "2021-09-01", "-o", str(target))[0] == 0
    first = " ".join(subprocess.run(["pdftotext", "-l", "1", str(target), "-"], capture_output=True, text=True).stdout.split())
    assert 'Kept in the record: <b>literal</b> & "so".' in first and "Earlier words." not in first
    assert run(capsys, "export-docx", "--db", str(db_file), "--as-of", "2021-09-01", "-o", str(tmp_path / "b.docx"))[0] == 0
    assert 'Kept in the record: <b>literal</b> & "so".' in [p.text for p in Document(str(tmp_path / "b.docx")).paragraphs]
    summary = tmp_path / "summary.txt"
    summary.write_text("For this report only.\n", encoding="utf-8")
    argv = ["export-pdf", "--db", str(db_file), "--as-of", "2021-09-01", "-o", str(target), "--summary", str(summary)]
    assert run(capsys, *argv)[0] == 0
    first = " ".join(subprocess.run(["pdftotext", "-l", "1", str(target), "-"], capture_output=True, text=True).stdout.split())
    assert "For this report only." in first and "Kept in the record" not in first
    from db.store import Access, Store

    store = Store.open(db_file, access=Access.READ)
    try:
        with store.reading() as session:  # the file's words were not saved: the command only reads
            assert [v.text for v in words_history(session, agreement_id)] == [
                'Kept in the record: <b>literal</b> & "so".', "Earlier words."]
    finally:
        store.close()


def test_assignments_belong_to_a_team_database(example_store, capsys):
    """Issue 17: `accord-desk assign` on a database file says where assignments belong, and changes nothing."""
    path = example_store.path
    example_store.close()
    assert main(["assign", "amina", "doha-2020", "--db", str(path)]) != 0
    said = capsys.readouterr().err
    assert "is a database file, which has no roles" in said and "postgresql://USER@HOST/NAME" in said
