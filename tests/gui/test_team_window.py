"""Issue 17 in the window: a reader's window is read-only and says why; File ▸ Connect to a team
database… opens one; the status bar says who changed what."""

import pytest

from db.examples import create_database
from db.location import parse_location
from db.store import Store
from gui.desk import Desk
from gui.main_window import MainWindow
from tests.gui.helpers import AS_OF

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture(scope="module")
def team_address(pg_cluster):
    address = pg_cluster.url("teamwindow")
    create_database(parse_location(address), "doha-2020", user="tester").close()
    from db import team_server

    roles = team_server.role_names("teamwindow")
    pg_cluster.psql(f"CREATE ROLE teamwindow_carla LOGIN IN ROLE {roles.reader}")
    pg_cluster.psql(f"CREATE ROLE teamwindow_amina LOGIN IN ROLE {roles.editor}")
    pg_cluster.psql(
        "INSERT INTO agreementeditor (agreement_id, role_name) SELECT id, 'teamwindow_amina' FROM agreement", "teamwindow"
    )
    yield address
    pg_cluster.psql("DROP DATABASE teamwindow WITH (FORCE)")
    pg_cluster.psql("DROP ROLE teamwindow_carla; DROP ROLE teamwindow_amina")


def _window(qtbot, store):
    desk = Desk(store, as_of=AS_OF)
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_readers_window_is_read_only_and_says_why(qtbot, settings_folder, pg_cluster, team_address):
    window = _window(qtbot, Store.open(pg_cluster.url("teamwindow", "teamwindow_carla")))
    try:
        assert window.read_only_banner.isVisible()
        assert "teamwindow_carla, a reader of this team database" in window.read_only_banner.text()
        assert not window.new_agreement_action.isEnabled()
        assert not window.obligation_actions.edit.isEnabled()
    finally:
        window.close()
        window.desk.close()


def test_another_officers_change_shows_in_the_status_bar_and_the_tree(qtbot, settings_folder, pg_cluster, team_address):
    window = _window(qtbot, Store.open(pg_cluster.url("teamwindow", "teamwindow_carla")))
    try:
        qtbot.waitUntil(lambda: window.team.listener is not None and window.team.listener.listening, timeout=10000)
        pg_cluster.psql("UPDATE obligation SET title = 'Withdraw everyone' WHERE ref = 'P1-A'", "teamwindow", "teamwindow_amina")
        qtbot.waitUntil(lambda: "teamwindow_amina changed an obligation" in window.statusBar().currentMessage(), timeout=10000)
        node = next(n for root in window.desk.tree() for n in root.walk() if n.ref == "P1-A")
        assert node.title == "Withdraw everyone"
    finally:
        window.close()
        window.desk.close()
