"""Making the window's QActions: text, shortcuts (without duplicates, which Qt reports as
ambiguous), a status tip and the slot."""

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


def key_sequences(*shortcuts) -> list[QKeySequence]:
    """Shortcuts given as text, QKeySequence or StandardKey, each once."""
    keys: list[QKeySequence] = []
    for shortcut in shortcuts:
        if isinstance(shortcut, QKeySequence.StandardKey):
            found = QKeySequence.keyBindings(shortcut)
        else:
            found = [QKeySequence(shortcut)]
        keys.extend(key for key in found if not key.isEmpty() and key not in keys)
    return keys


def make_action(parent: QObject, text: str, slot, *shortcuts, tip: str = "") -> QAction:
    action = QAction(text, parent)
    action.setShortcuts(key_sequences(*shortcuts))
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action
