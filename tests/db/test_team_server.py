"""Issue 17, the server's half: roles that hold in the database, per-agreement rights by row-level
security, and the audit trail written by the server's own triggers in one hash chain (tests/team_db.py
makes the team database; its officers connect as themselves, with psql or psycopg)."""

import json
import subprocess
import threading
from datetime import date

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from db import audit, team_server
from db.errors import DatabaseError, RecordError
from db.models import Assessment, AuditEntry, Obligation
from tests.team_db import make_team, writing


@pytest.fixture
def team(pg_cluster):
    # Until the foundation's content digest speaks PostgreSQL (issue 17's other half): its hooks stand aside.
    from sqlalchemy import event

    from db import content

    event.remove(Session, "before_flush", content._count_out)
    event.remove(Session, "after_flush", content._count_in)
    try:
        team = make_team(pg_cluster)
        yield team
        team.dispose()
    finally:
        event.listen(Session, "before_flush", content._count_out)
        event.listen(Session, "after_flush", content._count_in)


def _refused(team, sql: str, officer: str | None) -> str:
    """psql's complaint when the server refuses `sql` run as `officer` (None: the owner)."""
    with pytest.raises(subprocess.CalledProcessError) as refused:
        team.psql(sql, officer)
    return refused.value.stderr


def _trail(engine) -> list:
    with engine.connect() as connection:
        return list(connection.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).mappings())


def _chain_holds(entries) -> bool:
    previous, expected_id = audit.GENESIS, 1
    for entry in entries:
        if entry["id"] != expected_id or audit.entry_hash(previous, entry) != entry["hash"]:
            return False
        previous, expected_id = entry["hash"], expected_id + 1
    return True


def test_every_record_table_says_which_agreement_its_rows_belong_to():
    tables = {name for name in SQLModel.metadata.tables if name != "auditentry"}
    assert set(team_server.AGREEMENT_OF) == tables


@pytest.mark.parametrize(
    ("database", "reader"),
    [
        ("team", "accord_team_reader"),
        ("Kabul-HQ 2", "accord_kabul_hq_2_reader"),
        ("x" * 80, "accord_" + "x" * 42 + "_reader"),
    ],
)
def test_roles_are_named_after_their_database_and_fit_postgresql(database, reader):
    roles = team_server.role_names(database)
    assert roles.reader == reader
    assert all(len(role) <= 63 for role in roles.all())


def test_the_servers_trail_is_one_hash_chain_that_db_audit_verifies(team):
    team.psql(f"UPDATE obligation SET title = 'Withdraw “all” troops\n' WHERE id = '{team.obligation_a}'", "amina")
    team.psql(f"DELETE FROM assessment WHERE obligation_id = '{team.obligation_a}'", "amina")
    entries = _trail(team.engine)
    assert [(e["operation"], e["table_name"]) for e in entries[-2:]] == [("update", "obligation"), ("delete", "assessment")]
    assert _chain_holds(entries)
    with team.engine.connect() as connection:
        assert team_server.head_row(connection) == (entries[-1]["id"], entries[-1]["hash"])
        assert team_server.pending_entries(connection) == 0


def test_an_entrys_after_is_the_row_as_db_audit_writes_it(team):
    with Session(team.engine) as session:
        obligation = session.get(Obligation, team.obligation_a)
        assessment = session.exec(select(Assessment).where(Assessment.obligation_id == team.obligation_a)).scalars().one()
    inserts = {e["row_id"]: e for e in _trail(team.engine) if e["operation"] == "insert"}
    assert inserts[obligation.id]["after"] == audit.dump(audit.row_values(obligation))
    assert inserts[assessment.id]["after"] == audit.dump(audit.row_values(assessment))  # an aware time, a date


