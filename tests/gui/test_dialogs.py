"""The dialogs: live validation, defaults and what they hand back."""

from datetime import date

from PySide6.QtCore import QDate, Qt

from db.obligations import ObligationFields
from db.vocabulary import Confidence, ObligationKind, Status
from gui.agreement_dialog import AgreementDialog
from gui.assessment_dialog import AssessmentDialog
from gui.obligation_dialog import ObligationDialog

ACTORS = [("a1", "Taliban"), ("a2", "United States")]


def obligation_dialog(qtbot, fields=None, **overrides) -> ObligationDialog:
    options = dict(
        heading="Add obligation", fields=fields or ObligationFields(ref="", title=""), actors=ACTORS,
        taken_refs={"P1-A"}, known_refs={"P1-A", "Intro-3"}, signed_on=date(2020, 2, 29),
        default_date=date(2026, 11, 28),
    )  # fmt: skip
    dialog = ObligationDialog(None, **{**options, **overrides})
    qtbot.addWidget(dialog)
    return dialog


def test_obligation_dialog_validates_as_the_officer_types(qtbot):
    dialog = obligation_dialog(qtbot)
    assert not dialog.ok_button.isEnabled()
    assert dialog.problems["ref"].text() == "Give the clause reference, e.g. P1-A.1."
    assert dialog.problems["ref"].textFormat() == Qt.TextFormat.PlainText
    qtbot.keyClicks(dialog.ref_edit, "P1-A")
    assert dialog.problems["ref"].text().startswith("The clause reference P1-A is already used")
    qtbot.keyClicks(dialog.ref_edit, ".3")
    assert dialog.problems["ref"].isHidden()
    assert not dialog.ok_button.isEnabled()  # still no title
    qtbot.keyClicks(dialog.title_edit, "Reduce forces further")
    assert dialog.ok_button.isEnabled()

    dialog.rule_deadline.setChecked(True)
    assert not dialog.ok_button.isEnabled() and not dialog.problems["deadline"].isHidden()
    qtbot.keyClicks(dialog.rule_edit, "135 days after")
    assert dialog.problems["deadline"].text().startswith("'135 days after' is not a deadline rule")
    qtbot.keyClicks(dialog.rule_edit, " signing")
    assert dialog.ok_button.isEnabled()
    assert dialog.rule_preview.text() == "Falls on 2020-07-13 (signed 2020-02-29)."
    dialog.rule_edit.setText("3 months after Intro-3")
    assert dialog.rule_preview.text() == "Counted from the day Intro-3 is met."

    dialog.obligor_list.item(1).setCheckState(Qt.CheckState.Checked)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(ObligationKind.QUANTITATIVE))
    fields = dialog.fields()
    assert fields == ObligationFields(
        ref="P1-A.3", title="Reduce forces further", kind="quantitative", obligor_ids=["a2"],
        deadline_rule="3 months after Intro-3",
    )  # fmt: skip


def test_obligation_dialog_starts_from_the_current_fields(qtbot):
    current = ObligationFields(
        ref="P1-D", title="Review sanctions", text="The US will review.", kind="action", obligor_ids=["a2", "a1"],
        beneficiary_id="a1", deadline_on=date(2020, 8, 27), deadline_note="by 27 August",
    )  # fmt: skip
    dialog = obligation_dialog(qtbot, current)
    assert dialog.date_deadline.isChecked() and dialog.date_edit.date() == QDate(2020, 8, 27)
    assert dialog.fields() == current  # obligor order kept
    assert dialog.ok_button.isEnabled()
    dialog.ongoing_deadline.setChecked(True)
    assert dialog.fields().deadline_on is None and dialog.fields().ongoing
    assert not dialog.date_edit.isEnabled()


def test_agreement_dialog_needs_a_title(qtbot):
    dialog = AgreementDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.title_edit, "Ceasefire in the north")
    assert ok.isEnabled()
    dialog.signed_on_edit.setDate(QDate(2026, 5, 1))
    assert dialog.values().signed_on == date(2026, 5, 1)
    dialog.signed_known.setChecked(False)
    values = dialog.values()
    assert (values.title, values.signed_on) == ("Ceasefire in the north", None)


def test_assessment_dialog_defaults_to_the_window_as_of_date(qtbot):
    dialog = AssessmentDialog(
        None, obligation="P1-D Review", as_of=date(2026, 11, 28), status=Status.OVERDUE, assessed_by="tester"
    )
    qtbot.addWidget(dialog)
    values = dialog.values()
    assert (values.as_of, values.status, values.score, values.confidence) == (
        date(2026, 11, 28), Status.OVERDUE, None, Confidence.MEDIUM,
    )  # fmt: skip
    dialog.score_combo.setCurrentIndex(dialog.score_combo.findData(2))
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(Status.AT_RISK))
    dialog.rationale_edit.setPlainText("  Half the review done.  ")
    values = dialog.values()
    assert (values.status, values.score, values.rationale) == (Status.AT_RISK, 2, "Half the review done.")
    assert dialog.status_combo.itemText(dialog.status_combo.findData(Status.BREACHED)) == "✕ Breached"
