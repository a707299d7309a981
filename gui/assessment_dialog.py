"""Add assessment… and Correct assessment…: an officer's judgement of one obligation as of a date —
status from the compliance scale, implementation score (0–3 or not scored), confidence and rationale.
A correction opens on the assessment it corrects and is saved as a new version (db.obligations)."""

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from db.obligations import AssessmentValues, assessment_problems
from db.vocabulary import IMPLEMENTATION_SCORES, Confidence, Status
from gui.date_edit import DateEdit
from gui.plain_text import ok_cancel, plain_label, problem_label
from gui.status_badge import badge_text


class AssessmentDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, *, obligation: str, as_of: date, status: Status, assessed_by: str,
        values: AssessmentValues | None = None,
    ):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Correct assessment" if values else "Add assessment")
        if values is not None:
            as_of, status = values.as_of, values.status
        self.as_of_edit = DateEdit(as_of)
        self.status_combo = QComboBox()
        for value in Status:
            self.status_combo.addItem(badge_text(value), str(value))
        self.status_combo.setCurrentIndex(self.status_combo.findData(str(status)))
        self.score_combo = QComboBox()
        self.score_combo.addItem("Not scored", None)
        for score, meaning in IMPLEMENTATION_SCORES.items():
            self.score_combo.addItem(f"{score} — {meaning}", score)
        self.confidence_combo = QComboBox()
        for value in Confidence:
            self.confidence_combo.addItem(value.value, str(value))
        confidence = values.confidence if values else Confidence.MEDIUM
        self.confidence_combo.setCurrentIndex(self.confidence_combo.findData(str(confidence)))
        if values is not None:
            self.score_combo.setCurrentIndex(max(0, self.score_combo.findData(values.score)))
        self.rationale_edit = QPlainTextEdit(values.rationale if values else "")
        self.rationale_edit.setPlaceholderText("What the judgement rests on: sources, figures, dates")
        self.rationale_edit.setTabChangesFocus(True)

        as_of_row = QHBoxLayout()
        as_of_row.addWidget(self.as_of_edit)
        as_of_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Obligation", plain_label(obligation))
        as_of_label = QLabel("&As of")
        as_of_label.setBuddy(self.as_of_edit)
        form.addRow(as_of_label, as_of_row)
        form.addRow("&Status", self.status_combo)
        form.addRow("Implementation s&core", self.score_combo)
        form.addRow("Con&fidence", self.confidence_combo)
        form.addRow("&Rationale", self.rationale_edit)
        self.problem = problem_label()
        form.addRow("", self.problem)
        form.addRow("Assessed by", plain_label(assessed_by))
        self.buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.rationale_edit.textChanged.connect(self._validate)
        self.as_of_edit.dateChanged.connect(self._validate)

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _validate(self) -> None:
        values = self.values()
        problems = assessment_problems(values.as_of, values.rationale)
        self.problem.setText(" ".join(problems.values()))
        self.problem.setVisible(bool(problems))
        self.ok_button.setEnabled(not problems)

    def values(self) -> AssessmentValues:
        return AssessmentValues(
            as_of=self.as_of_edit.day(),
            status=str(self.status_combo.currentData()),
            score=self.score_combo.currentData(),
            confidence=str(self.confidence_combo.currentData()),
            rationale=self.rationale_edit.toPlainText().strip(),
        )
