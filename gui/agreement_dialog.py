"""New agreement…: title, short title, date of signing and place of a new agreement."""

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.date_edit import DateEdit
from gui.plain_text import ok_cancel, plain_label


@dataclass
class AgreementValues:
    title: str
    short_title: str
    signed_on: date | None
    place: str


class AgreementDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New agreement")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Agreement for Bringing Peace to Afghanistan")
        self.short_title_edit = QLineEdit()
        self.short_title_edit.setPlaceholderText("US–Taliban agreement")
        self.signed_known = QCheckBox("Signed on")
        self.signed_known.setChecked(True)
        self.signed_on_edit = DateEdit(date.today())
        self.place_edit = QLineEdit()
        self.place_edit.setPlaceholderText("Doha, Qatar")
        self.problem = plain_label("Give the agreement a title.")

        signed = QHBoxLayout()
        signed.addWidget(self.signed_on_edit)
        signed.addStretch(1)
        form = QFormLayout()
        form.addRow("&Title", self.title_edit)
        form.addRow("&Short title", self.short_title_edit)
        form.addRow(self.signed_known, signed)
        form.addRow("&Place", self.place_edit)
        self.buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

        self.title_edit.textChanged.connect(self._validate)
        self.signed_known.toggled.connect(self.signed_on_edit.setEnabled)
        self._validate()

    def _validate(self) -> None:
        ok = bool(self.title_edit.text().strip())
        self.problem.setVisible(not ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def values(self) -> AgreementValues:
        return AgreementValues(
            title=self.title_edit.text().strip(),
            short_title=self.short_title_edit.text().strip(),
            signed_on=self.signed_on_edit.date().toPython() if self.signed_known.isChecked() else None,
            place=self.place_edit.text().strip(),
        )
