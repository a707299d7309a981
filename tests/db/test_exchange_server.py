"""Issue 17 with issue 16: a team database on a PostgreSQL server receives the field desks' bundles and sends
its own back out. The field desks are files; the server is the run's own (tests/pg_cluster.py), whatever
--engine says, and its trail is written by its triggers (db/team_server.py)."""

import json

import pytest
from sqlalchemy import create_engine
from sqlmodel import select

from db import team_server
from db.bundle import BundleError, export_bundle, read_bundle
from db.errors import UserError
from db.examples import create_database
from db.exchange import import_bundle
from db.integrity import check_record
from db.location import parse_location
from db.merge_report import Choice
from db.models import AuditEntry, Obligation
from db.store import Store
from tests.conftest import drop_server_database, server_copy
from tests.db.test_exchange_ids import _dots, _ids, _imported_as_before_ids_were_derived, _links
from tests.desks import assess, desks_at, digest, obligations, retitle
from tests.test_cli import run

OWNER = "receiver"  # the role that made the server's databases (a superuser, as `init` may run)


@pytest.fixture(scope="module")
def server_templates(pg_cluster):
    pg_cluster.psql(f"DO $$ BEGIN CREATE ROLE {OWNER} SUPERUSER LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    made = {}
    for name, example in (("example", "doha-2020"), ("empty", None)):
        made[name] = parse_location(pg_cluster.url(f"receive_template_{name}", user=OWNER))
        create_database(made[name], example, user=OWNER).close()
    yield made
    for location in made.values():
        drop_server_database(pg_cluster, location)


@pytest.fixture
def server(pg_cluster, server_templates):
    """server(name): a Store on a new database of the test server, a copy of the template `name`."""
    opened = []

    def make(name: str) -> Store:
        location = server_copy(pg_cluster, server_templates[name], f"receive_{name}")
        opened.append((location, Store.open(location, user=OWNER)))
        return opened[-1][1]

    yield make
    for location, store in opened:
        store.close()
        drop_server_database(pg_cluster, location)


@pytest.fixture
def field(desk_templates, tmp_path):
    """A field desk (a file that loaded the example itself), and an empty file to receive as the server does."""
    desk, _ = desks_at(desk_templates, tmp_path)
    create_database(tmp_path / "copy.sqlite", None, user="bruno").close()
    copy = Store.open(tmp_path / "copy.sqlite", user="bruno")
    yield desk, copy
    desk.close()
    copy.close()


def _bundle(store: Store, folder, name: str, since=None):
    out = folder / f"{name}.accord"
    export_bundle(store, out, since=since)
    return out


def _trail(store: Store) -> list[AuditEntry]:
    with store.reading() as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).all())


def _whole(store: Store) -> None:
    report = check_record(store)
    assert report.whole, report.lines()


def _title(store: Store, obligation_id: str) -> str:
    with store.reading() as session:
        return session.get(Obligation, obligation_id).title


# --- the field desk's bundle merges into the server as into a file ----------------------------------------------


def test_a_field_desks_bundles_received_into_the_server_give_the_content_they_give_a_file(server, field, tmp_path):
    desk, copy = field
    team = server("empty")
    first = _bundle(desk, tmp_path, "first")
    into_team, into_copy = import_bundle(team, first), import_bundle(copy, first)
    assert into_team.counts == into_copy.counts and into_team.counts["obligation"]["added"] == 25
    assert digest(team) == digest(copy) == digest(desk)
    obligation_id = obligations(desk)[3]
    retitle(desk, obligation_id, "Retitled in the field")
    assess(desk, obligations(desk)[5], "Seen from the field office")
    since = _bundle(desk, tmp_path, "since", since=first)  # only what changed since: the dots decide on the server
    into_team, into_copy = import_bundle(team, since), import_bundle(copy, since)
    assert into_team.counts == into_copy.counts
    assert (into_team.counts["obligation"]["updated"], into_team.counts["assessment"]["added"]) == (1, 1)
    assert digest(team) == digest(copy) == digest(desk)
    assert _title(team, obligation_id) == "Retitled in the field"
    _whole(team)


