"""Every edit of the record as a QUndoCommand: one user action, one audited transaction.

redo() and undo() call db/ services inside `store.writing(self.text())`, so the audit trail names
each change after the menu text ("Add obligation P1-G", "Delete P1-C.2"), and hand the desk what the
services say they changed (db.changes.Changes), which it says once. Commands that create a row choose its id up front, so a
redo after an undo brings back the same record. Run a command with `Desk.execute`, which reports a refused
first run instead of keeping it.
"""

from datetime import date

from PySide6.QtGui import QUndoCommand

from db import audit
from db.agreements import (
    AgreementFields,
    DeletedAgreement,
    agreement_fields,
    delete_agreement,
    restore_agreement,
    update_agreement,
)
from db.changes import Changes
from db.errors import UserError
from db.ids import new_id
from db.obligations import (
    AssessmentValues,
    DeletedSubtree,
    ObligationFields,
    add_assessment,
    add_obligation,
    correct_assessment,
    create_agreement,
    delete_empty_agreement,
    delete_obligation,
    move_obligation,
    obligation_fields,
    position_of,
    remove_assessment,
    restore_obligation,
    update_obligation,
    withdraw_assessment,
)
from db.officer_words import remove_words, save_words
from gui.desk import Desk


class DeskCommand(QUndoCommand):
    """Runs `apply` (redo) or `revert` (undo) in one transaction; each returns what it changed (Changes).

    `agreement_id` is the agreement the change belongs to: the desk shows it before undoing or redoing
    the change, so nothing changes out of sight (gui/desk.py). The desk runs the work first
    (`perform`) and moves the undo stack only once it committed, so a refused undo or redo leaves
    both the record and the stack as they were.
    """

    def __init__(self, desk: Desk, text: str):
        super().__init__(text)
        self.desk = desk
        self.agreement_id = desk.agreement_id
        self._performed = False  # the desk did the work; the stack's call to redo()/undo() only moves on
        self._left: dict[tuple[str, str], int] = {}  # versions of the rows the last run wrote
        self._runs = 0
        self.initiator: object = None  # the view that asked for the change (Desk.execute), for its refresh

    def apply(self, session) -> Changes:
        raise NotImplementedError

    def revert(self, session) -> Changes:
        raise NotImplementedError

    def read_at(self, versions: dict[tuple[str, str], int]) -> "DeskCommand":
        """The versions of the rows the officer's form showed (audit.versions_read): the first run is
        refused if one it writes changed since, like an undo."""
        self._left = dict(versions)
        return self

    def applied(self) -> None:
        """After apply committed, before views refresh (e.g. switch to a new agreement)."""

    def reverted(self) -> None:
        """After revert committed, before views refresh."""

    def perform(self, undoing: bool = False) -> None:
        """Undo or (re)do the change in one audited transaction; a UserError propagates with nothing
        written, and the desk then keeps the stack as it was."""
        if undoing:
            step, after, action = self.revert, self.reverted, f"Undo: {self.text()}"
        else:
            step, after = self.apply, self.applied
            action = self.text() if self._runs == 0 else f"Redo: {self.text()}"
        # An undo expects the rows exactly as the last run left them (a redo, as the last undo did):
        # if anything changed them since (an import, another desk), it is refused, not overwritten.
        with self.desk.store.writing(action, expect=self._left) as session:  # the one transaction
            changes = step(session)
            left = audit.versions_left(session)
        self._left = {key: version for key, version in left.items() if version is not None}
        self._runs += 1
        self._performed = True
        after()
        self.desk.changed(changes, self.initiator)

    def redo(self) -> None:
        self._by_stack(undoing=False)

    def undo(self) -> None:
        self._by_stack(undoing=True)

    def _by_stack(self, undoing: bool) -> None:
        """QUndoStack calls redo()/undo() after the desk performed the work: nothing is left to do. Called
        directly on the stack (a script), the work is done here, and a refusal is only reported."""
        if self._performed:
            self._performed = False
            return
        try:
            self.perform(undoing)
        except UserError as error:
            self.desk.report(str(error))
        self._performed = False


