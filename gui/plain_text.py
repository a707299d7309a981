"""Showing user text safely: plain-text labels, escaped tooltips and plain-text message boxes.

Qt renders rich text wherever it guesses it (a QLabel or QMessageBox in auto format loads
`<img src="file:///...">`), so every piece of the record reaches the screen through these helpers
(DESIGN.md, "Traps already found").
"""

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

QUIET_COLOUR = "#57606a"  # 6:1 against white


def plain_label(text: str = "", *, wrap: bool = True, bold: bool = False, scale: float = 1.0) -> QLabel:
    """A label that shows `text` literally, selectable with the mouse so officers can copy it."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold or scale != 1.0:
        font = QFont(label.font())
        font.setBold(bold)
        if scale != 1.0 and font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * scale)
        label.setFont(font)
    return label


def ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    """The OK and Cancel buttons of a form, wired to accept and reject it."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def quiet_label(text: str = "", *, wrap: bool = True) -> QLabel:
    """A plain-text label in a muted grey that still reads well (disabled text does not)."""
    label = plain_label(text, wrap=wrap)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(QUIET_COLOUR))
    label.setPalette(palette)
    return label


def tooltip(*paragraphs: str) -> str:
    """Tooltip markup for user text: each paragraph escaped, so Qt shows it literally and wraps it."""
    shown = [html.escape(p).replace("\n", "<br>") for p in paragraphs if p]
    return "".join(f"<p>{p}</p>" for p in shown)


def show_error(parent: QWidget | None, message: str, title: str = "Accord Desk") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def confirm(parent: QWidget | None, title: str, message: str, action: str) -> bool:
    """Ask before something drastic; `action` names the button that goes ahead ("Delete")."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is go


PROBLEM_COLOUR = "#b3141f"


def problem_label() -> QLabel:
    """Where a form says, next to a field, what is wrong with it; hidden while nothing is."""
    label = plain_label()
    label.setStyleSheet(f"color: {PROBLEM_COLOUR};")
    label.setVisible(False)
    return label


def buddy_label(text: str, field: QWidget) -> QLabel:
    """A form label whose &-mnemonic focuses the field (QFormLayout sets none for a nested layout).

    The text is the form's own, never the record's, so its & may mark a mnemonic.
    """
    label = QLabel(text)
    label.setBuddy(field)
    return label


def choice_combo(items, current: str | None) -> QComboBox:
    """A combo of (data, text) choices with `current` chosen (the first when it is not among them)."""
    combo = QComboBox()
    for data, text in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(combo.findData(current or ""), 0))
    return combo


def with_problem(field: QWidget, problem: QLabel) -> QVBoxLayout:
    """A form's field with the label under it that says what is wrong with it."""
    column = QVBoxLayout()
    column.setSpacing(2)
    column.addWidget(field)
    column.addWidget(problem)
    return column
