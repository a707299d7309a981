"""The window's side of a team database: File ▸ Connect to a team database…, and while one is open a
listener for other officers' changes (gui/team_listener.py) whose news the status bar shows."""

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from db import team_server
from db.errors import UserError
from db.officer import officer_label
from db.store import Access, Store
from db.team_address import with_password
from gui.connect_dialog import ConnectDialog
from gui.plain_text import show_error
from gui.team_listener import TeamListener

NEWS_MS = 15000  # how long the status bar shows who changed what


class TeamDesk(QObject):
    """Owned by the main window: connects, and listens while the open database is on a server."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.listener: TeamListener | None = None
        window.desk.store_replaced.connect(self.follow_store)
        self.follow_store()

    def connect_to_team_database(self) -> bool:
        dialog = ConnectDialog(self.window, self.window.settings)
        if dialog.exec() != ConnectDialog.DialogCode.Accepted or dialog.address is None:
            return False
        return self.open(with_password(dialog.address, dialog.password))

    def open(self, address: str) -> bool:
        try:
            store = Store.open(address, officer_label(), access=Access.BEST)
        except UserError as error:
            show_error(self.window, str(error))
            return False
        self.window.desk.replace_store(store)
        return True

    def follow_store(self) -> None:
        self.stop()
        store = self.window.desk.store
        server = getattr(store, "server", None)
        if server is None:
            return
        self.listener = TeamListener(self.window.desk, team_server.conninfo(server.url), team_server.APPLICATION, self)
        self.listener.heard.connect(self._show)
        self.listener.lost.connect(self._show)

    def _show(self, line: str) -> None:
        self.window.statusBar().showMessage(line, NEWS_MS)

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener.deleteLater()
            self.listener = None
