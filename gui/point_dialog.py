"""The form of one point of a metric's series: a target point (date, figure, the clause that sets it, a
note) or an observation (date and its precision, figure, qualifier, who claims it, the source or the
event that reported it, a note). Opened by Add observation / Add target point and, on a row of the
tables under the plot, by Enter or double-click (gui/trajectory_panel.py).

The typed text is read by db.metrics.read_point_form as the officer types; each problem shows under
its field and OK stays disabled while anything is wrong, so no point is ever written with made-up values.
"""

from datetime import date

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from db.metrics import OBSERVATION, ObservationFields, PointForm, TargetFields, read_point_form
from db.vocabulary import DatePrecision, Qualifier
from gui.plain_text import buddy_label, choice_combo, ok_cancel, problem_label

NONE = ""  # the combo's data for "no clause", "nobody", "no event"


class PointDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, *, kind: str, noun: str, metric: str, on: date,
        fields: TargetFields | ObservationFields | None = None, clauses: list[tuple[str, str]] = (),
        actors: list[tuple[str, str]] = (), events: list[tuple[str, str]] = (),
    ):  # fmt: skip
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle(f"{'Edit' if fields else 'Add'} {noun} of {metric}")
        form = PointForm.from_fields(fields) if fields else PointForm(on=on.isoformat())
        self.on_edit = QLineEdit(form.on)
        self.on_edit.setPlaceholderText("YYYY-MM-DD")
        self.value_edit = QLineEdit("" if not fields else _figure(form.value))
        self.value_edit.setPlaceholderText("e.g. 8600")
        self.note_edit = QLineEdit(form.note)
        self.precision = choice_combo([(p.value, p.value) for p in DatePrecision], form.precision)
        self.qualifier = choice_combo([(q.value, q.value.replace("_", " ")) for q in Qualifier], form.qualifier)
        self.claimant = choice_combo([(NONE, "—"), *actors], form.claimant_id)
        self.source_edit = QLineEdit(form.source)
        self.source_edit.setPlaceholderText("e.g. US Department of Defense")
        self.event = choice_combo([(NONE, "none"), *events], form.event_id)
        self.clause = choice_combo([(NONE, "—"), *clauses], form.obligation_id)
        names = ("on", "value", "precision", "qualifier", "source", "note")
        self.problems = {name: problem_label() for name in names}

        layout = QFormLayout()
        self._add(layout, "&Date", self.on_edit, "on")
        if kind == OBSERVATION:
            self._add(layout, "&Precision", self.precision, "precision")
        self._add(layout, "&Value", self.value_edit, "value")
        if kind == OBSERVATION:
            self._add(layout, "&Qualifier", self.qualifier, "qualifier")
            self._add(layout, "&Claimed by", self.claimant)
            self._add(layout, "&Source", self.source_edit, "source")
            self._add(layout, "&Event", self.event)
        else:
            self._add(layout, "C&lause", self.clause)
        self._add(layout, "&Note", self.note_edit, "note")
        self.buttons = ok_cancel(self)
        column = QVBoxLayout(self)
        column.addLayout(layout)
        column.addWidget(self.buttons)
        self.setMinimumWidth(460)

        for edit in (self.on_edit, self.value_edit, self.source_edit, self.note_edit):
            edit.textChanged.connect(self._validate)
        for combo in (self.precision, self.qualifier, self.event):
            combo.currentIndexChanged.connect(self._validate)
        self._validate()
        self.value_edit.setFocus() if fields is None else self.on_edit.setFocus()

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def form(self) -> PointForm:
        return PointForm(
            on=self.on_edit.text(), value=self.value_edit.text(), precision=self.precision.currentData(),
            qualifier=self.qualifier.currentData(), claimant_id=self.claimant.currentData(),
            source=self.source_edit.text(), event_id=self.event.currentData(),
            obligation_id=self.clause.currentData(), note=self.note_edit.text(),
        )  # fmt: skip

    def fields(self) -> TargetFields | ObservationFields:
        """The point as typed; only for a valid form (OK is disabled otherwise)."""
        return read_point_form(self.kind, self.form())[0]

    def _add(self, layout: QFormLayout, label: str, field: QWidget, problem: str = "") -> None:
        if not problem:
            layout.addRow(buddy_label(label, field), field)
            return
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(self.problems[problem])
        layout.addRow(buddy_label(label, field), column)

    def _validate(self) -> None:
        problems = read_point_form(self.kind, self.form())[1]
        for name, label in self.problems.items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)
        self.ok_button.setEnabled(not problems)


def _figure(text: str) -> str:
    """8600.0 as 8600: the form shows the figure as an officer would type it."""
    value = float(text)
    return str(int(value)) if value.is_integer() else text