def test_a_change_made_with_psql_is_audited_as_the_role_that_made_it_and_counts_as_a_version(team):
    team.psql(f"UPDATE obligation SET title = 'Withdraw' WHERE id = '{team.obligation_a}'", "amina")
    last = _trail(team.engine)[-1]
    assert last["who"] == team.officer("amina")
    assert last["action"] == "Changed outside Accord Desk (psql)"
    assert json.loads(last["after"])["version"] == json.loads(last["before"])["version"] + 1


def test_the_applications_action_and_the_database_role_name_the_entry(team):
    engine = team.engine_of("amina")
    with writing(engine, "Edit obligation", who="somebody else") as session:
        session.get(Obligation, team.obligation_a).title = "Withdraw in 14 months"
        session.commit()
    last = _trail(team.engine)[-1]
    assert (last["who"], last["action"], last["operation"]) == (team.officer("amina"), "Edit obligation", "update")
    engine.dispose()


def test_a_readers_write_is_refused_by_the_server(team):
    with team.connect("carla") as connection, pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        connection.execute("UPDATE obligation SET title = 'x'")
    sentence = team_server.refusal_sentence(refused.value, team.officer("carla"))
    assert sentence == team_server.reader_sentence(team.officer("carla"), "permission denied for table obligation")
    assert "may only read this team database" in sentence
    assert "permission denied for table assessment" in _refused(team, "DELETE FROM assessment", "carla")
    assert team.psql("SELECT count(*) FROM assessment").strip() == "2"


def test_an_officer_without_rights_on_an_agreement_cannot_change_its_rows_even_with_psql(team):
    before = team.psql("SELECT title, version FROM obligation ORDER BY id")
    for officer in ("bruno", "amina"):  # bruno has no agreement; amina has A, not B
        assert team.psql(f"UPDATE obligation SET title = 'x' WHERE id = '{team.obligation_b}'", officer) == ""
        team.psql(f"DELETE FROM assessment WHERE obligation_id = '{team.obligation_b}'", officer)
        insert = (
            "INSERT INTO assessment (id, obligation_id, as_of, status, confidence, rationale, assessed_by, "
            f"recorded_at, version) VALUES ('x', '{team.obligation_b}', '2020-07-01', 'met', 'high', '', "
            f"'{officer}', now(), 1)"
        )
        assert "violates row-level security policy" in _refused(team, insert, officer)
    assert team.psql("SELECT title, version FROM obligation ORDER BY id") == before
    assert team.psql(f"SELECT count(*) FROM assessment WHERE obligation_id = '{team.obligation_b}'").strip() == "1"
    team.psql(f"UPDATE obligation SET title = 'Withdraw all' WHERE id = '{team.obligation_a}'", "amina")
    assert team.psql(f"SELECT title FROM obligation WHERE id = '{team.obligation_a}'").strip() == "Withdraw all"


def test_the_application_says_whose_agreement_it_is_before_the_server_hides_the_row(team):
    engine = team.engine_of("amina")
    with writing(engine, "Edit obligation", who="amina") as session:
        session.get(Obligation, team.obligation_b).title = "x"
        with pytest.raises(RecordError, match="may not change the obligation row .* not assigned to you"):
            session.flush()
    engine.dispose()


def test_an_administrator_assigns_an_agreement_and_takes_it_back(team):
    bruno, change = team.officer("bruno"), f"UPDATE obligation SET title = 'y' WHERE id = '{team.obligation_b}' RETURNING id"
    dana = team.engine_of("dana")
    with dana.begin() as connection:
        assert team_server.assign(connection, bruno, team.agreement_b)
        assert not team_server.assign(connection, bruno, team.agreement_b)
    assert team.psql(change, "bruno").strip() == team.obligation_b
    with dana.begin() as connection:
        assert team_server.unassign(connection, bruno, team.agreement_b)
        assert (bruno, team.agreement_b) not in team_server.assignments(connection)
    dana.dispose()
    assert team.psql(change, "bruno") == ""
    insert = f"INSERT INTO agreementeditor (agreement_id, role_name) VALUES ('{team.agreement_b}', '{bruno}')"
    assert "permission denied for table agreementeditor" in _refused(team, insert, "amina")


