"""Issue 11 at the command line: nothing poisons the record, every written file is whole, and no
traceback reaches the officer — each finding of the issue as the officer met it."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from db.examples import example_path
from gui import cli
from gui.crash_log import LOG_NAME
from tests.record_digest import content_digest
from tests.test_cli import run

OVERFLOWING_RULES = [
    "3000000 days after signing",
    "8000 years after signing",
    "100000 months after signing",
    "99999999999 days after signing",
]


@pytest.fixture
def db_file(example_store):
    example_store.close()
    return example_store.path


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    """The data folder (platformdirs follows XDG_DATA_HOME), where the log of defects goes."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "accord-desk"


def _one_sentence(code, out, err):
    assert code == 1 and out == ""
    assert err.startswith("accord-desk: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def _document(tmp_path, old: str, new: str) -> Path:
    text = example_path("doha-2020").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "agreement.json"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


RULE = '"rule": "135 days after signing"'
BAD_DOCUMENTS = {
    **{rule: (RULE, f'"rule": "{rule}"', "is longer than the record's calendar") for rule in OVERFLOWING_RULES},
    "after s": (RULE, '"rule": "135 days after s"', "there is no clause s in this agreement"),
    "Infinity target": ('"value": 8600', '"value": Infinity', "inf is not a figure"),
    "NaN target": ('"value": 8600', '"value": NaN', "nan is not a figure"),
    "latitude 1000": ('"latitude": null,\n        "longitude": null', '"latitude": 1000, "longitude": 65', "1000 is not a latitude"),
    "version true": ('"version": 1', '"version": true', "version True is not supported"),
    "too large for SQLite": ('"fatalities": null', '"fatalities": 18446744073709551616', "is not a number of fatalities"),
    "over 4,300 digits": ('"value": 8600', '"value": 1' + "0" * 5000, "inf is not a figure"),
    "lone surrogate": ('"name": "Taliban"', '"name": "Taliban\\ud800"', "holds a broken character"),
    "duplicate party": ('"parties": [', '"parties": [{"actor": "us", "role": "observer"}, ', "the party 'us' appears twice"),
    "duplicate dependency": ('"depends_on": [', '"depends_on": [{"ref": "P2"}, {"ref": "P2"}, ', "appears twice"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_import_agreement_refuses_what_would_poison_the_record(capsys, db_file, tmp_path, case):
    old, new, says = BAD_DOCUMENTS[case]
    before = content_digest(db_file)
    code, out, err = run(capsys, "import-agreement", "--db", str(db_file), str(_document(tmp_path, old, new)))
    _one_sentence(code, out, err)
    assert says in err and "correct the document and import it again." in err
    assert content_digest(db_file) == before


def test_import_agreement_of_a_deep_a_folder_and_an_endless_file(capsys, db_file, tmp_path, monkeypatch):
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "accord-desk/agreement", "version": 1, "x": ' + "[" * 5000 + "]" * 5000 + "}")
    monkeypatch.setattr("db.agreement_document.MAX_DOCUMENT_BYTES", 2**20)
    before = content_digest(db_file)
    for source, says in (
        (deep, "correct the document"),  # "nested too deeply", or on Python 3.13 the node it cannot use
        (tmp_path, "is a folder"),
        (Path("/dev/zero"), "larger than"),
    ):
        code, out, err = run(capsys, "import-agreement", "--db", str(db_file), str(source))
        _one_sentence(code, out, err)
        assert says in err
    assert content_digest(db_file) == before


def test_import_events_from_dev_zero_ends(capsys, db_file, monkeypatch):
    monkeypatch.setattr("db.event_file.MAX_HELD_BYTES", 2**20)
    code, out, err = run(capsys, "import-events", "--db", str(db_file), "/dev/zero")
    _one_sentence(code, out, err)
    assert "more than 1 MB come without a line break" in err


@pytest.mark.parametrize("rule", OVERFLOWING_RULES)
def test_a_record_saved_with_an_overflowing_rule_still_opens(capsys, db_file, tmp_path, qtbot, rule):
    """Saved before the bounds (or by another program): status, the PDF and the window show it pending."""
    with sqlite3.connect(db_file) as connection:
        connection.execute("UPDATE obligation SET deadline_rule = ? WHERE ref = 'P1-A.1'", (rule,))
    connection.close()
    code, out, err = run(capsys, "status", "--db", str(db_file), "--as-of", "2020-09-01")
    assert (code, err) == (0, "") and "P1-A.1" in out
    code, out, err = run(capsys, "export-pdf", "--db", str(db_file), "-o", str(tmp_path / "r.pdf"))
    assert (code, err) == (0, "")
    from db.store import Store
    from gui.desk import Desk
    from gui.main_window import MainWindow

    desk = Desk(Store.open(db_file, user="tester"))
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.close()
    desk.close()


def test_a_record_saved_with_infinite_figures_still_draws(capsys, db_file, tmp_path, qtbot):
    """export-pdf died with "Cannot set range [-inf, inf]" and the trajectory panel raised in a slot."""
    with sqlite3.connect(db_file) as connection:
        connection.execute("UPDATE targetpoint SET value = ? WHERE value = 8600", (float("inf"),))
        connection.execute(
            "UPDATE observation SET value = ? WHERE value = 8500", (float("-inf"),)
        )  # NaN binds as NULL
    connection.close()
    code, out, err = run(capsys, "export-pdf", "--db", str(db_file), "-o", str(tmp_path / "r.pdf"))
    assert (code, err) == (0, "")
    from db.store import Store
    from gui.desk import Desk
    from gui.trajectory_panel import TrajectoryPanel
    from tests.gui.test_trajectory_panel import _ref_id

    desk = Desk(Store.open(db_file, user="tester"))
    panel = TrajectoryPanel(desk)
    qtbot.addWidget(panel)
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    assert panel.series.name == "US troops in Afghanistan"
    desk.close()


# --- every written file whole -----------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def small_disk(tmp_path, db_file, capsys, qapp):
    """A tmpfs holding a good previous report, with room for less than a second one."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    previous = tmp_path / "previous.pdf"
    code, _, err = run(capsys, "export-pdf", "--db", str(db_file), "--events", "all", "-o", str(previous))
    assert (code, err) == (0, "")
    disk = tmp_path / "disk"
    disk.mkdir()
    size = (previous.stat().st_size + 32 * 1024) // 4096 * 4096
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], check=True)
    try:
        (disk / "report.pdf").write_bytes(previous.read_bytes())
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_pdf_export_onto_a_full_disk_fails_and_keeps_the_previous_report(capsys, db_file, small_disk):
    """It printed "Wrote … (248 pages)", exited 0 and put a 36 KB file no reader opens in its place."""
    target = small_disk / "report.pdf"
    before = _sha(target)
    code, out, err = run(capsys, "export-pdf", "--db", str(db_file), "--events", "all", "-o", str(target))
    _one_sentence(code, out, err)
    assert f"{target} could not be written whole (is the disk full?)" in err
    assert _sha(target) == before
    assert os.listdir(small_disk) == ["report.pdf"]


def test_a_pdf_writer_that_fails_keeps_the_previous_report(capsys, db_file, tmp_path, qapp, monkeypatch):
    """The same without root: a painter that cannot end its document."""
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-the previous report\n%%EOF\n")
    monkeypatch.setattr("gui.report_pdf.QPainter.end", lambda painter: False)
    code, out, err = run(capsys, "export-pdf", "--db", str(db_file), "-o", str(target))
    _one_sentence(code, out, err)
    assert target.read_bytes() == b"%PDF-the previous report\n%%EOF\n"
    assert os.listdir(tmp_path) == ["report.pdf"] or ".part" not in "".join(os.listdir(tmp_path))


# --- no traceback, ever ------------------------------------------------------------------------------


@pytest.fixture
def read_only_db(db_file):
    """A database file nobody may write: immutable for root (chmod does not stop root), else mode 0444."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(db_file)], capture_output=True).returncode:
            pytest.skip("chattr +i is not supported here")
        yield db_file
        subprocess.run(["chattr", "-i", str(db_file)], check=True)
    else:
        db_file.chmod(0o444)
        yield db_file


@pytest.mark.parametrize(
    "argv",
    [
        ["import-events", "tests/data/acled_afghanistan.csv"],
        ["import-agreement", str(example_path("doha-2020"))],
    ],
    ids=["import-events", "import-agreement"],
)
def test_a_read_only_database_is_explained_in_one_sentence(capsys, read_only_db, argv):
    """It was a traceback: "attempt to write a readonly database" (db/store.py's StorageError now)."""
    before = content_digest(read_only_db)
    code, out, err = run(capsys, argv[0], "--db", str(read_only_db), *argv[1:])
    _one_sentence(code, out, err)
    assert "read-only" in err and "internal error" not in err
    assert content_digest(read_only_db) == before


def test_a_defect_is_one_sentence_and_its_traceback_goes_to_the_log(
    capsys, db_file, data_folder, monkeypatch
):
    def broken(args):
        raise ZeroDivisionError("a defect of ours")

    monkeypatch.setitem(cli.COMMANDS, "status", broken)
    code, out, err = run(capsys, "status", "--db", str(db_file))
    _one_sentence(code, out, err)
    log = data_folder / LOG_NAME
    assert err == (
        "accord-desk: Accord Desk met an internal error (ZeroDivisionError) and did not finish that action; "
        f"the details are in {log}: please send them to whoever supports Accord Desk.\n"
    )
    text = log.read_text(encoding="utf-8")
    assert "accord-desk status failed" in text and "Traceback" in text and "a defect of ours" in text