def test_the_server_sends_what_it_received_and_its_own_changes_back_out(server, field, tmp_path):
    desk, copy = field
    team = server("empty")
    import_bundle(team, _bundle(desk, tmp_path, "field"))
    obligation_id = obligations(team)[7]
    retitle(team, obligation_id, "Retitled at headquarters")
    back = _bundle(team, tmp_path, "team")  # it holds the field desk's trail as received: that goes too
    sent = read_bundle(back)
    assert set(sent.trail.chains()) == {sent.desk_id, read_bundle(tmp_path / "field.accord").desk_id}
    report = import_bundle(desk, back)
    assert report.conflicts == [] and report.counts["obligation"]["updated"] == 1
    assert _title(desk, obligation_id) == "Retitled at headquarters"
    assert digest(desk) == digest(team)
    import_bundle(copy, back)  # a desk that never saw the field desk gets the same record from the server
    assert digest(copy) == digest(team)
    _whole(desk)


def test_the_servers_trail_records_the_merge_as_one_entry_naming_the_bundle_and_check_verifies_it(server, field, tmp_path):
    desk, _ = field
    team = server("example")
    before = _trail(team)
    retitle(desk, obligations(desk)[2], "Retitled in the field")
    out = _bundle(desk, tmp_path, "field")
    bundle = read_bundle(out)
    import_bundle(team, out)
    new = _trail(team)[len(before) :]
    merges = [e for e in new if e.operation == "merge"]
    assert [(m.row_id, m.who, m.action) for m in merges] == [
        (bundle.content_sha256, OWNER, f"Receive bundle {bundle.content_sha256[:12]}")
    ]
    summary = json.loads(merges[0].after)
    assert (summary["bundle"], summary["from_desk"]) == (bundle.content_sha256, bundle.desk_id)
    assert summary["counts"]["obligation"]["updated"] == 1
    assert {e.action for e in new} == {merges[0].action}  # the rows it wrote, audited by the server's triggers
    with team.reading() as session:  # the rows taken name the merge's entry, given by the server at commit
        at = set(session.connection().exec_driver_sql("SELECT DISTINCT at_entry FROM received_change").scalars())
        received = session.connection().exec_driver_sql(
            "SELECT count(*) FROM received_entry WHERE chain = %(chain)s", {"chain": bundle.desk_id}
        ).scalar_one()
    assert at == {merges[0].id}
    assert received == bundle.trail.count(bundle.desk_id)  # the field desk's trail, kept as received
    _whole(team)


def test_records_two_desks_named_differently_take_the_smaller_id_on_the_server(server, field, tmp_path, monkeypatch):
    """Natural keys: the same ACLED file imported with random ids on both; the server's records move to the
    field desk's id where it is the smaller, with every row naming them (its foreign keys deferred)."""
    desk, _ = field
    team = server("example")
    _imported_as_before_ids_were_derived(desk, monkeypatch)
    _imported_as_before_ids_were_derived(team, monkeypatch)
    before_desk, before_team = _ids(desk), _ids(team)
    there = import_bundle(team, _bundle(desk, tmp_path, "field"))
    assert there.conflicts == [] and there.counts["event"]["added"] == 0
    assert any("takes the id" in line for line in there.lines())
    back = import_bundle(desk, _bundle(team, tmp_path, "team"))
    assert back.conflicts == [] and back.counts["event"]["added"] == 0
    after = _ids(team)
    assert after == _ids(desk) and _links(team) == _links(desk)
    for kind, named in after.items():
        for name, record_id in named.items():
            assert record_id == min(before_desk[kind].get(name, record_id), before_team[kind].get(name, record_id))
    assert digest(team) == digest(desk)
    assert _dots(team) == _dots(desk)  # each renamed row kept the change it held, read in the receive's transaction
    _whole(team)


# --- conflicts, dry runs and refusals leave the server as it was ------------------------------------------------


def _conflicting(server, field, tmp_path):
    desk, _ = field
    team = server("example")
    obligation_id = obligations(desk)[4]
    retitle(desk, obligation_id, "The field's title")
    retitle(team, obligation_id, "Headquarters' title")
    return team, obligation_id, _bundle(desk, tmp_path, "field")