def test_nobody_rewrites_the_trail_or_moves_the_head(team):
    for statement in ("UPDATE auditentry SET who = 'x'", "DELETE FROM auditentry", "UPDATE audithead SET entry_id = 0",
                      "INSERT INTO auditpending (who, action, operation, table_name, row_id) VALUES ('x','x','x','x','x')"):
        assert "permission denied" in _refused(team, statement, "dana")
    assert "append-only" in _refused(team, "DELETE FROM auditentry", None)  # not even the owner


def test_the_standing_of_each_officer(team):
    for officer, level in (("amina", "editor"), ("carla", "reader"), ("dana", "administrator")):
        engine = team.engine_of(officer)
        with engine.connect() as connection:
            assert team_server.standing(connection) == team_server.Standing(team.officer(officer), level)
        engine.dispose()


def test_each_officer_knows_which_agreements_they_may_change_and_hears_when_that_changes(team):
    def editable(officer):
        engine = team.engine_of(officer)
        with engine.connect() as connection:
            found = team_server.editable_agreements(connection, team_server.standing(connection).level)
        engine.dispose()
        return found

    assert [editable(o) for o in ("amina", "bruno", "carla", "dana")] == [
        frozenset({team.agreement_a}), frozenset(), frozenset(), None  # None: every one, new ones too
    ]
    with team.connect("carla", autocommit=True) as listener:
        listener.execute(f"LISTEN {team_server.CHANNEL}")
        dana = team.engine_of("dana")
        with dana.begin() as connection:
            team_server.assign(connection, team.officer("bruno"), team.agreement_b)
        dana.dispose()
        notices = [json.loads(n.payload) for n in listener.notifies(timeout=5, stop_after=1)]
    assert notices[0]["table"] == "agreementeditor" and notices[0]["who"] == team.officer("dana")
    assert editable("bruno") == frozenset({team.agreement_b})


def _edit_at_once(team, officers, title_of):
    """Each officer reads obligation A, then all write it at once: their UPDATEs meet on the row."""
    engines = [team.engine_of(officer) for officer in officers]
    sessions = [writing(engine, "Edit obligation", who=officer) for engine, officer in zip(engines, officers, strict=True)]
    for session in sessions:
        session.get(Obligation, team.obligation_a)
    start, outcomes = threading.Barrier(len(sessions)), {}

    def write(index):
        session = sessions[index]
        session.get(Obligation, team.obligation_a).title = title_of(index)
        start.wait()
        try:
            session.commit()
            outcomes[index] = "won"
        except StaleDataError:
            session.rollback()
            outcomes[index] = "refused"

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for session, engine in zip(sessions, engines, strict=True):
        session.close()
        engine.dispose()
    return outcomes


def test_two_officers_editing_one_obligation_at_once_one_wins_and_the_chain_follows_commit_order(team):
    team.psql(f"INSERT INTO agreementeditor (agreement_id, role_name) VALUES ('{team.agreement_a}', '{team.officer('bruno')}')")
    outcomes = _edit_at_once(team, ["amina", "bruno"], lambda i: f"Title by {i}")
    assert sorted(outcomes.values()) == ["refused", "won"]
    winner = next(i for i, o in outcomes.items() if o == "won")
    assert team.psql(f"SELECT title, version FROM obligation WHERE id = '{team.obligation_a}'").strip() == f"Title by {winner}|2"
    entries = _trail(team.engine)
    assert _chain_holds(entries)
    updates = [e for e in entries if e["operation"] == "update"]
    assert len(updates) == 1 and json.loads(updates[0]["after"])["title"] == f"Title by {winner}"


