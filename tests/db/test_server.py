"""The record on a PostgreSQL server (issue 17's foundation): the address, `init`, the same answers as a
file, the server's refusals as one sentence, backups left to pg_dump, and `check` on the server.

These use the run's own server (tests/pg_cluster.py) whatever --engine says.
"""

import json
import subprocess

import pytest

from db.errors import DatabaseError, StorageError
from db.location import DRIVER, Server, parse_location
from db.models import Agreement
from db.store import SCHEMA_HEAD, Store
from gui.cli import main


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(pg_cluster, request):
    """The address of a database not yet made on the test server, dropped after the test."""
    name = "team_" + request.node.name.replace("[", "_").replace("]", "").replace("-", "_").lower()[:40]
    yield pg_cluster.url(name)
    pg_cluster.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize(
    ("typed", "driver", "shown"),
    [
        ("postgresql://ana@db.example.org/accord", DRIVER, "postgresql://ana@db.example.org/accord"),
        ("postgres://ana@db.example.org:5433/accord", DRIVER, "postgresql://ana@db.example.org:5433/accord"),
        ("postgresql+psycopg://ana:secret@db/accord", DRIVER, "postgresql://ana@db/accord"),
        ("postgresql://ana:s3cr3t@db.example.org/accord", DRIVER, "postgresql://ana@db.example.org/accord"),
    ],
)
def test_an_address_is_read_for_psycopg_3_and_shown_without_its_password(typed, driver, shown):
    location = parse_location(typed)
    assert isinstance(location, Server)
    assert location.url.drivername == driver
    assert (location.remembered, str(location)) == (shown, shown)
    assert "secret" not in location.name and "s3cr3t" not in location.name


def test_a_path_stays_a_path_and_an_address_without_a_database_is_refused(tmp_path):
    assert parse_location(str(tmp_path / "desk.sqlite")) == tmp_path / "desk.sqlite"
    with pytest.raises(DatabaseError, match=r"^postgresql://ana@db\.example\.org/? is not a database address; write"):
        parse_location("postgresql://ana:secret@db.example.org/")


def _export(capsys, db, tmp_path, name):
    out = tmp_path / f"{name}.csv"
    code, _out, err = run(capsys, "export-events", "--db", db, "-o", str(out))
    assert (code, err) == (0, "")
    return out.read_text(encoding="utf-8")


def test_the_example_on_a_server_gives_the_same_status_and_events_as_in_a_file(capsys, team, tmp_path):
    file = str(tmp_path / "desk.sqlite")
    for where in (file, team):
        code, out, err = run(capsys, "init", where)
        assert (code, err) == (0, ""), err
    assert "secret" not in out
    answers = {}
    for where in (file, team):
        code, out, err = run(capsys, "status", "--db", where, "--as-of", "2021-05-01", "--format", "json")
        assert (code, err) == (0, "")
        answers[where] = json.loads(out)
    assert answers[team] == answers[file]
    assert answers[team]["agreements"][0]["obligations"]
    events = {where: _export(capsys, where, tmp_path, name) for where, name in ((file, "file"), (team, "team"))}
    assert events[team] == events[file]
    assert len(events[team].splitlines()) > 5


def test_init_makes_the_schema_of_the_migrations_and_refuses_a_database_that_holds_one(capsys, team, pg_cluster):
    code, _out, err = run(capsys, "init", team, "--empty")
    assert (code, err) == (0, "")
    name = parse_location(team).database
    assert pg_cluster.psql("SELECT version_num FROM alembic_version", database=name).strip() == SCHEMA_HEAD
    code, _out, err = run(capsys, "init", team)
    assert code == 1
    assert err == (
        f"accord-desk: {parse_location(team)} already holds an Accord Desk record; choose a new database name, "
        "or open it with --db.\n"
    )


