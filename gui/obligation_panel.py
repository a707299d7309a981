"""The detail panel: everything the record holds about the selected obligation.

Clause text, kind, obligors, beneficiary, deadline and its rule, status with its reason as of the
desk's date, dependencies, the assessment history (newest first, each version kept: a correction
supersedes, a withdrawal says so) and linked events. What had not happened by the as-of date
(db.as_of.happened_by) is greyed and labelled "after 2020-04-10". The standing assessments can be
corrected or withdrawn from here. Every piece of user text is shown by a plain-text label.
"""

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from db.as_of import after_label, happened_by
from db.compliance import Standing
from db.event_rules import date_label
from db.phrasing import deadline_origin, deadline_text
from db.tree import AssessmentRow, LinkedEvent, ObligationDetail
from db.vocabulary import WITHDRAWN, DatePrecision, ObligationKind, Status
from gui.desk import Desk
from gui.labels import BEARING_LABELS, grade_label, kind_label, score_label
from gui.plain_text import plain_label, quiet_label
from gui.status_badge import StatusBadge

NOTHING_SELECTED = "Select an obligation to see its clause, deadline, status, assessments and events."
NO_AGREEMENT = "This database holds no agreement yet. Choose File ▸ New agreement… to start one."


class ObligationPanel(QScrollArea):
    correct_requested = Signal(str)  # an assessment's id: open it in its form
    withdraw_requested = Signal(str)

    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.obligation_id: str | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(320)
        self.show_obligation(None)

    def show_obligation(self, obligation_id: str | None) -> None:
        """Show the obligation as the record and the desk's as-of date have it now."""
        self.obligation_id = obligation_id
        detail = self.desk.detail(obligation_id)
        node = self.desk.node(obligation_id)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(6)
        if detail is None or node is None:
            self.obligation_id = None
            message = NO_AGREEMENT if self.desk.agreement_id is None else NOTHING_SELECTED
            layout.addWidget(quiet_label(message))
        else:
            self._fill(layout, detail, node.standing)
        layout.addStretch(1)
        self.setWidget(content)

    def _fill(self, layout: QVBoxLayout, detail: ObligationDetail, standing: Standing) -> None:
        self.ref_label = plain_label(detail.ref, bold=True, scale=1.25)
        self.title_label = plain_label(detail.title, bold=True, scale=1.1)
        layout.addWidget(self.ref_label)
        layout.addWidget(self.title_label)

        badge_row = QHBoxLayout()
        badge_row.addWidget(StatusBadge(standing))
        badge_row.addWidget(quiet_label(f"as of {self.desk.as_of.isoformat()}", wrap=False))
        badge_row.addStretch(1)
        layout.addLayout(badge_row)
        self.reason_label = plain_label(standing.reason)
        layout.addWidget(self.reason_label)

        if detail.text:
            _heading(layout, "Clause text")
            layout.addWidget(plain_label(detail.text))

        section = detail.kind == ObligationKind.SECTION
        _heading(layout, "Section" if section else "Obligation")
        form = _form(layout)
        _row(form, "Kind", kind_label(detail.kind))
        if detail.obligors or not section:
            _row(form, "Obligors", "\n".join(name for _id, name in detail.obligors) or "—")
        if detail.beneficiary or not section:
            _row(form, "Beneficiary", detail.beneficiary[1] if detail.beneficiary else "—")
        deadline = deadline_text(standing, "none (ongoing)")
        if deadline or not section:
            _row(form, "Deadline", deadline or "none")
        origin = deadline_origin(standing)
        if origin:
            _row(form, "From", origin)
        if detail.deadline_note:
            _row(form, "Deadline note", detail.deadline_note)
        if detail.metrics:
            _row(form, "Metrics", "\n".join(detail.metrics))

        if detail.depends_on or detail.required_by:
            _heading(layout, "Dependencies")
            form = _form(layout)
            if detail.depends_on:
                _row(form, "Depends on", _dependencies(detail.depends_on))
            if detail.required_by:
                _row(form, "Required by", _dependencies(detail.required_by))

        _heading(layout, f"Assessments ({len(detail.assessments)})")
        if not detail.assessments:
            if section:
                _quiet(layout, "No assessment; the status rolls up from the items beneath.")
            else:
                _quiet(layout, "No assessment yet; the status is computed from the deadline.")
        for assessment in detail.assessments:
            self._assessment(layout, assessment)

        _heading(layout, f"Linked events ({len(detail.events)})")
        if not detail.events:
            _quiet(layout, "No event is linked to this obligation.")
        for event in detail.events:
            _event(layout, event, self.desk.as_of)


    def _assessment(self, layout: QVBoxLayout, assessment: AssessmentRow) -> None:
        withdrawn = assessment.status == WITHDRAWN
        if withdrawn:
            parts = [assessment.as_of.isoformat(), "Withdrawn"]
        else:
            status = Status(assessment.status).label if assessment.status in list(Status) else assessment.status
            parts = [assessment.as_of.isoformat(), status, score_label(assessment.score), f"{assessment.confidence} confidence"]  # fmt: skip
        notes = []
        if not happened_by(assessment.as_of, DatePrecision.DAY, self.desk.as_of):
            notes.append(after_label(self.desk.as_of))
        if assessment.superseded:
            notes.append("superseded by a later version")
        label = quiet_label if notes else plain_label
        head = " · ".join(parts + notes)
        layout.addWidget(quiet_label(head) if notes else plain_label(head, bold=True))
        layout.addWidget(
            label(f"by {assessment.assessed_by}, recorded {assessment.recorded_at:%Y-%m-%d %H:%M} UTC")
        )
        if assessment.rationale:
            layout.addWidget(label(assessment.rationale))
        if not (withdrawn or assessment.superseded):
            buttons = QHBoxLayout()
            for text, signal in (("Correct…", self.correct_requested), ("Withdraw…", self.withdraw_requested)):
                button = QPushButton(text)
                button.setAccessibleName(f"{text.rstrip('…')} the assessment as of {assessment.as_of.isoformat()}")
                button.clicked.connect(lambda _checked=False, s=signal, i=assessment.id: s.emit(i))
                buttons.addWidget(button)
            buttons.addStretch(1)
            layout.addLayout(buttons)
        layout.addSpacing(4)