def test_a_refused_attempt_is_audited_in_a_transaction_of_its_own(team):
    sentence, amina = audit.stale_sentence("P1-A"), team.engine_of("amina")
    with amina.begin() as connection:
        team_server.set_action(connection, "Edit obligation")
        team_server.note_refusal(connection, "obligation", team.obligation_a, {"title": "Mine"}, sentence)
    amina.dispose()
    last = _trail(team.engine)[-1]
    assert (last["operation"], last["table_name"], last["who"]) == ("refused", "obligation", team.officer("amina"))
    assert json.loads(last["before"]) == {"refusal": sentence} and json.loads(last["after"]) == {"title": "Mine"}
    assert _chain_holds(_trail(team.engine))


def test_the_server_announces_each_change_with_who_made_it(team):
    with team.connect("carla", autocommit=True) as listener:
        listener.execute(f"LISTEN {team_server.CHANNEL}")
        team.psql(f"UPDATE obligation SET title = 'z' WHERE id = '{team.obligation_a}'", "amina")
        notices = [json.loads(n.payload) for n in listener.notifies(timeout=5, stop_after=1)]
    assert notices[0]["table"] == "obligation" and notices[0]["id"] == team.obligation_a
    assert notices[0]["who"] == team.officer("amina") and notices[0]["agreement"] == team.agreement_a


def test_a_big_change_is_announced_per_table(team):
    values = ", ".join(
        f"('n{i}', '{team.obligation_a}', '2020-07-01', 'met', 'high', '', 'a', now(), 1)"
        for i in range(team_server.NOTICES_PER_TRANSACTION + 1)
    )
    with team.connect("carla", autocommit=True) as listener:
        listener.execute(f"LISTEN {team_server.CHANNEL}")
        team.psql("INSERT INTO assessment (id, obligation_id, as_of, status, confidence, rationale, assessed_by, "
                  f"recorded_at, version) VALUES {values}", "amina")  # fmt: skip
        notices = [json.loads(n.payload) for n in listener.notifies(timeout=5, stop_after=1)]
        assert list(listener.notifies(timeout=0.5)) == []
    assert notices[0]["table"] == "assessment" and notices[0]["id"] is None
    assert date.fromisoformat("2020-07-01")  # the rows themselves are in the trail, one entry each
    assert sum(e["table_name"] == "assessment" and e["operation"] == "insert" for e in _trail(team.engine)) == 103


def test_assigning_by_the_agreements_title_says_what_was_done(team):
    bruno, dana = team.officer("bruno"), team.engine_of("dana")
    with dana.begin() as connection:
        assert team_server.assign_agreement(connection, bruno, "agreement b") == f"{bruno} may now edit Agreement B."
        assert team_server.assign_agreement(connection, bruno, team.agreement_b) == f"{bruno} already edits Agreement B."
        assert team_server.unassign_agreement(connection, bruno, "Agreement B") == f"{bruno} no longer edits Agreement B."
        carla = team_server.assign_agreement(connection, team.officer("carla"), "Agreement A")
        assert carla.endswith(f"is not an editor of this database yet, so this gives no rights until it is: GRANT {team.roles.editor} TO \"{team.officer('carla')}\").")
        with pytest.raises(DatabaseError, match="No agreement here is named 'Agreement C'; name one by its id"):
            team_server.assign_agreement(connection, bruno, "Agreement C")
        with pytest.raises(DatabaseError, match="The server has no database role nobody; create it first"):
            team_server.assign_agreement(connection, "nobody", "Agreement A")
    dana.dispose()
    amina = team.engine_of("amina")
    with amina.begin() as connection, pytest.raises(DatabaseError, match="Only an administrator"):
        team_server.assign_agreement(connection, bruno, "Agreement A")
    amina.dispose()


def test_an_update_of_a_rows_key_is_audited_as_its_delete_and_its_insert(team):
    """As db.audit writes a merge's moved links: the old row deleted, the new one inserted."""
    team.psql(f"UPDATE assessment SET id = 'moved' WHERE obligation_id = '{team.obligation_a}'", "amina")
    last = [(e["operation"], e["row_id"]) for e in _trail(team.engine)[-2:]]
    assert sorted(last) == [("delete", "assessment-a"), ("insert", "moved")]
    assert _chain_holds(_trail(team.engine))
