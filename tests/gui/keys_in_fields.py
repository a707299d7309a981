"""Run under a real X server (tests/gui/test_window_keys.py): which of the window's fields let Ctrl+E
(New event…) through, and whether the fields still edit with their own keys.

Qt's X11 key scheme binds Ctrl+E to "end of line" (and Ctrl+K, Ctrl+U, Ctrl+D to deletions), and a
text field claims those before the window's shortcuts; the offscreen platform of the other tests uses
another scheme, so this runs with the xcb platform. Prints one JSON object.
"""

import json
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from db.examples import create_database
from gui.desk import Desk
from gui.event_dialog import EventDialog
from gui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def main() -> None:
    app = QApplication(sys.argv[:1])
    opened: list[str] = []
    EventDialog.exec = lambda dialog: opened.append("form") and 0 or 0  # the form is modal: note it, close it
    with tempfile.TemporaryDirectory() as folder:
        store = create_database(Path(folder) / "record.sqlite", "doha-2020", user="tester")
        desk = Desk(store)
        window = MainWindow(desk)
        window.show()
        window.activateWindow()
        QTest.qWaitForWindowActive(window)
        log = window.event_log
        fields = {
            "tree": window.tree.view, "as of": window.as_of_edit, "obligation filter": window.tree.filter_edit, "event search": log.text,
            "from date": log.date_from, "actor": log.actor,
        }  # fmt: skip
        found = {"x11 scheme": QKeySequence("Ctrl+E") in QKeySequence.keyBindings(QKeySequence.StandardKey.MoveToEndOfLine)}
        for name, field in fields.items():
            field.setFocus()
            app.processEvents()
            opened.clear()
            # As X11 delivers it: the key, Ctrl, and the control character as its text.
            QTest.sendKeyEvent(QTest.KeyAction.Click, app.focusWidget(), Qt.Key.Key_E, "\x05", CTRL)
            found[name] = bool(opened)
        edit = log.text
        edit.setFocus()
        edit.setText("Kabul Doha")
        edit.setCursorPosition(5)
        QTest.sendKeyEvent(QTest.KeyAction.Click, edit, Qt.Key.Key_K, "\x0b", CTRL)  # delete to the end of line
        found["ctrl+k edits"] = edit.text()
        edit.setCursorPosition(0)
        QTest.keyClick(edit, Qt.Key.Key_End)
        found["end moves"] = edit.cursorPosition()
        window.close()
        desk.close()
    print(json.dumps(found))


if __name__ == "__main__":
    main()
