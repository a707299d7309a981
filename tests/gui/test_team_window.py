"""Issue 17 in the window: a reader's window is read-only and says why, and so is an editor's on an
agreement not assigned to them; File ▸ Connect to a team database… opens one; the status bar says who
changed what."""

import pytest

from db.examples import create_database
from db.location import parse_location
from db.store import Store
from gui.desk import Desk
from gui.main_window import MainWindow
from tests.gui.helpers import AS_OF

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


OTHER = "agreement-bonn"


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
    # A second agreement, not assigned to amina (the example is).
    pg_cluster.psql(
        f"INSERT INTO agreement (id, title, short_title, signed_on, place, version) "
        f"VALUES ('{OTHER}', 'Bonn Agreement', 'Bonn', '2021-12-05', 'Bonn', 1);"
        f"INSERT INTO obligation (id, agreement_id, position, ref, title, kind, ongoing, version) "
        f"VALUES ('obligation-bonn', '{OTHER}', 0, 'B-1', 'Form an interim authority', 'action', false, 1)",
        "teamwindow",
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


def _edits_offered(window) -> dict[str, bool]:
    """Every edit the window offers on the agreement shown, by name."""
    window.tree.select(window.desk.tree()[0].id)
    return {
        "new agreement": window.new_agreement_action.isEnabled(),
        "edit agreement": window.edit_agreement_action.isEnabled(),
        "add obligation": window.obligation_actions.add_sibling.isEnabled(),
        "edit obligation": window.obligation_actions.edit.isEnabled(),
        "assess": window.obligation_actions.add_assessment.isEnabled(),
        "new event": window.event_log.new_action.isEnabled(),
        "import events": window.event_log.import_action.isEnabled(),
        "edit an event's cell": window.event_log.model.editable,
        "add observation": all(b.isEnabled() for b in window.trajectory.edit_buttons),
    }


def test_an_editors_window_is_read_only_on_an_agreement_not_assigned_to_them(qtbot, settings_folder, pg_cluster, team_address):
    window = _window(qtbot, Store.open(pg_cluster.url("teamwindow", "teamwindow_amina")))
    try:
        doha = next(a.id for a in window.desk.agreements() if a.id != OTHER)
        window.desk.set_agreement(doha)
        offered = _edits_offered(window)
        assert offered == dict.fromkeys(offered, True) | {"new agreement": False}  # an editor adds none
        assert not window.read_only_banner.isVisible()

        window.desk.set_agreement(OTHER)
        assert _edits_offered(window) == dict.fromkeys(offered, False)
        sentence = (
            "Bonn is not assigned to your database role teamwindow_amina, so the server refuses your changes to it "
            "and it is open read-only here; ask an administrator to assign it to you (accord-desk assign)."
        )
        assert window.statusBar().currentMessage() == sentence
        assert window.read_only_banner.isVisible() and window.read_only_banner.text() == f"Read-only: {sentence}"
        assert "Bonn (read-only)" in window.windowTitle()

        # An administrator assigns Bonn to amina: her window reads her rights again and offers the edits.
        qtbot.waitUntil(lambda: window.team.listener is not None and window.team.listener.listening, timeout=10000)
        pg_cluster.psql(f"INSERT INTO agreementeditor (agreement_id, role_name) VALUES ('{OTHER}', 'teamwindow_amina')", "teamwindow")
        qtbot.waitUntil(lambda: not window.read_only_banner.isVisible(), timeout=10000)
        assert _edits_offered(window) == offered
        assert window.statusBar().currentMessage() == "postgres changed who edits which agreement."
    finally:
        pg_cluster.psql(f"DELETE FROM agreementeditor WHERE agreement_id = '{OTHER}'", "teamwindow")
        window.close()
        window.desk.close()