def test_the_servers_refusals_are_one_sentence(capsys, pg_cluster, tmp_path, team):
    run(capsys, "init", team, "--empty")
    cases = {
        "no server": (pg_cluster.url("accord").replace(str(pg_cluster.folder), str(tmp_path)),
                      "the server cannot be reached"),
        "no database": (pg_cluster.url("no_such_record"), "the server has no database no_such_record"),
        "no such role": (pg_cluster.url(parse_location(team).database, user="nobody"),
                         "the server refused the login of nobody"),
    }  # fmt: skip
    for case, (address, sentence) in cases.items():
        code, out, err = run(capsys, "status", "--db", address)
        assert (code, out) == (1, ""), case
        assert sentence in err, (case, err)
        assert err.count("\n") == 1 and "Traceback" not in err, case


def test_a_write_the_server_refuses_is_one_sentence_and_changes_nothing(pg_cluster, team):
    Store.create(team, user="tester").close()
    name = parse_location(team).database
    pg_cluster.psql(f"CREATE ROLE reader_{name} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader_{name}",
                    database=name)  # fmt: skip
    before = pg_cluster.psql("SELECT count(*) FROM obligation", database=name)
    try:
        store = Store.open(pg_cluster.url(name, user=f"reader_{name}"), user="reader")
        try:
            refused = (r"Your database role reader_\w+ may only read this team database, so the server refused the "
                       r"change \(permission denied for table \w+\); nothing was changed. Ask an administrator")
            with pytest.raises(StorageError, match=refused), store.writing("Add an agreement") as session:
                session.add(Agreement(title="A", short_title="A", place="Kabul"))
        finally:
            store.close()
    finally:
        pg_cluster.psql(f"DROP OWNED BY reader_{name}; DROP ROLE reader_{name}", database=name)
    assert pg_cluster.psql("SELECT count(*) FROM obligation", database=name) == before


def test_backups_of_a_server_are_pg_dumps_business(capsys, team):
    run(capsys, "init", team, "--empty")
    for command in ("backup", "backups"):
        code, out, err = run(capsys, command, "--db", team)
        assert (code, out) == (1, "")
        assert "whose backups are pg_dump's business: run pg_dump -Fc -f" in err
        assert err.count("\n") == 1


def test_check_verifies_the_record_on_the_server_and_names_a_table_changed_with_psql(capsys, team, pg_cluster):
    """The server's triggers audit a psql write (db.team_server); the content digest, kept by the
    application, then differs from the rows, and check says in which table."""
    run(capsys, "init", team)
    code, out, err = run(capsys, "check", "--db", team)
    assert (code, err) == (0, "")
    assert out.startswith("The record is whole:")
    name = parse_location(team).database
    pg_cluster.psql("UPDATE obligation SET title = 'Changed with psql' WHERE ref = 'P1-A.1'", database=name)
    code, out, err = run(capsys, "check", "--db", team)
    assert code == 1
    assert out.startswith("The record is not whole: 1 problems.\n  The content digest kept in the record does not "
                          "match its rows in obligation")


def test_the_audit_trail_on_a_server_is_append_only(team, pg_cluster):
    Store.create(team, user="tester").close()
    name = parse_location(team).database
    for statement in ("UPDATE auditentry SET who = 'someone else'", "DELETE FROM auditentry", "TRUNCATE auditentry"):
        with pytest.raises(subprocess.CalledProcessError) as refused:
            pg_cluster.psql(statement, database=name)
        assert "the audit trail is append-only" in refused.value.stderr


def test_a_team_database_and_a_desk_exchange_their_records_both_ways(capsys, team, tmp_path):
    desk = str(tmp_path / "field.sqlite")
    sent, back = tmp_path / "team.accord", tmp_path / "field.accord"
    assert run(capsys, "init", team)[0] == 0
    assert run(capsys, "init", desk, "--empty")[0] == 0
    code, out, err = run(capsys, "export-bundle", "--db", team, "-o", str(sent))
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "import-bundle", "--db", desk, str(sent))
    assert (code, err) == (0, "")
    statuses = [run(capsys, "status", "--db", where, "--as-of", "2021-05-01", "--format", "json")[1]
                for where in (team, desk)]  # fmt: skip
    assert statuses[0] == statuses[1]
    assert run(capsys, "export-bundle", "--db", desk, "-o", str(back))[0] == 0
    code, out, err = run(capsys, "import-bundle", "--db", team, str(back))
    assert (code, err) == (0, "") and out.startswith("Received field.accord")
