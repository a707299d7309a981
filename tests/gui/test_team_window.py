"""Issue 17 in the window: a reader's window is read-only and says why, and so is an editor's on an
agreement not assigned to them; File ▸ Connect to a team database… opens one; the status bar says who
changed what."""

import json
import time

import pytest
from sqlmodel import select

from db.audit import stale_sentence
from db.examples import create_database
from db.location import parse_location
from db.models import AuditEntry, Obligation
from db.store import Store
from db.team_address import address
from gui.connect_dialog import KEYRING_SERVICE, ConnectDialog
from gui.desk import Desk
from gui.export_summary_dialog import ExportSummaryDialog
from gui.main_window import MainWindow
from tests.gui.helpers import AS_OF, find, while_open

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
        offered = _edits_offered(window)
        assert offered == dict.fromkeys(offered, False)
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
        "write the officer's assessment": not ExportSummaryDialog(window.desk, window).words.isReadOnly(),
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


def _attempts(store, row_id: str) -> list[tuple[str, str, str]]:
    """(operation, who, title written or tried) of the trail's entries about the obligation, newest last."""
    with store.reading() as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.row_id == row_id).order_by(AuditEntry.id)).all()
    return [(e.operation, e.who, json.loads(e.after).get("title", "")) for e in entries if e.after]


@pytest.fixture
def amina(qtbot, settings_folder, pg_cluster, team_address):
    """amina's window (an editor of the example), and what it said to her."""
    window = _window(qtbot, Store.open(pg_cluster.url("teamwindow", "teamwindow_amina")))
    said = []
    window.desk.action_failed.connect(said.append)
    yield window, said
    window.close()
    window.desk.close()


def _title(store, obligation_id: str) -> str:
    with store.reading() as session:
        return session.get(Obligation, obligation_id).title


def test_a_form_saved_after_another_officers_change_is_refused_with_their_values_shown(amina, pg_cluster, monkeypatch):
    window, said = amina
    node = find(window.desk, "P1-D")
    window.tree.select(node.id)

    def meanwhile():  # another officer, with psql
        pg_cluster.psql(f"UPDATE obligation SET title = 'Theirs' WHERE id = '{node.id}'", "teamwindow")

    while_open(monkeypatch, meanwhile, lambda dialog: dialog.title_edit.setText("Mine"))
    window.obligation_actions.edit.trigger()
    assert said == [stale_sentence("P1-D")]
    assert _title(window.desk.store, node.id) == "Theirs" and window.panel.title_label.text() == "Theirs"
    assert window.desk.undo_stack.count() == 0
    assert _attempts(window.desk.store, node.id)[-2:] == [("update", "postgres", "Theirs"), ("refused", "teamwindow_amina", "Mine")]


def test_undoing_an_edit_another_officer_changed_since_is_refused_and_loses_nothing(amina, pg_cluster, monkeypatch):
    window, said = amina
    node = find(window.desk, "P1-B")
    before = node.title
    window.tree.select(node.id)
    while_open(monkeypatch, lambda: None, lambda dialog: dialog.title_edit.setText("Mine"))
    window.obligation_actions.edit.trigger()
    assert _title(window.desk.store, node.id) == "Mine" and said == []

    pg_cluster.psql(f"UPDATE obligation SET title = 'Theirs' WHERE id = '{node.id}'", "teamwindow")
    assert not window.desk.undo()
    assert said == [stale_sentence("P1-B")]
    assert _title(window.desk.store, node.id) == "Theirs" and window.panel.title_label.text() == "Theirs"
    assert window.desk.undo_stack.canUndo()  # the edit is still there to undo once the officer has looked
    assert _attempts(window.desk.store, node.id)[-3:] == [
        ("update", "teamwindow_amina", "Mine"), ("update", "postgres", "Theirs"), ("refused", "teamwindow_amina", before),
    ]


@pytest.fixture
def password_officer(pg_cluster, team_address):
    """teamwindow_dawit, a reader whom the server lets in only with the password k3y (scram-sha-256)."""
    import psycopg

    pg_cluster.psql("CREATE ROLE teamwindow_dawit LOGIN PASSWORD 'k3y' IN ROLE accord_teamwindow_reader")
    hba = pg_cluster.folder / "data" / "pg_hba.conf"
    trusting = hba.read_text()
    hba.write_text("local teamwindow teamwindow_dawit scram-sha-256\n" + trusting)
    pg_cluster.psql("SELECT pg_reload_conf()")
    address = pg_cluster.url("teamwindow", "teamwindow_dawit")
    for _ in range(100):  # the reload is the server's, a moment later
        try:
            psycopg.connect(address).close()
        except psycopg.OperationalError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the server still lets teamwindow_dawit in without a password")
    yield "teamwindow_dawit"
    hba.write_text(trusting)
    pg_cluster.psql("SELECT pg_reload_conf()")
    pg_cluster.psql("DROP ROLE teamwindow_dawit")


def test_connect_to_a_team_database_takes_the_password_from_the_system_keyring(
    window, settings_folder, monkeypatch, pg_cluster, password_officer, memory_keyring
):
    typed = address(str(pg_cluster.folder), "teamwindow", password_officer)
    memory_keyring[(KEYRING_SERVICE, typed)] = "k3y"  # remembered at an earlier connection

    def fill_and_accept(dialog):
        dialog.server_edit.setText(str(pg_cluster.folder))
        dialog.database_edit.setText("teamwindow")
        dialog.user_edit.setText(password_officer)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(ConnectDialog, "exec", fill_and_accept)
    assert window.team.connect_to_team_database()
    store = window.desk.store
    assert store.server is not None and store.server.database == "teamwindow" and store.user == password_officer
    window.settings.sync()
    kept = "".join(path.read_text() for path in settings_folder.rglob("*.ini"))
    assert f"{password_officer}@" in kept and "k3y" not in kept  # remembered without the password
