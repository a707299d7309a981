"""Issue 17: File ▸ Connect to a team database… asks for the server, the database and the user; the
password stays out of the settings."""

import importlib.util

from PySide6.QtCore import QSettings

from gui.connect_dialog import ConnectDialog


def _settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_the_dialog_makes_the_address_and_remembers_the_fields_without_a_password(qtbot, tmp_path):
    settings = _settings(tmp_path)
    dialog = ConnectDialog(settings=settings)
    qtbot.addWidget(dialog)
    dialog.server_edit.setText("db.example.org:6543")
    dialog.database_edit.setText("accord")
    dialog.user_edit.setText("amina")
    dialog.password_edit.setText("s3cret")
    dialog.accept()
    assert dialog.result() == ConnectDialog.DialogCode.Accepted
    assert dialog.address == "postgresql://amina@db.example.org:6543/accord"
    settings.sync()
    assert "s3cret" not in (tmp_path / "settings.ini").read_text()
    again = ConnectDialog(settings=settings)
    qtbot.addWidget(again)
    assert (again.server_edit.text(), again.database_edit.text(), again.user_edit.text()) == (
        "db.example.org:6543", "accord", "amina",
    )  # fmt: skip


def test_a_missing_field_is_said_next_to_the_form_and_nothing_is_accepted(qtbot, tmp_path):
    dialog = ConnectDialog(settings=_settings(tmp_path))
    qtbot.addWidget(dialog)
    dialog.user_edit.setText("amina")
    dialog.accept()
    assert dialog.address is None and dialog.result() != ConnectDialog.DialogCode.Accepted
    assert dialog.problem.text().startswith("Name the database on the server")


def test_the_dialog_says_where_the_password_comes_from(qtbot, tmp_path):
    dialog = ConnectDialog(settings=_settings(tmp_path))
    qtbot.addWidget(dialog)
    assert dialog.has_keyring == (importlib.util.find_spec("keyring") is not None)
    assert "~/.pgpass" in dialog.note.text()
    assert (dialog.password_edit.parent() is not None) == dialog.has_keyring  # asked for only with a keyring
