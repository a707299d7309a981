"""Issue 17: the window learns of other officers' changes from the team server's notices, on a plain
thread of its own (gui/team_listener.py), and refreshes only what they touched."""

import psycopg
import pytest

from db.changes import Changes
from gui.desk import Desk
from gui.team_listener import TeamListener
from tests.team_db import make_team


@pytest.fixture
def team(pg_cluster):
    team = make_team(pg_cluster)
    yield team
    team.dispose()


@pytest.fixture
def listener(team, qtbot):
    desk = Desk()
    listener = TeamListener(desk, team.url("carla"), own_application="accord-desk-test-window")
    qtbot.waitUntil(lambda: listener.listening, timeout=10000)
    yield listener
    listener.stop()


def test_another_officers_change_reaches_the_desk_as_what_it_touched(team, listener, qtbot):
    changed, heard = [], []
    listener.desk.record_changed.connect(lambda changes, initiator: changed.append((changes, initiator)))
    listener.heard.connect(heard.append)
    team.psql(f"UPDATE obligation SET title = 'Withdraw all' WHERE id = '{team.obligation_a}'", "amina")
    qtbot.waitUntil(lambda: bool(heard), timeout=10000)
    assert changed == [(Changes(tree=True, obligations=frozenset({team.obligation_a})), listener)]
    assert heard == [f"{team.officer('amina')} changed an obligation."]


def test_the_windows_own_changes_are_not_heard_again(team, listener, qtbot):
    heard = []
    listener.heard.connect(heard.append)
    with psycopg.connect(team.url("amina"), application_name="accord-desk-test-window") as own:
        own.execute(f"UPDATE obligation SET title = 'Mine' WHERE id = '{team.obligation_a}'")
    team.psql(f"DELETE FROM assessment WHERE obligation_id = '{team.obligation_a}'", "amina")
    qtbot.waitUntil(lambda: bool(heard), timeout=10000)
    assert heard == [f"{team.officer('amina')} changed an assessment."]
