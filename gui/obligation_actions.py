"""The obligation actions of the Edit menu and toolbar: add child / sibling, edit, move up / down,
delete and add assessment. Each asks what it needs (a dialog, a confirmation) and then runs one
command through the desk; the tree's drops arrive here as move requests too."""

import re

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QInputDialog, QWidget

from db import audit
from db.agreements import AgreementExtent
from db.deletion import DeletionExtent, deletion_extent
from db.obligations import AssessmentValues, ObligationFields, assessment_values, obligation_fields
from db.tree import ObligationNode, list_actors
from db.vocabulary import WITHDRAWN
from gui.actions import make_action
from gui.actor_commands import AddParty
from gui.assessment_dialog import AssessmentDialog
from gui.commands import (
    AddAssessment,
    AddObligation,
    CorrectAssessment,
    DeleteObligation,
    EditObligation,
    MoveObligation,
    WithdrawAssessment,
    move_by,
)
from gui.desk import Desk
from gui.obligation_dialog import ObligationDialog
from gui.obligation_tree import ObligationTree
from gui.plain_text import confirm


class ObligationActions(QObject):
    def __init__(self, window: QWidget, desk: Desk, tree: ObligationTree):
        super().__init__(window)
        self.window, self.desk, self.tree = window, desk, tree

        def action(text: str, slot, *shortcuts, tip: str = "") -> QAction:
            return make_action(window, text, slot, *shortcuts, tip=tip)

        self.add_sibling = action(
            "Add &obligation…",
            self.add_sibling_obligation,
            "Ctrl+N",
            tip="Add an obligation after the selected one",
        )
        self.add_child = action(
            "Add &child obligation…",
            self.add_child_obligation,
            "Ctrl+Shift+N",
            tip="Add an obligation beneath the selected one",
        )
        self.edit = action(
            "&Edit obligation…", self.edit_obligation, "F2", tip="Edit the selected obligation"
        )
        self.move_up = action(
            "Move u&p", lambda: self.move_selected(-1), "Ctrl+Up", tip="Move before the previous sibling"
        )
        self.move_down = action(
            "Move do&wn", lambda: self.move_selected(1), "Ctrl+Down", tip="Move after the next sibling"
        )
        self.delete = action(
            "&Delete obligation…", self.delete_obligation, QKeySequence.StandardKey.Delete,
            tip="Delete the selected obligation with everything beneath it",
        )  # fmt: skip
        self.add_assessment = action(
            "Add &assessment…",
            self.assess_obligation,
            "Ctrl+Shift+A",
            tip="Record your judgement of the obligation",
        )
        self.correct_assessment = action(
            "Correct assess&ment…", self.correct_latest, tip="Correct the newest assessment: a new version supersedes it"
        )
        self.withdraw_assessment = action(
            "W&ithdraw assessment…", self.withdraw_latest, tip="Withdraw the newest assessment (recorded as such)"
        )
        # Keys that act on the selected obligation work only while the tree has focus: F2 or Del in the
        # event log must edit or delete the event there, never the obligation still selected in the tree.
        for scoped in (self.edit, self.move_up, self.move_down, self.delete):
            scoped.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.tree.addAction(scoped)
        self.tree.edit_requested.connect(self.edit_obligation)
        self.tree.move_requested.connect(self.move, Qt.ConnectionType.QueuedConnection)  # after the drop ends
        self.tree.obligation_selected.connect(lambda _id: self.update_enabled())
        desk.agreement_changed.connect(self.update_enabled)
        self.update_enabled()

    def all(self) -> list[QAction | None]:
        """In menu order; None is a separator."""
        return [
            self.add_sibling, self.add_child, self.edit, None, self.move_up, self.move_down, None, self.delete, None,
            self.add_assessment, self.correct_assessment, self.withdraw_assessment,
        ]  # fmt: skip

    def update_enabled(self) -> None:
        # A read-only record (another desk has it, a read-only disk, a reader's role) or an agreement the
        # officer may not change (the team server refuses it) offers no edits at all.
        editable = self.desk.refusal() is None
        node = self.tree.selected_node() if editable else None
        siblings = self._siblings(node) if node else []
        self.add_sibling.setEnabled(self.desk.agreement_id is not None and editable)
        for each in (self.add_child, self.edit, self.delete, self.add_assessment):
            each.setEnabled(node is not None)
        assessed = node is not None and node.standing.assessed is not None
        for each in (self.correct_assessment, self.withdraw_assessment):
            each.setEnabled(assessed)
        self.move_up.setEnabled(node is not None and siblings.index(node) > 0)
        self.move_down.setEnabled(node is not None and siblings.index(node) < len(siblings) - 1)

    # --- the actions --------------------------------------------------------------------------

    def add_sibling_obligation(self) -> None:
        node = self.tree.selected_node()
        if self.desk.agreement_id is None:
            return
        if node is None:
            self._add(None, len(self.desk.tree()))
        else:
            self._add(node.parent_id, self._siblings(node).index(node) + 1)

    def add_child_obligation(self) -> None:
        node = self.tree.selected_node()
        if node is not None:
            self._add(node.id, len(node.children))

    def _add(self, parent_id: str | None, position: int) -> None:
        parent = self.desk.node(parent_id)
        siblings = parent.children if parent else self.desk.tree()
        suggestion = ObligationFields(ref=suggest_ref(parent, siblings, self._refs()), title="")
        heading = f"Add obligation under {parent.ref}" if parent else "Add obligation"
        fields = self.ask_obligation(heading, suggestion, taken=self._refs())
        if fields is not None:
            self.desk.execute(AddObligation(self.desk, parent_id, position, fields))

    def edit_obligation(self, obligation_id: str | None = None) -> None:
        obligation_id = obligation_id or self.tree.selected_id()
        node = self.desk.node(obligation_id)
        if node is None:
            return
        with self.desk.store.reading() as session:
            current, read = obligation_fields(session, node.id), audit.versions_read(session)
        fields = self.ask_obligation(f"Edit {node.ref}", current, taken=self._refs() - {node.ref})
        if fields is not None and fields != current:
            self.desk.execute(EditObligation(self.desk, node.id, fields).read_at(read))

    def move_selected(self, step: int) -> None:
        node = self.tree.selected_node()
        if node is not None:
            self.desk.execute(move_by(self.desk, node.id, step))

    def move(self, obligation_id: str, parent_id: str | None, position: int) -> None:
        """A drop in the tree."""
        if self.desk.node(obligation_id) is not None:
            self.desk.execute(MoveObligation(self.desk, obligation_id, parent_id, position))

    def delete_obligation(self) -> None:
        node = self.tree.selected_node()
        if node is None:
            return
        with self.desk.store.reading() as session:
            extent = deletion_extent(session, node.id)
        if self.confirm_delete(node, extent):
            self.desk.execute(DeleteObligation(self.desk, node.id))

    def assess_obligation(self) -> None:
        node = self.tree.selected_node()
        if node is None:
            return
        values = self.ask_assessment(node)
        if values is not None:
            self.desk.execute(
                AddAssessment(
                    self.desk,
                    node.id,
                    values.as_of,
                    values.status,
                    values.score,
                    values.confidence,
                    values.rationale,
                    self.desk.store.user,
                )  # fmt: skip
            )

    def _standing_assessment(self) -> str | None:
        """The newest assessment of the selected obligation that stands (not superseded nor withdrawn)."""
        detail = self.desk.detail(self.tree.selected_id())
        standing = [a for a in detail.assessments if not a.superseded and a.status != WITHDRAWN] if detail else []
        return standing[0].id if standing else None

    def correct_latest(self) -> None:
        if (assessment_id := self._standing_assessment()) is not None:
            self.correct(assessment_id)

    def withdraw_latest(self) -> None:
        if (assessment_id := self._standing_assessment()) is not None:
            self.withdraw(assessment_id)

    def correct(self, assessment_id: str) -> None:
        """Open the assessment in its form; saved changed, it is a new version that supersedes it."""
        node = self.tree.selected_node()
        if node is None:
            return
        with self.desk.store.reading() as session:
            current = assessment_values(session, assessment_id)
        values = self.ask_assessment(node, current)
        if values is not None and values != current:
            self.desk.execute(CorrectAssessment(self.desk, node.id, assessment_id, values))

    def withdraw(self, assessment_id: str) -> None:
        node = self.tree.selected_node()
        reason = self.ask_withdrawal(node) if node is not None else None
        if reason:
            self.desk.execute(WithdrawAssessment(self.desk, node.id, assessment_id, reason))

    # --- questions to the officer (tests replace these) ------------------------------------------

    def ask_obligation(
        self, heading: str, fields: ObligationFields, taken: set[str]
    ) -> ObligationFields | None:
        agreement = self.desk.agreement()
        with self.desk.store.reading() as session:
            actors = list_actors(session, parties_of=agreement.id if agreement else None)
        dialog = ObligationDialog(
            self.window, heading=heading, fields=fields, actors=actors, taken_refs=taken, known_refs=self._refs(),
            signed_on=agreement.signed_on if agreement else None, default_date=self.desk.as_of,
            new_party=self.new_party if agreement else None,
        )  # fmt: skip
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def new_party(self, name: str, role: str) -> str | None:
        """The form's "New party…": its own undo command, run at once; the party's actor id, None when refused."""
        command = AddParty(self.desk, self.desk.agreement_id, name, role)
        return command.actor_id if self.desk.execute(command) else None

    def ask_assessment(self, node: ObligationNode, current: AssessmentValues | None = None) -> AssessmentValues | None:
        dialog = AssessmentDialog(
            self.window, obligation=f"{node.ref} {node.title}", as_of=self.desk.as_of, status=node.standing.status,
            assessed_by=self.desk.store.user, values=current,
        )  # fmt: skip
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_withdrawal(self, node: ObligationNode) -> str | None:
        """Why the assessment is withdrawn (kept with the withdrawal), or None to leave it."""
        reason, ok = QInputDialog.getMultiLineText(
            self.window, "Withdraw assessment", f"Why is the assessment of {node.ref} withdrawn?"
        )
        return reason.strip() if ok and reason.strip() else None

    def confirm_delete(self, node: ObligationNode, extent: DeletionExtent) -> bool:
        return confirm(self.window, "Delete obligation", deletion_question(node, extent), "Delete")

    # --- helpers ------------------------------------------------------------------------------

    def _siblings(self, node: ObligationNode) -> list[ObligationNode]:
        parent = self.desk.node(node.parent_id)
        return parent.children if parent else self.desk.tree()

    def _refs(self) -> set[str]:
        return {n.ref for root in self.desk.tree() for n in root.walk()}


