"""Other officers' changes, as the team server announces them (db.team_server NOTIFYs each committed
change; db.team_notices reads the notices).

A plain Python thread (never a QThread: gui/background.py says why) holds a connection of its own that
LISTENs, and puts each payload in a queue; it touches no Qt object. A timer in the UI thread takes what
came, drops the window's own changes (their notices carry this process's application_name), and
hands the rest to the desk as one Changes, so each view refreshes only what changed; the status bar
says who changed what.
"""

import queue
import threading

from PySide6.QtCore import QObject, QTimer, Signal

from db import team_notices, team_server
from gui.desk import Desk

POLL_MS = 250
RETRY_SECONDS = 5.0
_LOST = object()  # the thread's word that the connection went (it tries again)


class TeamListener(QObject):
    """Listens while it lives; `stop()` ends the thread (the desk's store closing does too)."""

    heard = Signal(str)  # the status bar's line: who changed what
    lost = Signal(str)  # one sentence: the announcements stopped for now

    def __init__(self, desk: Desk, conninfo: str, own_application: str, parent: QObject | None = None):
        super().__init__(parent)
        self.desk = desk
        self._conninfo, self._own = conninfo, own_application
        self._payloads: queue.SimpleQueue = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="accord-desk-team-listener", daemon=True)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._apply)
        self._said_lost = False
        self._thread.start()
        self._timer.start()

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def stop(self) -> None:
        self._timer.stop()
        self._stopped.set()
        self._thread.join(timeout=5)

    # --- the thread: no Qt here --------------------------------------------------------------------

    def _listen(self) -> None:
        import psycopg

        while not self._stopped.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10) as connection:
                    connection.execute(f"LISTEN {team_server.CHANNEL}")
                    self._listening.set()
                    while not self._stopped.is_set():
                        for notice in connection.notifies(timeout=0.5):
                            self._payloads.put(notice.payload)
            except psycopg.Error:
                self._listening.clear()
                self._payloads.put(_LOST)
                self._stopped.wait(RETRY_SECONDS)
        self._listening.clear()

    # --- the UI thread -----------------------------------------------------------------------------

    def _apply(self) -> None:
        notices, lost = [], False
        while True:
            try:
                payload = self._payloads.get_nowait()
            except queue.Empty:
                break
            if payload is _LOST:
                lost = True
                continue
            notice = team_notices.parse(payload)
            if notice is not None and notice.application != self._own:
                notices.append(notice)
        if lost and not self._said_lost:
            self._said_lost = True
            self.lost.emit(
                "The team database stopped announcing other officers' changes (the connection was lost); "
                "Accord Desk keeps trying. Reopen the database to see their latest changes."
            )
        if notices:
            self._said_lost = False
            self.desk.changed(team_notices.changes_of_all(notices), initiator=self)
            self.heard.emit(team_notices.described(notices))