def _ref(desk: Desk, obligation_id: str) -> str:
    node = desk.node(obligation_id)
    if node is not None:
        return node.ref
    with desk.store.reading() as session:
        return obligation_fields(session, obligation_id).ref


class AddAgreement(DeskCommand):
    def __init__(
        self, desk: Desk, title: str, short_title: str = "", signed_on: date | None = None, place: str = ""
    ):
        super().__init__(desk, f"Add agreement {(short_title or title).strip()}")
        self.agreement_id = new_id()
        self._values = (title, short_title, signed_on, place)
        self._previous = desk.agreement_id

    def apply(self, session) -> Changes:
        return create_agreement(session, *self._values, agreement_id=self.agreement_id)

    def revert(self, session) -> Changes:
        return delete_empty_agreement(session, self.agreement_id)

    def applied(self) -> None:
        self.desk.set_agreement(self.agreement_id)

    def reverted(self) -> None:
        if self.desk.agreement_id == self.agreement_id:
            self.desk.set_agreement(self._previous)


class AddObligation(DeskCommand):
    def __init__(self, desk: Desk, parent_id: str | None, position: int, fields: ObligationFields):
        super().__init__(desk, f"Add obligation {fields.ref.strip()}")
        self.obligation_id = new_id()
        self.agreement_id = desk.agreement_id
        self._parent_id, self._position, self._fields = parent_id, position, fields

    def apply(self, session) -> Changes:
        return add_obligation(
            session, self.agreement_id, self._parent_id, self._position, self._fields, self.obligation_id
        )

    def revert(self, session) -> Changes:
        return delete_obligation(session, self.obligation_id).changes


class EditObligation(DeskCommand):
    def __init__(self, desk: Desk, obligation_id: str, fields: ObligationFields):
        with desk.store.reading() as session:
            self._before = obligation_fields(session, obligation_id)
        super().__init__(desk, f"Edit {self._before.ref}")
        self.obligation_id, self._after = obligation_id, fields

    def apply(self, session) -> Changes:
        return update_obligation(session, self.obligation_id, self._after)

    def revert(self, session) -> Changes:
        return update_obligation(session, self.obligation_id, self._before)


class MoveObligation(DeskCommand):
    """Move within the tree: up, down, or anywhere by drag and drop; undo puts it back where it was."""

    def __init__(self, desk: Desk, obligation_id: str, parent_id: str | None, position: int, how: str = ""):
        ref = _ref(desk, obligation_id)
        super().__init__(desk, f"Move {ref} {how}".strip())
        with desk.store.reading() as session:
            self._before = position_of(session, obligation_id)
        self.obligation_id, self._after = obligation_id, (parent_id, position)

    def apply(self, session) -> Changes:
        return move_obligation(session, self.obligation_id, *self._after)

    def revert(self, session) -> Changes:
        return move_obligation(session, self.obligation_id, *self._before)


def move_by(desk: Desk, obligation_id: str, step: int) -> MoveObligation:
    """Move one place up (step -1) or down (+1) among its siblings."""
    with desk.store.reading() as session:
        parent_id, position = position_of(session, obligation_id)
    return MoveObligation(desk, obligation_id, parent_id, position + step, "up" if step < 0 else "down")


class DeleteObligation(DeskCommand):
    """Delete an obligation with everything beneath it; undo restores the subtree and its links."""

    def __init__(self, desk: Desk, obligation_id: str):
        super().__init__(desk, f"Delete {_ref(desk, obligation_id)}")
        self.obligation_id = obligation_id
        self.deleted: DeletedSubtree | None = None

    def apply(self, session) -> Changes:
        self.deleted = delete_obligation(session, self.obligation_id)
        return self.deleted.changes

    def revert(self, session) -> Changes:
        return restore_obligation(session, self.deleted)


