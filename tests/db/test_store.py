"""The database file: pragmas, transactions, the audit trail, and files that must be refused untouched."""

import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

from db import audit, content, desk
from db.backup import list_backups
from db.errors import DatabaseError
from db.models import Actor, AuditEntry, Obligation
from db.obligations import obligation_fields
from db.search import is_index_table
from db.store import Store, schema_head

pytestmark = pytest.mark.sqlite_file("opening, checking and upgrading database files (a server's: tests/db/test_server.py)")


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_connections_enforce_foreign_keys_wal_and_full_sync(empty_store):
    with empty_store.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("foreign_keys") == 1
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL


def test_an_action_holds_the_write_lock_from_its_first_statement(empty_store):
    other = sqlite3.connect(empty_store.path, timeout=0, isolation_level=None)
    with empty_store.writing("Probe") as session:
        session.exec(select(Actor)).all()  # only a read so far, yet BEGIN IMMEDIATE took the lock
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_a_failed_action_leaves_nothing_behind(empty_store):
    with pytest.raises(RuntimeError), empty_store.writing("Add actor") as session:
        session.add(Actor(name="Ghost"))
        session.flush()
        raise RuntimeError("interrupted")
    with empty_store.reading() as session:
        assert session.exec(select(Actor)).all() == []
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "Add actor")).all() == []


def test_every_change_is_audited_with_who_what_before_and_after(empty_store):
    with empty_store.writing("Add actor") as session:
        actor = Actor(name="Qatar", kind="state")
        session.add(actor)
    with empty_store.writing("Rename actor") as session:
        session.get(Actor, actor.id).name = "State of Qatar"
    with empty_store.writing("Delete actor") as session:
        session.delete(session.get(Actor, actor.id))
    with empty_store.reading() as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.row_id == actor.id).order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.operation, e.table_name, e.who) for e in entries] == [
        ("Add actor", "insert", "actor", "tester"),
        ("Rename actor", "update", "actor", "tester"),
        ("Delete actor", "delete", "actor", "tester"),
    ]
    assert entries[0].before is None and json.loads(entries[0].after)["name"] == "Qatar"
    assert json.loads(entries[1].before)["name"] == "Qatar"
    assert json.loads(entries[1].after)["name"] == "State of Qatar"
    assert json.loads(entries[2].before)["name"] == "State of Qatar" and entries[2].after is None
    assert entries[0].at.tzinfo is not None  # aware UTC, not SQLite's naive datetimes


def test_changes_outside_an_action_are_refused(empty_store):
    with pytest.raises(RuntimeError, match="audited"), empty_store.reading() as session:
        session.add(Actor(name="Sneaky"))
        session.flush()


