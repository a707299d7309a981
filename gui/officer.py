"""Asking the officer who they are: once, on the first start of the window (default the OS user's
full name), and again from Edit > Officer's name and unit… The identity itself is db.officer's."""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from db.clock import full_name
from db.officer import Officer, officer_problem, save_officer, saved_officer
from gui.plain_text import buddy_label, ok_cancel, plain_label, problem_label


class OfficerDialog(QDialog):
    """Who the officer is: name and unit, checked as typed (OK only when both can be kept)."""

    def __init__(self, current: Officer, parent: QWidget | None = None, first_time: bool = False):
        super().__init__(parent)
        self.setWindowTitle("Officer")
        self.name = QLineEdit(current.name)
        self.unit = QLineEdit(current.unit)
        self.unit.setPlaceholderText("e.g. Afghanistan desk, Policy Directorate")
        self.problem = problem_label()
        form = QFormLayout(self)
        if first_time:
            form.addRow(plain_label(
                "Reports you prepare and changes you make are signed with this name. "
                "You can change it later under Edit > Officer's name and unit…"
            ))  # fmt: skip
        form.addRow(buddy_label("&Name", self.name), self.name)
        form.addRow(buddy_label("&Unit", self.unit), self.unit)
        form.addRow(self.problem)
        self.buttons = ok_cancel(self)
        form.addRow(self.buttons)
        self.name.textChanged.connect(self._check)
        self.unit.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        problem = officer_problem(self.name.text(), self.unit.text())
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def chosen(self) -> Officer:
        return Officer(self.name.text().strip(), self.unit.text().strip())


def ask_once(parent: QWidget | None = None) -> Officer:
    """The saved officer; on the first start, asked (a cancelled question keeps the default, and is
    not asked again: the name can be changed under Edit > Officer's name and unit…)."""
    found = saved_officer()
    if found is not None:
        return found
    dialog = OfficerDialog(Officer(full_name()), parent, first_time=True)
    chosen = dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else Officer(full_name())
    save_officer(chosen)
    return chosen