def _heading(layout: QVBoxLayout, text: str) -> None:
    layout.addSpacing(8)
    layout.addWidget(plain_label(text, bold=True))
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    layout.addWidget(line)


def _quiet(layout: QVBoxLayout, text: str) -> None:
    layout.addWidget(quiet_label(text))


def _form(layout: QVBoxLayout) -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    layout.addLayout(form)
    return form


def _row(form: QFormLayout, name: str, value: str) -> QLabel:
    label = plain_label(value)
    form.addRow(quiet_label(name, wrap=False), label)
    return label


def _dependencies(rows: list[tuple[str, str, str | None]]) -> str:
    return "\n".join(f"{ref} {title}" + (f" — {note}" if note else "") for ref, title, note in rows)


def _event(layout: QVBoxLayout, event: LinkedEvent, as_of: date) -> None:
    when = date_label(event.occurred_on, event.date_precision, event.occurred_until)
    what = event.event_type + (f": {event.sub_event_type}" if event.sub_event_type else "")
    later = not happened_by(event.occurred_on, event.date_precision, as_of, event.occurred_until)
    head = " · ".join(p for p in (when, what, event.location, later and after_label(as_of)) if p)
    label = quiet_label if later else plain_label  # greyed: it had not happened by the as-of date
    layout.addWidget(quiet_label(head) if later else plain_label(head, bold=True))
    layout.addWidget(label(f"Bearing: {BEARING_LABELS.get(event.bearing, event.bearing)}"))
    if event.notes:
        layout.addWidget(label(event.notes))
    source = event.source_name or "no source named"
    layout.addWidget(label(f"Source: {source} · {grade_label(event.grade)}"))
    layout.addSpacing(4)
