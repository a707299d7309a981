"""Issue 17: File ▸ Connect to a team database… asks for the server, the database and the user; the
password stays out of the settings."""

import importlib.util

from PySide6.QtCore import QSettings

from gui.connect_dialog import KEYRING_SERVICE, ConnectDialog


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


def test_a_password_remembered_in_the_system_keyring_is_used_next_time_and_never_kept_in_the_settings(
    qtbot, tmp_path, memory_keyring
):
    settings = _settings(tmp_path)
    dialog = ConnectDialog(settings=settings)
    qtbot.addWidget(dialog)
    assert dialog.has_keyring and dialog.password_edit.isVisibleTo(dialog)
    dialog.server_edit.setText("db.example.org")
    dialog.database_edit.setText("accord")
    dialog.user_edit.setText("amina")
    dialog.password_edit.setText("s3cret")
    dialog.keep_in_keyring.setChecked(True)
    dialog.accept()
    assert dialog.password == "s3cret"
    assert memory_keyring == {(KEYRING_SERVICE, "postgresql://amina@db.example.org/accord"): "s3cret"}
    settings.sync()
    assert "s3cret" not in (tmp_path / "settings.ini").read_text()

    again = ConnectDialog(settings=settings)  # the fields as typed last; the password left empty
    qtbot.addWidget(again)
    again.accept()
    assert again.address == dialog.address and again.password == "s3cret"


def test_a_password_typed_without_remember_is_for_this_connection_only(qtbot, tmp_path, memory_keyring):
    dialog = ConnectDialog(settings=_settings(tmp_path))
    qtbot.addWidget(dialog)
    for edit, typed in ((dialog.server_edit, "db.example.org"), (dialog.database_edit, "accord"),
                        (dialog.user_edit, "amina"), (dialog.password_edit, "once")):  # fmt: skip
        edit.setText(typed)
    dialog.accept()
    assert dialog.password == "once" and memory_keyring == {}
