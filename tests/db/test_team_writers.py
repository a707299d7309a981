"""Issue 17's proofs with the application itself on a team database: two processes editing the same
obligation at once (one wins, the other gets the sentence, the trail has both attempts), and `check`
verifying the server's chain."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from db.examples import create_database
from db.integrity import check_record
from db.location import parse_location
from db.models import AuditEntry, Obligation
from db.store import Store

_EDIT = """
import sys, time
from dataclasses import replace
from pathlib import Path
from sqlmodel import select
from db import audit
from db.errors import UserError
from db.models import Obligation
from db.obligations import obligation_fields, update_obligation
from db.store import Store

address, ref, title, ready, go = sys.argv[1:]
store = Store.open(address)
with store.reading() as session:
    obligation_id = session.exec(select(Obligation.id).where(Obligation.ref == ref)).one()
    fields = obligation_fields(session, obligation_id)
    expect = audit.versions_read(session)
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.005)
try:
    with store.writing("Edit obligation", expect=expect) as session:
        update_obligation(session, obligation_id, replace(fields, title=title))
    print("won")
except UserError as error:
    print(error)
store.close()
"""


@pytest.fixture
def team_address(pg_cluster):
    """The example on the test server, made by `init` as the cluster's superuser; amina and bruno edit it."""
    address = pg_cluster.url("writers")
    create_database(parse_location(address), "doha-2020", user="tester").close()
    from db import team_server

    roles = team_server.role_names("writers")
    for officer in ("amina", "bruno"):
        pg_cluster.psql(f"CREATE ROLE writers_{officer} LOGIN IN ROLE {roles.editor}")
        pg_cluster.psql(
            f"INSERT INTO agreementeditor (agreement_id, role_name) SELECT id, 'writers_{officer}' FROM agreement",
            "writers",
        )
    yield address
    pg_cluster.psql("DROP DATABASE writers WITH (FORCE)")
    pg_cluster.psql("DROP ROLE writers_amina; DROP ROLE writers_bruno")


def test_two_processes_editing_the_same_obligation_at_once_one_wins_and_nothing_is_lost(
    pg_cluster, team_address, tmp_path
):
    go = tmp_path / "go"
    processes = {}
    for officer in ("amina", "bruno"):
        ready = tmp_path / officer
        processes[officer] = subprocess.Popen(
            [sys.executable, "-c", _EDIT, pg_cluster.url("writers", f"writers_{officer}"), "P1-A", f"Title by {officer}",
             str(ready), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2],
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while not all((tmp_path / officer).exists() for officer in processes) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    said = {officer: process.communicate(timeout=60) for officer, process in processes.items()}
    outcomes = {officer: out.strip() for officer, (out, _err) in said.items()}
    assert sorted(o == "won" for o in outcomes.values()) == [False, True], said
    winner = next(officer for officer, o in outcomes.items() if o == "won")
    loser = next(officer for officer in outcomes if officer != winner)
    assert outcomes[loser] == "P1-A was changed since you read it (on another desk or by an import); reload and try again."

    store = Store.open(team_address)
    try:
        with store.reading() as session:
            obligation = session.exec(select(Obligation).where(Obligation.ref == "P1-A")).one()
            entries = session.exec(
                select(AuditEntry).where(AuditEntry.row_id == obligation.id).order_by(AuditEntry.id)
            ).all()
        assert obligation.title == f"Title by {winner}"
        (update,) = [e for e in entries if e.operation == "update"]
        (refused,) = [e for e in entries if e.operation == "refused"]
        assert update.who == f"writers_{winner}" and json.loads(update.after)["title"] == f"Title by {winner}"
        assert refused.who == f"writers_{loser}" and json.loads(refused.after)["title"] == f"Title by {loser}"
        assert json.loads(refused.before) == {"refusal": outcomes[loser]}
        assert update.id < refused.id  # the refusal was written after the winner committed
        report = check_record(store)
        assert report.whole, report.lines()
    finally:
        store.close()
