"""`accord-desk backup`, `backups` and `restore`, and the backups the import commands make first."""

import shutil
from pathlib import Path

import pytest

from db import backup
from db.backup import Reason
from db.examples import example_path
from db.store import Store
from tests.database_files import damage, event_rows, sha256
from tests.test_cli import run

DATA = Path(__file__).parent / "data"


@pytest.fixture
def db_file(example_store):
    example_store.close()
    return example_store.path


def _import_acled(capsys, db_file) -> None:
    code, _, err = run(capsys, "import-events", "--db", str(db_file), str(DATA / "acled_afghanistan.csv"))
    assert (code, err) == (0, "")


def test_backup_writes_a_copy_into_the_rotation_and_says_where(capsys, db_file):
    code, out, err = run(capsys, "backup", "--db", str(db_file))
    assert (code, err) == (0, "")
    [made] = backup.list_backups(db_file)
    assert made.reason is Reason.MANUAL and event_rows(made.path) == event_rows(db_file)
    assert (
        out
        == f"Backed up {db_file} to {made.path} ({backup.size_text(made.size)}: 1 agreement, 23 events).\n"
    )


def test_backup_to_a_named_file(capsys, db_file, tmp_path):
    target = tmp_path / "for-the-archive.sqlite"
    code, out, err = run(capsys, "backup", "--db", str(db_file), "-o", str(target))
    assert (code, err) == (0, "") and f"to {target} (" in out
    assert event_rows(target) == event_rows(db_file) and backup.list_backups(db_file) == []


def test_backups_lists_when_why_size_and_counts_and_the_total(capsys, db_file):
    code, out, _ = run(capsys, "backups", "--db", str(db_file))
    assert code == 0 and out == f"{db_file} has no backups yet; make one with 'accord-desk backup'.\n"
    _import_acled(capsys, db_file)  # makes its own backup first, of the record with 23 events
    run(capsys, "backup", "--db", str(db_file))
    listed = backup.list_backups(db_file)
    code, out, err = run(capsys, "backups", "--db", str(db_file))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Backups of {db_file} in {backup.backup_folder(db_file)}:"
    assert [line.split()[2:] for line in lines[1:3]] == [
        ["by", "hand", *backup.size_text(listed[0].size).split(), "1", "agreement,", "30", "events",
         listed[0].path.name, "chain", "head", f"{listed[0].head[1][:12]}…"],
        ["before", "an", "import", *backup.size_text(listed[1].size).split(), "1", "agreement,", "23", "events",
         listed[1].path.name, "chain", "head", f"{listed[1].head[1][:12]}…"],
    ]  # fmt: skip
    assert listed[0].head != listed[1].head  # the import between them moved the head
    assert lines[1].split()[0:2] == listed[0].taken.astimezone().strftime("%Y-%m-%d %H:%M").split()
    assert lines[3] == f"2 backups, {backup.size_text(backup.total_size(listed))} in all."


def test_import_agreement_is_preceded_by_a_backup(capsys, db_file):
    code, _, err = run(capsys, "import-agreement", "--db", str(db_file), str(example_path("doha-2020")))
    assert (code, err) == (0, "")
    [made] = backup.list_backups(db_file)
    assert (made.reason, made.agreements) == (Reason.IMPORT, 1)


def test_restore_brings_back_the_rows_and_keeps_the_record_it_replaced(capsys, db_file):
    run(capsys, "backup", "--db", str(db_file))
    [chosen] = backup.list_backups(db_file)
    before = event_rows(db_file)
    _import_acled(capsys, db_file)
    replaced = event_rows(db_file)
    code, out, err = run(capsys, "restore", str(chosen.path), "--db", str(db_file))
    assert (code, err) == (0, "")
    assert event_rows(db_file) == before
    kept = backup.list_backups(db_file)[0]
    assert kept.reason is Reason.RESTORE and event_rows(kept.path) == replaced
    assert out.splitlines() == [
        f"Restored {db_file} from {chosen.path} (1 agreement, 23 events).",
        f"The record it replaced is kept in {kept.path}.",
    ]