def deletion_question(node: ObligationNode, extent: DeletionExtent) -> str:
    """The confirmation's text: what goes with the obligation, and that it can be undone."""
    goes = []
    if extent.obligations_beneath:
        goes.append(_count(extent.obligations_beneath, "obligation") + " beneath it")
    if extent.assessments:
        goes.append(_count(extent.assessments, "assessment"))
    also = f" This also deletes {' and '.join(goes)}." if goes else ""
    if extent.event_links:
        also += (
            f" {_count(extent.event_links, 'event link')} to it will be removed; the events stay in the log."
        )
    return f"Delete {node.ref} “{node.title}”?{also}\n\nEdit ▸ Undo brings it back."


def agreement_deletion_question(label: str, extent: AgreementExtent) -> str:
    """The confirmation's text for deleting an agreement: everything that goes with it."""
    goes = [
        _count(n, noun)
        for n, noun in ((extent.obligations, "obligation"), (extent.assessments, "assessment"),
                        (extent.metrics, "metric"), (extent.events, "event"))
        if n
    ]  # fmt: skip
    if extent.metrics:
        goes[-2 if extent.events else -1] += " with their points" if extent.metrics > 1 else " with its points"
    also = f" This also deletes its {', '.join(goes[:-1])} and {goes[-1]}." if len(goes) > 1 else ""
    also = f" This also deletes its {goes[0]}." if len(goes) == 1 else also
    return f"Delete the agreement “{label}”?{also}\n\nEdit ▸ Undo brings it all back."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def suggest_ref(parent: ObligationNode | None, siblings: list[ObligationNode], taken: set[str]) -> str:
    """The reference a new obligation most likely gets: the last sibling's, counted on (P1-C.3 → P1-C.4)."""
    candidates = []
    if siblings:
        match = re.fullmatch(r"(.*?)(\d+|[A-Y])", siblings[-1].ref)
        if match:
            stem, tail = match.groups()
            candidates.append(stem + (str(int(tail) + 1) if tail.isdigit() else chr(ord(tail) + 1)))
    elif parent is not None:
        candidates.append(f"{parent.ref}.1")
    return next((c for c in candidates if c not in taken), "")
