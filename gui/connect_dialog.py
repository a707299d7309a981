"""File ▸ Connect to a team database…: the server, the database and the user (db.team_address makes the
address). The password is libpq's business (~/.pgpass), or the system keyring's when the `keyring`
package is installed: it is never kept in QSettings, and the address remembered (the recent list, the
fields next time) holds none."""

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from db.errors import UserError
from db.team_address import address
from gui.plain_text import buddy_label, ok_cancel, plain_label, problem_label

KEYRING_SERVICE = "accord-desk"
_FIELDS = "team_database/last"  # QSettings: the server, database and user typed last (no password)


def _keyring():
    """The keyring module when it is installed (an optional dependency), else None."""
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def keyring_password(remembered: str) -> str | None:
    """The password the system keyring keeps for this address, None if it keeps none (or there is no keyring)."""
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, remembered)
    except Exception:  # noqa: BLE001 (a keyring backend may raise anything: locked, no D-Bus, …)
        return None


class ConnectDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.setWindowTitle("Connect to a team database")
        self.setMinimumWidth(480)  # an address and its hint fit on a line
        self.settings = settings or QSettings()
        last = self.settings.value(_FIELDS, {}) or {}
        self.server_edit = QLineEdit(str(last.get("server", "")))
        self.server_edit.setPlaceholderText("db.example.org, db.example.org:5432, or a socket folder")
        self.database_edit = QLineEdit(str(last.get("database", "")))
        self.database_edit.setPlaceholderText("accord")
        self.user_edit = QLineEdit(str(last.get("user", "")))
        self.user_edit.setPlaceholderText("your database role")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.keep_in_keyring = QCheckBox("&Remember it in the system keyring")
        self.problem = problem_label()
        form = QFormLayout()
        form.addRow(buddy_label("&Server", self.server_edit), self.server_edit)
        form.addRow(buddy_label("&Database", self.database_edit), self.database_edit)
        form.addRow(buddy_label("&User", self.user_edit), self.user_edit)
        self.has_keyring = _keyring() is not None
        if self.has_keyring:
            form.addRow(buddy_label("&Password", self.password_edit), self.password_edit)
            form.addRow("", self.keep_in_keyring)
            note = ("Leave the password empty to use ~/.pgpass or the one the system keyring remembers. "
                    "Accord Desk never keeps it in its settings.")  # fmt: skip
        else:
            note = ("The password comes from your ~/.pgpass file (host:port:database:user:password); "
                    "Accord Desk never asks for it or keeps it.")  # fmt: skip
        self.note = plain_label(note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.problem)
        layout.addWidget(ok_cancel(self))
        self.address: str | None = None  # the address without a password, once accepted
        self.password: str | None = None  # typed, or from the keyring; only for this connection

    def accept(self) -> None:
        try:
            self.address = address(self.server_edit.text(), self.database_edit.text(), self.user_edit.text())
        except UserError as error:
            self.problem.setText(str(error))
            self.problem.setVisible(True)
            return
        typed = self.password_edit.text() if self.has_keyring else ""
        if typed and self.keep_in_keyring.isChecked():
            try:
                _keyring().set_password(KEYRING_SERVICE, self.address, typed)
            except Exception as error:  # noqa: BLE001 (any backend's refusal)
                self.problem.setText(f"The system keyring did not keep the password ({error}); untick Remember, or use ~/.pgpass.")
                self.problem.setVisible(True)
                return
        self.password = typed or keyring_password(self.address)
        self.settings.setValue(_FIELDS, {
            "server": self.server_edit.text().strip(), "database": self.database_edit.text().strip(),
            "user": self.user_edit.text().strip(),
        })  # fmt: skip
        super().accept()
