"""The window's commands work from its text and date fields.

Qt's X11 key scheme gives text fields Emacs-like alternatives: Ctrl+E is also "end of line" (End does
it too), so a field claims Ctrl+E before the window sees it, and New event… did nothing while the
cursor was in the as-of box or a filter. Here a field keeps the keys it edits with (typing, moving,
copy, paste, undo, the deletions such as Ctrl+K); a Ctrl+letter the platform binds to nothing but a
cursor move is left to the window's commands. If none of them has the key, the field still gets it.
"""

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

_S = QKeySequence.StandardKey
EDITING = (
    _S.Copy, _S.Cut, _S.Paste, _S.Undo, _S.Redo, _S.SelectAll, _S.Delete, _S.Backspace, _S.DeleteStartOfWord,
    _S.DeleteEndOfWord, _S.DeleteEndOfLine, _S.DeleteCompleteLine, _S.Bold, _S.Italic, _S.Underline,
)  # fmt: skip
_LETTERS = range(Qt.Key.Key_A.value, Qt.Key.Key_Z.value + 1)
_CTRL = Qt.KeyboardModifier.ControlModifier
_FIELDS = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit)


def editing_keys() -> frozenset[QKeySequence]:
    """The keys that edit text on this platform's key scheme."""
    return frozenset(key for standard in EDITING for key in QKeySequence.keyBindings(standard))


def window_takes(key: QKeyCombination, editing: frozenset[QKeySequence]) -> bool:
    """Whether a key pressed in a text field belongs to the window's commands rather than the field."""
    modifiers = key.keyboardModifiers() & ~Qt.KeyboardModifier.KeypadModifier
    ctrl = modifiers in (_CTRL, _CTRL | Qt.KeyboardModifier.ShiftModifier)
    return ctrl and key.key().value in _LETTERS and QKeySequence(key) not in editing


class FieldKeys(QObject):
    """Watches the text and date fields of a window: its commands' keys pass them by."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._editing = editing_keys()
        for kind in _FIELDS:
            for field in window.findChildren(kind):
                field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            key = event.keyCombination()
            if window_takes(key, self._editing):
                event.ignore()  # not claimed: the window's shortcut, if any, runs; else the field gets the key
                return True
            if QKeySequence(key) in self._editing:
                # Claimed for the field: QLineEdit does not claim Ctrl+K (delete to the end of the line)
                # itself, and Find anything's Ctrl+K took it from every field.
                event.accept()
                return True
        return super().eventFilter(watched, event)
