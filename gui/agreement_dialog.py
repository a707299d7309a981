"""New agreement… and Edit agreement…: title, short title, date of signing and place, and (when editing)
the parties with their roles. Checked by db.agreements.agreement_problems as the officer types."""

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from db.agreements import AgreementFields, agreement_problems
from db.vocabulary import PartyRole
from gui.date_edit import DateEdit
from gui.plain_text import buddy_label, choice_combo, ok_cancel, problem_label, with_problem

ROLE_LABELS = [(role.value, role.value.replace("_", "-")) for role in PartyRole]


class AgreementDialog(QDialog):
    def __init__(
        self, parent: QWidget | None = None, fields: AgreementFields | None = None,
        actors: list[tuple[str, str]] | None = None,
    ):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Edit agreement" if fields else "New agreement")
        fields = fields or AgreementFields("")
        self.actors = actors or []
        self.title_edit = QLineEdit(fields.title)
        self.title_edit.setPlaceholderText("Agreement for Bringing Peace to Afghanistan")
        self.short_title_edit = QLineEdit(fields.short_title)
        self.short_title_edit.setPlaceholderText("US–Taliban agreement")
        self.signed_known = QCheckBox("Signed on")
        self.signed_known.setChecked(fields.signed_on is not None or not fields.title)
        self.signed_on_edit = DateEdit(fields.signed_on or date.today())
        self.signed_on_edit.setEnabled(self.signed_known.isChecked())
        self.place_edit = QLineEdit(fields.place)
        self.place_edit.setPlaceholderText("Doha, Qatar")
        self.problems = {"title": problem_label(), "parties": problem_label()}

        signed = QHBoxLayout()
        signed.addWidget(self.signed_on_edit)
        signed.addStretch(1)
        form = QFormLayout()
        form.addRow(buddy_label("&Title", self.title_edit), with_problem(self.title_edit, self.problems["title"]))
        form.addRow(buddy_label("&Short title", self.short_title_edit), self.short_title_edit)
        form.addRow(self.signed_known, signed)
        form.addRow(buddy_label("&Place", self.place_edit), self.place_edit)
        self.parties = QTableWidget(0, 2)
        self.parties.setHorizontalHeaderLabels(["Party", "Role"])
        self.parties.horizontalHeader().setStretchLastSection(True)
        self.parties.verticalHeader().setVisible(False)
        if self.actors:  # parties are edited once the agreement exists (the actors come with the record)
            add, remove = QPushButton("Add part&y"), QPushButton("Remo&ve party")
            add.clicked.connect(lambda: self.add_party(self.actors[0][0], PartyRole.SIGNATORY))
            remove.clicked.connect(self.remove_party)
            buttons = QHBoxLayout()
            buttons.addWidget(add)
            buttons.addWidget(remove)
            buttons.addStretch(1)
            column = QVBoxLayout()
            column.addWidget(self.parties)
            column.addLayout(buttons)
            column.addWidget(self.problems["parties"])
            form.addRow(buddy_label("Pa&rties", self.parties), column)
        self.buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.title_edit.textChanged.connect(self._validate)
        self.signed_known.toggled.connect(self.signed_on_edit.setEnabled)
        for actor_id, role in fields.parties if self.actors else ():  # once OK, which they update, exists
            self.add_party(actor_id, role)
        self._validate()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def add_party(self, actor_id: str, role: str) -> None:
        row = self.parties.rowCount()
        self.parties.insertRow(row)
        for column, combo in enumerate((choice_combo(self.actors, actor_id), choice_combo(ROLE_LABELS, role))):
            combo.currentIndexChanged.connect(self._validate)
            self.parties.setCellWidget(row, column, combo)
        self._validate()

    def remove_party(self) -> None:
        row = self.parties.currentRow()
        if row >= 0:
            self.parties.removeRow(row)
            self._validate()

    def values(self) -> AgreementFields:
        parties = [
            (self.parties.cellWidget(row, 0).currentData(), self.parties.cellWidget(row, 1).currentData())
            for row in range(self.parties.rowCount())
        ]
        return AgreementFields(
            title=self.title_edit.text().strip(),
            short_title=self.short_title_edit.text().strip(),
            signed_on=self.signed_on_edit.day() if self.signed_known.isChecked() else None,
            place=self.place_edit.text().strip(),
            parties=parties,
        )

    def _validate(self) -> None:
        problems = agreement_problems(self.values())
        for name, label in self.problems.items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)
        self.ok_button.setEnabled(not problems)