def test_restore_takes_a_backup_by_its_name_in_the_listing(capsys, db_file):
    run(capsys, "backup", "--db", str(db_file))
    [chosen] = backup.list_backups(db_file)
    _import_acled(capsys, db_file)
    code, _, err = run(capsys, "restore", chosen.path.name, "--db", str(db_file))
    assert (code, err) == (0, "") and len(event_rows(db_file)) == 23


def test_restore_over_a_damaged_database_sets_it_aside_untouched(capsys, db_file):
    run(capsys, "backup", "--db", str(db_file))
    [chosen] = backup.list_backups(db_file)
    damage(db_file)
    damaged = sha256(db_file)
    code, out, err = run(capsys, "restore", str(chosen.path), "--db", str(db_file))
    assert (code, err) == (0, "")
    [aside] = db_file.parent.glob("example.damaged-*.sqlite")
    assert sha256(aside) == damaged
    assert out.splitlines()[0] == f"{db_file} was damaged; it is kept as {aside}, untouched."
    assert event_rows(db_file) == event_rows(chosen.path)
    Store.open(db_file).close()


def _damaged_copy(tmp_path, db_file) -> Path:
    damaged = tmp_path / "damaged-backup.sqlite"
    shutil.copyfile(db_file, damaged)
    damage(damaged)
    return damaged


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing", "no such file; name a backup file ('accord-desk backups' lists them)."),
        ("text", "is not an Accord Desk database (it is not an SQLite file); choose a backup file."),
        ("damaged", "is damaged"),
        ("itself", "is the database itself; choose one of its backups."),
    ],
)
def test_restore_refuses_what_is_not_a_good_backup_in_one_sentence(capsys, db_file, tmp_path, case, message):
    paths = {
        "missing": tmp_path / "none.sqlite",
        "text": tmp_path / "notes.sqlite",
        "damaged": _damaged_copy(tmp_path, db_file),
        "itself": db_file,
    }
    paths["text"].write_text("shopping list")
    before = sha256(db_file)
    code, out, err = run(capsys, "restore", str(paths[case]), "--db", str(db_file))
    assert code == 1 and out == ""
    assert err.startswith("accord-desk: ") and message in err and len(err.splitlines()) == 1
    assert sha256(db_file) == before and backup.list_backups(db_file) == []


def test_backup_of_a_damaged_database_is_refused_in_one_sentence(capsys, db_file, tmp_path):
    damaged = _damaged_copy(tmp_path, db_file)
    code, _, err = run(capsys, "backup", "--db", str(damaged))
    assert code == 1 and "is damaged" in err and len(err.splitlines()) == 1


def test_one_backup_is_counted_in_the_singular(capsys, db_file):
    run(capsys, "backup", "--db", str(db_file))
    _, out, _ = run(capsys, "backups", "--db", str(db_file))
    assert out.splitlines()[-1].startswith("1 backup, ")


def test_backup_works_beside_the_window_that_writes_the_database(capsys, example_store):
    """The window holds the writer's lock; a backup only reads, so it is not refused."""
    code, out, err = run(capsys, "backup", "--db", str(example_store.path))
    assert (code, err) == (0, "") and out.startswith(f"Backed up {example_store.path} to ")
    [made] = backup.list_backups(example_store.path)
    assert event_rows(made.path) == event_rows(example_store.path)


def test_restore_while_the_window_holds_the_database_is_refused_in_one_sentence(capsys, example_store):
    made = backup.take(example_store, Reason.MANUAL)
    code, _, err = run(capsys, "restore", str(made.path), "--db", str(example_store.path))
    assert code == 1 and "is open in Accord Desk by" in err and len(err.splitlines()) == 1
    assert backup.list_backups(example_store.path) == [made]
