"""The window on a team database (issue 17): named by database and server, no backups of its own (pg_dump's
business), and remembered among the recent databases without the password it was opened with."""

import pytest
from PySide6.QtCore import QSettings

from db.examples import create_database
from db.location import parse_location
from db.store import Access, Store
from gui.desk import Desk
from gui.main_window import MainWindow
from gui.recent_files import KEY, recent_databases

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def team_window(qtbot, pg_cluster, settings_folder):
    address = pg_cluster.url("team_window").replace("postgresql://postgres@", "postgresql://postgres:secret@")
    create_database(address, user="tester").close()
    desk = Desk(Store.open(address, "tester", access=Access.BEST))
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    desk.close()
    pg_cluster.psql('DROP DATABASE IF EXISTS "team_window" WITH (FORCE)')


def test_a_team_database_is_named_by_database_and_server_and_leaves_backups_to_pg_dump(team_window, pg_cluster):
    assert team_window.windowTitle().startswith(f"team_window on {pg_cluster.folder} — ")
    assert not team_window.back_up_action.isEnabled()
    assert not team_window.restore_action.isEnabled()
    assert team_window.tree.proxy.rowCount() == 4  # the example's obligations, read from the server


def test_a_team_database_is_remembered_without_its_password(team_window):
    team_window._remember_store()
    stored = QSettings().value(KEY)
    assert stored and "secret" not in " ".join(stored)
    assert recent_databases(QSettings())[0] == parse_location(stored[0])
    assert recent_databases(QSettings())[0].url.password is None