@pytest.mark.parametrize("statement", ["UPDATE auditentry SET who = 'x'", "DELETE FROM auditentry"])
def test_the_audit_trail_is_append_only(example_store, statement):
    connection = sqlite3.connect(example_store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute(statement)
    connection.close()


def _differences_from_the_models(connection) -> list:
    """What the migrations built that the models do not say, the search index's tables (db/search.py), the
    desk's own (db/desk.py) and the content digest's (db/content.py) aside: none of them record tables."""
    aside = lambda name: is_index_table(name) or name in desk.TABLES or name == content.TABLE  # noqa: E731
    context = MigrationContext.configure(
        connection, opts={"include_name": lambda name, kind, _parent: kind != "table" or not aside(name)}
    )
    return compare_metadata(context, SQLModel.metadata)


def test_migrations_build_exactly_the_models(empty_store):
    with empty_store.engine.connect() as connection:
        differences = _differences_from_the_models(connection)
    assert differences == []


def test_create_refuses_an_existing_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    with pytest.raises(DatabaseError, match="already exists"):
        Store.create(path)
    assert path.read_text() == "mine"


def _bad_files(tmp_path, example_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    corrupt = tmp_path / "corrupt.sqlite"
    data = bytearray(example_path.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * (4096 * 2)  # wreck the first pages after the header
    corrupt.write_bytes(bytes(data))
    newer = tmp_path / "newer.sqlite"
    newer.write_bytes(example_path.read_bytes())
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()
    return {
        "missing": (tmp_path / "missing.sqlite", "no such file"),
        "folder": (tmp_path, "is a folder"),
        "text": (text, "not an Accord Desk database"),
        "empty": (empty, "not an Accord Desk database"),
        "foreign": (foreign, "SQLite database but not an Accord Desk database"),
        "corrupt": (corrupt, "damaged"),
        "newer": (newer, "newer version of Accord Desk"),
    }


@pytest.mark.parametrize("kind", ["missing", "folder", "text", "empty", "foreign", "corrupt", "newer"])
def test_unusable_files_are_refused_untouched(tmp_path, example_store, kind):
    example_store.close()
    path, message = _bad_files(tmp_path, example_store.path)[kind]
    before = _digest(path) if path.is_file() else None
    with pytest.raises(DatabaseError, match=message) as refused:
        Store.open(path)
    assert "\n" not in str(refused.value)  # one sentence, not SQLite's list of problems
    assert (_digest(path) if path.is_file() else None) == before
    if path.is_file():
        assert not path.with_name(path.name + "-wal").exists()


def test_current_schema_opens_without_backup(example_store):
    example_store.close()
    store = Store.open(example_store.path)
    store.close()
    assert list(example_store.path.parent.glob("*.bak")) == [] and list_backups(example_store.path) == []


def test_the_head_constant_is_alembics_head():
    """Whoever adds a migration updates SCHEMA_HEAD in db/store.py (start-up reads no migration)."""
    from alembic.script import ScriptDirectory

    from db.store import _alembic_config

    assert schema_head() == ScriptDirectory.from_config(_alembic_config()).get_current_head()


def test_opening_a_current_database_imports_nothing_of_alembic(example_store):
    example_store.close()
    probe = (
        "import sys; from db.store import Store; from db.status_report import status_report; "
        "store = Store.open(sys.argv[1]); store.close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako', 'pygments')))"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(example_store.path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_a_database_at_0001_is_upgraded_after_a_backup_copy(tmp_path):
    from db.store import inspect_file
    from tests.database_files import database_at_0001

    path = database_at_0001(tmp_path / "old.sqlite")
    assert inspect_file(path) == "0001_record"

    store = Store.open(path)
    try:
        [made] = list_backups(path)  # db/backup.py: the rotation beside the database
        backup = made.path
        assert inspect_file(backup) == "0001_record" and inspect_file(path) == schema_head()
        with sqlite3.connect(backup) as copy:
            assert copy.execute("SELECT id FROM event").fetchall() == [("e1",)]  # the data, before the upgrade
        copy.close()
        with store.engine.connect() as connection:
            indexes = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE tbl_name = 'event'")}
            assert _differences_from_the_models(connection) == []
            assert connection.exec_driver_sql("SELECT event_type FROM event WHERE id = 'e1'").scalar() == "Battles"
        assert {"ix_event_type_occurred_on", "ix_event_grade_occurred_on"} <= indexes
        assert "ix_event_event_type" not in indexes
    finally:
        store.close()


def test_a_read_remembers_the_version_of_each_row_it_loaded(example_store):
    """What a form's OK expects (audit.versions_read): kept though the rows themselves are let go."""
    with example_store.reading() as session:
        session.exec(select(Actor.id)).all()  # a column read loads no row
        assert audit.versions_read(session) == {}
        obligation = session.exec(select(Obligation).where(Obligation.ref == "P1-D")).one()
        obligation_id, version = obligation.id, obligation.version
        del obligation
        obligation_fields(session, obligation_id)
        assert audit.versions_read(session) == {("obligation", obligation_id): version}
