"""Starting the window: the QApplication, the database, the main window and the event loop.

The command line (gui/cli.py) has checked that the database file exists; `run_window` still shows
any UserError from opening it (a newer schema) in a message box; a damaged file is set aside and its
newest good backup offered (gui/backup_dialog.py).
"""

import signal
import sys
from concurrent.futures import wait
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from db.errors import DamagedDatabaseError, UserError
from db.store import Access, Store
from gui.backup_dialog import back_up_on_opening, recover_from_damage
from gui.defect_hooks import DefectHooks
from gui.desk import Desk
from gui.main_window import MainWindow, app_version
from gui.officer import ask_once
from gui.plain_text import show_error

ORGANISATION = "Accord Desk"
APPLICATION = "accord-desk"


def application() -> QApplication:
    """The process's QApplication, named so QSettings and the data folder land in the right place."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Accord Desk")
    app.setApplicationVersion(app_version())
    return app


def run_window(db_path: Path) -> int:
    """Open the database in the main window and run until it closes; the exit status."""
    app = application()
    # A logout or a `kill` ends the session as Quit does: the database's lock is released, so the
    # next opening does not take it for a crash. Set before the lock is taken.
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda *_: QTimer.singleShot(0, app.quit))
    wake = QTimer(interval=250)  # Python runs its signal handlers only when it gets control
    wake.timeout.connect(lambda: None)
    wake.start()
    try:
        identity = ask_once()
        store = Store.open(db_path, identity.label, access=Access.BEST)
    except DamagedDatabaseError as error:  # the window still starts, and offers the newest good backup
        store = recover_from_damage(db_path, str(error))
    except UserError as error:
        show_error(None, str(error))
        return 1
    desk = Desk(store)
    window = MainWindow(desk)
    window.show()
    daily = back_up_on_opening(desk) if store is not None else None
    hooks = DefectHooks(lambda message: show_error(window, message))
    hooks.install()
    try:
        return app.exec()
    finally:
        hooks.uninstall()
        if daily is not None:
            wait([daily])  # the copy ends before its store closes
        desk.close()
