"""Starting the window: the QApplication, the database, the main window and the event loop.

The command line (gui/cli.py) has checked that the database file exists; `run_window` still shows
any UserError from opening it (a newer schema) in a message box; a damaged file is set aside and its
newest good backup offered (gui/backup_dialog.py).
"""

import gc
import signal
import sys
from concurrent.futures import wait
from pathlib import Path

# The record layer (SQLAlchemy, SQLModel, pydantic: some 450 modules) before Qt: once PySide6 is imported,
# its __feature__ import hook reads the source of every module imported after it (inspect.getsource),
# 90–250 ms of start-up for these alone.
# isort: off
from db.errors import DamagedDatabaseError, UserError
from db.store import Access, Store

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
# isort: on

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


def show_window(desk: Desk) -> MainWindow:
    """The main window, shown; once it is painted, what start-up made is frozen (freeze_what_start_up_made)."""
    window = MainWindow(desk)
    window.show()
    QTimer.singleShot(0, freeze_what_start_up_made)  # a zero timer runs after the show's posted paint
    return window


def freeze_what_start_up_made() -> None:
    """Python's collector never walks again what the process holds once the window is painted: the
    libraries' modules and classes and the window, some 140,000 objects for life, each full collection of
    them 160–190 ms of the UI thread's CPU (a stall the officer sees). Here, not at the first background job
    as before: by then a full collection could have stalled the window already, and the job's moment is
    arbitrary (it froze whatever was alive then, e.g. a finished dialog's rows). A cycle among the frozen
    objects that later becomes garbage (an engine of a database closed for another) is never freed; it is
    small and rare, and Store.close still closes its connections."""
    gc.freeze()


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
    window = show_window(desk)
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
