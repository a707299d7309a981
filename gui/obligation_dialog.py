"""Add or edit an obligation: reference, title, clause text, kind, obligors, beneficiary and the
deadline (none, a date, a rule such as "135 days after signing", or ongoing) with its note.

Validation is live through db.obligations.obligation_problems: each message shows under its field
and OK stays disabled while anything is wrong. A rule shows the date it resolves to.

"New party…" beside the obligors adds a party to the agreement at once, as its own undo command (the
form's `new_party`, gui/obligation_actions.py), and ticks it: cancelling the form keeps the party.
"""

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from db.deadlines import SIGNING, parse_rule, resolve, rule_problem
from db.obligations import ObligationFields, obligation_problems
from db.values import sentence
from db.vocabulary import ObligationKind, PartyRole
from gui.date_edit import DateEdit
from gui.labels import KIND_LABELS
from gui.plain_text import buddy_label, ok_cancel, plain_label, problem_label, with_problem


class ObligationDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, *, heading: str, fields: ObligationFields, actors: list[tuple[str, str]],
        taken_refs: set[str], known_refs: set[str], signed_on: date | None, default_date: date,
        new_party: Callable[[str, str], str | None] | None = None,
    ):  # fmt: skip
        """`new_party(name, role)` adds a party to the agreement and returns its actor's id (None: refused)."""
        super().__init__(parent)
        self._new_party = new_party
        self.setWindowTitle(heading)
        self._taken_refs, self._known_refs, self._signed_on = taken_refs, known_refs, signed_on
        self._obligor_order = list(fields.obligor_ids)

        self.ref_edit = QLineEdit(fields.ref)
        self.ref_edit.setPlaceholderText("P1-A.1")
        self.title_edit = QLineEdit(fields.title)
        self.title_edit.setPlaceholderText("What the obligor must do, in a line")
        self.text_edit = QPlainTextEdit(fields.text or "")
        self.text_edit.setPlaceholderText("The clause as the agreement words it")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setFixedHeight(90)
        self.kind_combo = QComboBox()
        for kind in ObligationKind:
            self.kind_combo.addItem(KIND_LABELS[kind], str(kind))
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(str(fields.kind))))
        self.obligor_list = QListWidget()
        for actor_id, name in actors:
            self._add_obligor(actor_id, name, actor_id in fields.obligor_ids)
        self.new_party_button = QPushButton("New &party…")
        self.new_party_button.setToolTip("Add a party to the agreement (its own step in Edit ▸ Undo) and tick it")
        self.new_party_button.clicked.connect(self.add_new_party)
        self.new_party_button.setVisible(new_party is not None)
        rows = max(3, min(len(actors), 10))  # every actor of a small record in view, without scrolling
        row_height = self.obligor_list.sizeHintForRow(0) if actors else 18
        self.obligor_list.setFixedHeight(rows * row_height + 2 * self.obligor_list.frameWidth() + 4)
        self.beneficiary_combo = QComboBox()
        self.beneficiary_combo.addItem("—", None)
        for actor_id, name in actors:
            self.beneficiary_combo.addItem(name, actor_id)
        self.beneficiary_combo.setCurrentIndex(max(0, self.beneficiary_combo.findData(fields.beneficiary_id)))

        self.no_deadline = QRadioButton("&None")
        self.date_deadline = QRadioButton("&Date")
        self.rule_deadline = QRadioButton("&Rule")
        self.ongoing_deadline = QRadioButton("&Ongoing")
        self._deadline_kinds = QButtonGroup(self)
        for button in (self.no_deadline, self.date_deadline, self.rule_deadline, self.ongoing_deadline):
            self._deadline_kinds.addButton(button)
        self.date_edit = DateEdit()
        when = fields.deadline_on or default_date
        self.date_edit.set_day(when)
        self.rule_edit = QLineEdit(fields.deadline_rule or "")
        self.rule_edit.setPlaceholderText("135 days after signing")
        self.rule_preview = plain_label()
        self.note_edit = QLineEdit(fields.deadline_note or "")
        self.note_edit.setPlaceholderText("e.g. the clause says “within 135 days”")
        if fields.deadline_on is not None:
            self.date_deadline.setChecked(True)
        elif fields.deadline_rule:
            self.rule_deadline.setChecked(True)
        elif fields.ongoing:
            self.ongoing_deadline.setChecked(True)
        else:
            self.no_deadline.setChecked(True)

        self.problems = {name: problem_label() for name in ("ref", "title", "text", "kind", "deadline")}
        kinds = QHBoxLayout()
        for button in (self.no_deadline, self.date_deadline, self.rule_deadline, self.ongoing_deadline):
            kinds.addWidget(button)
        kinds.addStretch(1)
        deadline = QVBoxLayout()
        deadline.addLayout(kinds)
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_edit)
        date_row.addStretch(1)
        deadline.addLayout(date_row)
        deadline.addWidget(self.rule_edit)
        deadline.addWidget(self.rule_preview)
        deadline.addWidget(self.problems["deadline"])

        form = QFormLayout()
        form.addRow(
            buddy_label("Re&ference", self.ref_edit), with_problem(self.ref_edit, self.problems["ref"])
        )
        form.addRow(
            buddy_label("&Title", self.title_edit), with_problem(self.title_edit, self.problems["title"])
        )
        form.addRow(buddy_label("Clause te&xt", self.text_edit), with_problem(self.text_edit, self.problems["text"]))
        form.addRow(
            buddy_label("&Kind", self.kind_combo), with_problem(self.kind_combo, self.problems["kind"])
        )
        obligors = QVBoxLayout()
        obligors.addWidget(self.obligor_list)
        obligors.addWidget(self.new_party_button, alignment=Qt.AlignmentFlag.AlignLeft)
        form.addRow(buddy_label("O&bligors", self.obligor_list), obligors)
        form.addRow("B&eneficiary", self.beneficiary_combo)
        form.addRow("Deadline", deadline)
        form.addRow("Dead&line note", self.note_edit)
        self.buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        for edit in (self.ref_edit, self.title_edit, self.rule_edit):
            edit.textChanged.connect(self._validate)
        self.kind_combo.currentIndexChanged.connect(self._validate)
        self._deadline_kinds.buttonToggled.connect(self._validate)
        self.date_edit.dateChanged.connect(self._validate)
        self._validate()

    def _add_obligor(self, actor_id: str, name: str, checked: bool, row: int | None = None) -> None:
        item = QListWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, actor_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if row is None:
            self.obligor_list.addItem(item)
        else:
            self.obligor_list.insertItem(row, item)

    def add_new_party(self) -> None:
        """Ask a name and a role, add the party, and tick it among the obligors (a known actor is ticked where it is)."""
        asked = self.ask_new_party()
        actor_id = asked and self._new_party(*asked)
        if not actor_id:
            return
        items = [self.obligor_list.item(row) for row in range(self.obligor_list.count())]
        known = next((item for item in items if item.data(Qt.ItemDataRole.UserRole) == actor_id), None)
        if known is None:
            self._add_obligor(actor_id, asked[0].strip(), True, row=0)  # with the parties, at the top
            self.beneficiary_combo.addItem(asked[0].strip(), actor_id)
            self.obligor_list.scrollToTop()
        else:
            known.setCheckState(Qt.CheckState.Checked)
            self.obligor_list.scrollToItem(known)

    def ask_new_party(self) -> tuple[str, str] | None:
        """(name, role) of the new party, None when the officer cancels (tests answer instead)."""
        name, ok = QInputDialog.getText(self, "New party", "Name of the party:")
        if not ok or not name.strip():
            return None
        roles = [role.replace("_", "-") for role in PartyRole]
        role, ok = QInputDialog.getItem(self, f"New party {name.strip()}", "Its role in the agreement:", roles, 0, False)
        return (name, str(list(PartyRole)[roles.index(role)])) if ok else None

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def fields(self) -> ObligationFields:
        checked = [
            item.data(Qt.ItemDataRole.UserRole)
            for item in (self.obligor_list.item(row) for row in range(self.obligor_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]
        ordered = [i for i in self._obligor_order if i in checked] + [
            i for i in checked if i not in self._obligor_order
        ]
        return ObligationFields(
            ref=self.ref_edit.text().strip(),
            title=self.title_edit.text().strip(),
            text=self.text_edit.toPlainText().strip() or None,
            kind=self.kind_combo.currentData(),
            obligor_ids=ordered,
            beneficiary_id=self.beneficiary_combo.currentData(),
            deadline_on=self.date_edit.date().toPython() if self.date_deadline.isChecked() else None,
            deadline_rule=(self.rule_edit.text().strip() or None) if self.rule_deadline.isChecked() else None,
            ongoing=self.ongoing_deadline.isChecked(),
            deadline_note=self.note_edit.text().strip() or None,
        )

    def _validate(self) -> None:
        self.date_edit.setEnabled(self.date_deadline.isChecked())
        self.rule_edit.setEnabled(self.rule_deadline.isChecked())
        fields = self.fields()
        problems = obligation_problems(fields)
        if self.rule_deadline.isChecked() and not fields.deadline_rule:
            problems.setdefault("deadline", "Write the rule, e.g. 135 days after signing.")
        elif fields.deadline_rule and (
            wrong := rule_problem(fields.deadline_rule, self._signed_on, self._known_refs)
        ):
            problems["deadline"] = sentence(wrong)
        if fields.ref in self._taken_refs:
            problems.setdefault(
                "ref", f"The clause reference {fields.ref} is already used in this agreement; choose another."
            )
        for name, label in self.problems.items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)
        preview = self._preview(fields) if "deadline" not in problems else ""
        self.rule_preview.setText(preview)
        self.rule_preview.setVisible(bool(preview))
        self.ok_button.setEnabled(not problems)

    def _preview(self, fields: ObligationFields) -> str:
        if not fields.deadline_rule:
            return ""
        rule = parse_rule(fields.deadline_rule)
        if rule.anchor == SIGNING:
            if self._signed_on is None:
                return "The agreement's signing date is not recorded, so this deadline stays pending."
            return f"Falls on {resolve(rule, self._signed_on).isoformat()} (signed {self._signed_on.isoformat()})."
        return f"Counted from the day {rule.anchor} is met."