def test_a_dry_run_on_the_server_lists_the_conflict_and_writes_nothing_nor_does_a_receive_without_a_choice(
    server, field, tmp_path
):
    team, obligation_id, out = _conflicting(server, field, tmp_path)
    before, entries = digest(team), len(_trail(team))
    for dry_run in (True, False):
        report = import_bundle(team, out, dry_run=dry_run)
        assert [c.key for c in report.conflicts] == [("obligation", obligation_id)] and not report.written
        assert (digest(team), len(_trail(team))) == (before, entries)
    assert _title(team, obligation_id) == "Headquarters' title"


@pytest.mark.parametrize(("prefer", "title"), [(Choice.MINE, "Headquarters' title"), (Choice.THEIRS, "The field's title")])
def test_a_conflict_on_the_server_is_settled_as_preferred(server, field, tmp_path, prefer, title):
    team, obligation_id, out = _conflicting(server, field, tmp_path)
    report = import_bundle(team, out, prefer=prefer)
    assert report.written and _title(team, obligation_id) == title
    again = import_bundle(field[0], _bundle(team, tmp_path, "team"))  # the server's choice is newer than both
    assert again.conflicts == [] and _title(field[0], obligation_id) == title
    _whole(team)


def test_a_truncated_bundle_is_refused_by_the_server_in_a_sentence_and_changes_nothing(server, field, tmp_path, capsys):
    desk, _ = field
    team = server("example")
    retitle(desk, obligations(desk)[1], "Retitled in the field")
    out = _bundle(desk, tmp_path, "field")
    cut = tmp_path / "cut.accord"
    cut.write_bytes(out.read_bytes()[:-200])
    before, entries = digest(team), len(_trail(team))
    with pytest.raises(BundleError, match=r"cannot be received: it is not a whole Accord Desk bundle"):
        import_bundle(team, cut)
    code, said, err = run(capsys, "import-bundle", str(cut), "--db", str(team.location))
    assert (code, said) == (1, "") and err.count("\n") == 1 and "nothing was changed" in err
    assert (digest(team), len(_trail(team))) == (before, entries)


def test_a_deletion_the_server_still_uses_is_refused_and_nothing_is_written(server, field, tmp_path):
    from db.obligations import delete_obligation

    desk, _ = field
    team = server("example")
    obligation_id = obligations(desk)[6]
    with desk.writing("Delete obligation") as session:
        delete_obligation(session, obligation_id)
    assess(team, obligation_id, "Still watched at headquarters")
    before = digest(team)
    with pytest.raises(UserError, match="cannot be deleted as the other desk did: this desk.s records still use it; nothing was changed"):
        import_bundle(team, _bundle(desk, tmp_path, "field"), prefer=Choice.THEIRS)
    assert digest(team) == before


# --- the officers' rights hold on a receive -------------------------------------------------------------------------


@pytest.fixture
def officers(pg_cluster, server_templates):
    """The example on the server with its own roles (db.team_server.install on the copy): an editor the
    agreement is assigned to, one it is not, and a reader. Yields the owner's Store and each officer's address."""
    location = server_copy(pg_cluster, server_templates["example"], "receive_officers")
    database = location.database
    engine = create_engine(location.url)
    with engine.begin() as connection:
        roles = team_server.install(connection)
    engine.dispose()
    names = {"assigned": roles.editor, "unassigned": roles.editor, "reader": roles.reader}
    for officer, role in names.items():
        pg_cluster.psql(f"CREATE ROLE {database}_{officer} LOGIN IN ROLE {role}")
    pg_cluster.psql(f"INSERT INTO agreementeditor SELECT id, '{database}_assigned' FROM agreement", database)
    team = Store.open(location, user=OWNER)
    yield team, {officer: pg_cluster.url(database, f"{database}_{officer}") for officer in names}
    team.close()
    drop_server_database(pg_cluster, location)  # first: its grants name the roles
    pg_cluster.psql("".join(f"DROP ROLE {database}_{officer};" for officer in names))