class AddAssessment(DeskCommand):
    def __init__(
        self, desk: Desk, obligation_id: str, as_of: date, status: str, score: int | None, confidence: str,
        rationale: str, assessed_by: str,
    ):  # fmt: skip
        super().__init__(desk, f"Add assessment of {_ref(desk, obligation_id)}")
        self.assessment_id = new_id()
        self.obligation_id = obligation_id
        self._values = (as_of, status, score, confidence, rationale, assessed_by)

    def apply(self, session) -> Changes:
        return add_assessment(session, self.obligation_id, *self._values, assessment_id=self.assessment_id)

    def revert(self, session) -> Changes:
        return remove_assessment(session, self.assessment_id)


class CorrectAssessment(DeskCommand):
    """A corrected version of an assessment, superseding it; undo removes the version (the trail keeps it)."""

    def __init__(self, desk: Desk, obligation_id: str, assessment_id: str, values: AssessmentValues):
        super().__init__(desk, f"Correct assessment of {_ref(desk, obligation_id)}")
        self.obligation_id, self.assessment_id, self.values = obligation_id, assessment_id, values
        self.version_ids = [new_id(), new_id()]  # the version, and the withdrawal of a date moved from

    def apply(self, session) -> Changes:
        return correct_assessment(session, self.assessment_id, self.values, self.desk.store.user, *self.version_ids)

    def revert(self, session) -> Changes:
        # The withdrawal exists only if the correction moved the date; removing a row not there is nothing.
        changes = Changes()
        for assessment_id in self.version_ids:
            changes |= remove_assessment(session, assessment_id)
        return changes


class WithdrawAssessment(DeskCommand):
    def __init__(self, desk: Desk, obligation_id: str, assessment_id: str, reason: str):
        super().__init__(desk, f"Withdraw assessment of {_ref(desk, obligation_id)}")
        self.obligation_id, self.assessment_id, self.reason = obligation_id, assessment_id, reason
        self.withdrawal_id = new_id()

    def apply(self, session) -> Changes:
        return withdraw_assessment(session, self.assessment_id, self.reason, self.desk.store.user, self.withdrawal_id)

    def revert(self, session) -> Changes:
        return remove_assessment(session, self.withdrawal_id)


class EditAgreement(DeskCommand):
    """Rename an agreement, change its date or place, or its parties and their roles."""

    def __init__(self, desk: Desk, agreement_id: str, fields: AgreementFields):
        with desk.store.reading() as session:
            self._before = agreement_fields(session, agreement_id)
        super().__init__(desk, f"Edit agreement {(self._before.short_title or self._before.title)}")
        self.agreement_id, self._after = agreement_id, fields

    def apply(self, session) -> Changes:
        return update_agreement(session, self.agreement_id, self._after)

    def revert(self, session) -> Changes:
        return update_agreement(session, self.agreement_id, self._before)


class DeleteAgreement(DeskCommand):
    """Delete an agreement with everything it holds; undo puts every row back and shows it again."""

    def __init__(self, desk: Desk, agreement_id: str, label: str):
        super().__init__(desk, f"Delete agreement {label}")
        self.agreement_id = agreement_id
        self.deleted: DeletedAgreement | None = None

    def apply(self, session) -> Changes:
        self.deleted = delete_agreement(session, self.agreement_id)
        return self.deleted.changes

    def revert(self, session) -> Changes:
        return restore_agreement(session, self.deleted)

    def reverted(self) -> None:
        self.desk.set_agreement(self.agreement_id)


class SaveOfficerWords(DeskCommand):
    """A new version of the officer's assessment in words for the desk's agreement; undo removes it
    (the earlier version is the newest again, and the trail keeps both)."""

    def __init__(self, desk: Desk, text: str):
        super().__init__(desk, "Save the officer's assessment in words")
        self.words, self.words_id = text, new_id()

    def apply(self, session) -> Changes:
        return save_words(session, self.agreement_id, self.words, self.desk.store.user, self.words_id)

    def revert(self, session) -> Changes:
        return remove_words(session, self.words_id)
