"""Fixtures for the window's tests: a desk on the example with a fixed as-of date, and QSettings
kept in the test's folder so no test reads or writes the officer's real settings."""

import pytest
from PySide6.QtCore import QSettings

from db.officer import Officer, save_officer
from gui.desk import Desk
from gui.main_window import MainWindow
from tests.gui.helpers import AS_OF

OFFICER = Officer("Farida Rahimi", "Afghanistan desk")


@pytest.fixture
def settings_folder(qapp, tmp_path):
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    qapp.setOrganizationName("Accord Desk")
    qapp.setApplicationName("accord-desk")
    save_officer(OFFICER)  # asked once, on an officer's first start (tests/gui/test_officer.py)
    return folder


@pytest.fixture
def desk(qapp, example_store):
    desk = Desk(example_store, as_of=AS_OF)
    yield desk
    desk.close()  # and with it any database a test opened in its place (Python 3.13 warns of unclosed ones)


@pytest.fixture(params=["file", "server"])
def desk_on_file_and_server(request, qapp):
    """The desk on the example in a file, then on the test server: a module whose edit flows must hold
    on both takes it as its `desk` (desk = desk_on_file_and_server)."""
    desk = Desk(request.getfixturevalue("example_store" if request.param == "file" else "example_on_server"), as_of=AS_OF)
    yield desk
    desk.close()


@pytest.fixture
def window(qtbot, desk, settings_folder):
    """The main window on the example, shown."""
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def memory_keyring():
    """A system keyring of the test's own ({(service, address): password}), in place of tests/conftest.py's
    null one while the test runs."""
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.backends import null

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.passwords: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.passwords.get((service, username))

        def set_password(self, service, username, password):
            self.passwords[(service, username)] = password

        def delete_password(self, service, username):
            del self.passwords[(service, username)]

    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory.passwords
    keyring.set_keyring(null.Keyring())