def _field_change(field, tmp_path) -> tuple:
    desk, _ = field
    obligation_id = obligations(desk)[2]
    retitle(desk, obligation_id, "Retitled in the field")
    return obligation_id, _bundle(desk, tmp_path, "field")


def test_a_readers_receive_is_refused_in_one_sentence(officers, field, tmp_path, capsys):
    team, address = officers
    _, out = _field_change(field, tmp_path)
    before, entries = digest(team), len(_trail(team))
    code, said, err = run(capsys, "import-bundle", str(out), "--db", address["reader"])
    role = f"{team.location.database}_reader"
    assert (code, said) == (1, "")
    assert err == (
        f"accord-desk: {out} cannot be received into {parse_location(address['reader']).name}: your database role "
        f"{role} may only read it; nothing was changed. Ask an administrator for the editor role.\n"
    )
    assert (digest(team), len(_trail(team))) == (before, entries)


def test_an_editors_receive_into_an_agreement_not_assigned_to_them_is_refused_by_the_server(officers, field, tmp_path, capsys):
    team, address = officers
    obligation_id, out = _field_change(field, tmp_path)
    before, entries = digest(team), len(_trail(team))
    code, said, err = run(capsys, "import-bundle", str(out), "--db", address["unassigned"])
    assert (code, said) == (1, "") and err.count("\n") == 1 and "Traceback" not in err
    assert "may not change" in err and "not assigned to you; nothing was changed" in err
    assert (digest(team), len(_trail(team))) == (before, entries)
    # and the server itself refuses it, not only the application: the same rows written as that officer with psql
    role = f"{team.location.database}_unassigned"
    engine = create_engine(team.location.url.set(username=role))
    with engine.connect() as connection, pytest.raises(Exception, match="row-level security|permission denied"):
        connection.exec_driver_sql(
            "INSERT INTO received_change VALUES ('obligation', %(id)s, 'someone', 1, 1, false)", {"id": obligation_id}
        )
    engine.dispose()
    code, said, err = run(capsys, "import-bundle", str(out), "--db", address["assigned"])  # the assigned editor may
    assert (code, err) == (0, "") and said.startswith("Received field.accord")
    assert _title(team, obligation_id) == "Retitled in the field"
    [merge] = [e for e in _trail(team)[entries:] if e.operation == "merge"]
    assert merge.who == f"{team.location.database}_assigned"
    _whole(team)


def test_every_foreign_key_on_a_server_is_deferrable(server):
    """A receive defers them (db.dialects.defer_foreign_keys): a key added later that is not would make a
    tree's rows or a renamed record fail there."""
    team = server("empty")
    with team.reading() as session:
        keys = session.connection().exec_driver_sql(
            "SELECT conrelid::regclass::text, conname, condeferrable, condeferred FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1, 2"
        ).all()
    assert len(keys) >= 15
    assert [k for k in keys if not (k.condeferrable and not k.condeferred)] == []


@pytest.mark.parametrize("where", ["file", "server"])
def test_a_row_left_naming_nothing_is_found_at_the_end_and_the_trail_is_untouched(server, field, where):
    """db.dialects: the foreign keys deferred for a receive, then checked at its end (on a server by making
    them immediate one by one, so the audit chain's own deferred trigger still runs last, at commit)."""
    from db.dialects import dangling_reference, defer_foreign_keys

    store = field[0] if where == "file" else server("example")
    entries = len(_trail(store))
    obligation_id = obligations(store)[0]
    with pytest.raises(RuntimeError, match="rolled back"), store.writing("Test") as session:
        connection = session.connection()
        defer_foreign_keys(connection)
        connection.exec_driver_sql(
            f"INSERT INTO obligationobligor (obligation_id, actor_id, position, version) "
            f"VALUES ('{obligation_id}', 'no-such-actor', 9, 1)"
        )
        table, row, parent = dangling_reference(connection)
        assert (table, parent) == ("obligationobligor", "actor")
        assert "no-such-actor" in row or row.startswith("rowid ")
        raise RuntimeError("rolled back")
    with store.writing("Test") as session:
        defer_foreign_keys(session.connection())
        assert dangling_reference(session.connection()) is None
    assert len(_trail(store)) == entries
