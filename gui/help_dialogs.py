"""Help ▸ Keyboard shortcuts and Help ▸ User guide.

The shortcuts are read from the window's own actions each time, so the list cannot drift from what the
keys do. The guide is README.md's usage and command line, shipped inside the package (resources/README.md
is a link to it, which the wheel turns into a copy) and shown offline.
"""

from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

GUIDE_SECTIONS = ("Using it", "Command line")
# keys of their own on some keyboards, which Qt's standard bindings add: not what an officer presses
_DEDICATED = {Qt.Key.Key_Open, Qt.Key.Key_Undo, Qt.Key.Key_Redo, Qt.Key.Key_Find, Qt.Key.Key_Help}


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").removesuffix("…").strip()


def window_shortcuts(window: QMainWindow) -> list[tuple[str, str, str, str]]:
    """(where, action, keys, what it does) for every action of the window that has a shortcut: those in
    the menus under their menu, in menu order, then the others (toolbars, panels) under "Elsewhere"."""
    found, seen = [], set()

    def visit(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                visit(action.menu(), f"{where} ▸ {_plain(action.menu().title())}")
            elif not action.isSeparator():
                add(action, where)

    def add(action: QAction, where: str) -> None:
        if id(action) in seen or not action.shortcuts():
            return
        seen.add(id(action))
        pressed = [k for k in action.shortcuts() if k[0].key() not in _DEDICATED]
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in pressed)
        name, tip = _plain(action.text()), action.statusTip()
        found.append((where, name, keys, "" if tip in (name, action.text()) else tip))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            visit(top.menu(), _plain(top.menu().title()))
    for action in window.findChildren(QAction):
        add(action, "Elsewhere")
    return found


class ShortcutsDialog(QDialog):
    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = window_shortcuts(window)
        self.table = QTableWidget(len(rows), 4)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Keys", "What it does"])
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)  # plain text: items never interpret markup
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        _layout(self, self.table)
        self.resize(820, 560)


def guide_markdown() -> str:
    """README's usage sections, as shipped with the application."""
    text = (resources.files("resources") / "README.md").read_text(encoding="utf-8")
    kept, keep = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            keep = line[3:].strip() in GUIDE_SECTIONS
        if keep:
            kept.append(line)
    return "# Accord Desk user guide\n\n" + "\n".join(kept).rstrip() + "\n"


class UserGuide(QDialog):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle("Accord Desk user guide")
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # offline: a link goes nowhere rather than to a browser
        # the README names its screenshots resources/…: found beside the package, installed or not
        self.browser.setSearchPaths([str(resources.files("resources") / "..")])
        self.browser.setMarkdown(guide_markdown())
        _layout(self, self.browser)
        self.resize(900, 700)


def _layout(dialog: QDialog, body: QWidget) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body)
    layout.addWidget(buttons)
