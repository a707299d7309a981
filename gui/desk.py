"""The desk: what every view of the window shares — the open record (Store), the agreement under
review, the as-of date and the undo history.

Views read through the desk and listen to its signals; they never hold a Session. Every change
is a QUndoCommand (gui/commands.py) run by `execute`; its db/ services say what it touched in a
db.changes.Changes, which the desk emits once (`record_changed`, with who initiated it), and each view
refreshes only what concerns it. The desk keeps what views share — the agreements, each agreement's
compliance facts, the tree as of the date, obligations' details — and re-reads only what a Changes
touched: an as-of change reads nothing, it evaluates the kept facts again.
"""

from datetime import date

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from db.changes import EVERYTHING, Changes
from db.errors import DamagedDatabaseError, StaleRecordError, UserError
from db.metrics import MetricSummary, metrics_by_agreement
from db.store import Store
from db.tree import (
    AgreementFacts,
    AgreementSummary,
    ObligationDetail,
    ObligationNode,
    build_tree,
    list_agreements,
    obligation_detail,
    read_facts,
    reread_facts,
)
from gui import background


class Desk(QObject):
    record_changed = Signal(object, object)  # db.changes.Changes, and the object that initiated it (or None)
    as_of_changed = Signal(object)  # date
    agreement_changed = Signal(object)  # agreement id, or None when the record holds none
    store_replaced = Signal()  # another database was opened
    action_failed = Signal(str)  # one sentence for the officer (a UserError's message)

    def __init__(self, store: Store | None = None, as_of: date | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._store: Store | None = None
        self._damage_said = False  # for this database: see report
        self._agreement_id: str | None = None
        self._as_of = as_of or date.today()
        self._tree: list[ObligationNode] | None = None
        self._agreements: list[AgreementSummary] | None = None
        self._facts: dict[str, AgreementFacts] | None = None  # of every agreement, read at once
        self._details: dict[str, ObligationDetail] = {}
        self._metrics: dict[str, list[MetricSummary]] | None = None  # of every agreement
        self._nodes: dict[str, ObligationNode] = {}
        if store is not None:
            self.replace_store(store)

    # --- what the desk holds -------------------------------------------------------------

    @property
    def store(self) -> Store | None:
        return self._store

    @property
    def agreement_id(self) -> str | None:
        return self._agreement_id

    @property
    def as_of(self) -> date:
        return self._as_of

    def replace_store(self, store: Store) -> None:
        """Work on another database: the undo history belongs to the old one and is cleared."""
        old = self._store
        self.undo_stack.clear()
        self._store = store
        self._damage_said = False
        self._forget(EVERYTHING)
        agreements = self.agreements()
        self._agreement_id = agreements[0].id if agreements else None
        if old is not None and old is not store:
            background.drain()  # a read in flight finishes before its database closes
            old.close()
        self.store_replaced.emit()
        self.agreement_changed.emit(self._agreement_id)

    def close(self) -> None:
        self.undo_stack.clear()
        if self._store is not None:
            background.drain()  # a read in flight finishes before its database closes
            self._store.close()
            self._store = None
        self._forget(EVERYTHING)

    def set_agreement(self, agreement_id: str | None) -> None:
        if agreement_id != self._agreement_id:
            self._agreement_id = agreement_id
            self._tree = None
            self.agreement_changed.emit(agreement_id)

    def set_as_of(self, as_of: date) -> None:
        if as_of != self._as_of:
            self._as_of = as_of
            self._tree = None  # evaluated again from the kept facts: nothing is read
            self.as_of_changed.emit(as_of)

    # --- reading ---------------------------------------------------------------------------

    def agreements(self) -> list[AgreementSummary]:
        if self._store is None:
            return []
        if self._agreements is None:
            with self._store.reading() as session:
                self._agreements = list_agreements(session)
        return self._agreements

    def agreement(self) -> AgreementSummary | None:
        return next((a for a in self.agreements() if a.id == self._agreement_id), None)

    def refusal(self) -> str | None:
        """Why the current agreement's rows cannot be changed from this window, in one sentence; None if
        they can. A reader's window, and on a team database an editor's on an agreement not assigned to
        them, offers no edits (the server refuses them); Store.refusal(None) says so of a new agreement."""
        if self._store is None:
            return "No database is open."
        agreement = self.agreement()
        return self._store.refusal(self._agreement_id, agreement.label if agreement else "This agreement")

    def metrics(self) -> list[MetricSummary]:
        """The current agreement's metrics (every agreement's are read at once, and kept)."""
        if self._store is None or self._agreement_id is None:
            return []
        if self._metrics is None:
            with self._store.reading() as session:
                self._metrics = metrics_by_agreement(session)
        return self._metrics.get(self._agreement_id, [])

    def tree(self) -> list[ObligationNode]:
        """The current agreement's obligation tree as of the desk's date (evaluated once per change)."""
        if self._tree is None:
            self._tree = []
            if self._store is not None and self._agreement_id is not None:
                if self._facts is None:
                    with self._store.reading() as session:
                        self._facts = read_facts(session)
                facts = self._facts.get(self._agreement_id)
                self._tree = build_tree(facts, self._as_of) if facts else []
            self._nodes = {node.id: node for root in self._tree for node in root.walk()}
        return self._tree

    def node(self, obligation_id: str | None) -> ObligationNode | None:
        self.tree()
        return self._nodes.get(obligation_id) if obligation_id else None

    def detail(self, obligation_id: str | None) -> ObligationDetail | None:
        """What the record holds about the obligation (as of no date: views grey what came after)."""
        if self._store is None or obligation_id is None:
            return None
        if obligation_id not in self._details:
            with self._store.reading() as session:
                try:
                    self._details[obligation_id] = obligation_detail(session, obligation_id)
                except LookupError:
                    return None
        return self._details[obligation_id]

    # --- changing --------------------------------------------------------------------------

    def execute(self, command: QUndoCommand) -> bool:
        """Run a command and keep it for undo; a refused change is reported and leaves no trace."""
        return self._perform(command, undoing=False, then=lambda: self.undo_stack.push(command))

    def undo(self) -> bool:
        """Edit ▸ Undo: show the change's agreement, undo it, and only then step the stack back."""
        if not self.undo_stack.canUndo():
            return False
        command = self.undo_stack.command(self.undo_stack.index() - 1)
        return self._perform(command, undoing=True, then=self.undo_stack.undo)

    def redo(self) -> bool:
        if not self.undo_stack.canRedo():
            return False
        command = self.undo_stack.command(self.undo_stack.index())
        return self._perform(command, undoing=False, then=self.undo_stack.redo)

    def _perform(self, command: QUndoCommand, undoing: bool, then) -> bool:
        """The command's work first; the stack moves (`then`) only once it committed."""
        agreement_id = getattr(command, "agreement_id", None)
        if agreement_id and agreement_id != self._agreement_id and agreement_id in self._agreement_ids():
            self.set_agreement(agreement_id)  # never change an agreement out of sight
        try:
            command.perform(undoing)
        except StaleRecordError as error:
            # Another writer changed what the command would overwrite: show what they left, then say why.
            self.changed(EVERYTHING)
            self.report(str(error))
            return False
        except UserError as error:
            self.report(str(error), error)
            return False
        then()  # push, undo or redo: the command sees the work is done and only the index moves
        return True

    def _agreement_ids(self) -> list[str]:
        return [a.id for a in self.agreements()]

    def changed(self, changes: Changes | None = None, initiator: object = None) -> None:
        """Called once a change committed (by commands, imports): forget what it touched, then say it once."""
        changes = changes or EVERYTHING
        self._forget(changes)
        known = self._agreement_ids()
        if self._agreement_id not in known:
            self.set_agreement(known[0] if known else None)
        self.record_changed.emit(changes, initiator)

    def report(self, message: str, error: BaseException | None = None) -> None:
        """Say `message` to the officer. Damage is said once per database opened: every read that meets it
        afterwards (the event log's, the opening check's) would only repeat it."""
        if isinstance(error, DamagedDatabaseError):
            if self._damage_said:
                return
            self._damage_said = True
        self.action_failed.emit(message)

    def _forget(self, changes: Changes) -> None:
        """Drop what the change made stale; the kept facts re-read only the parts it touched."""
        if (changes.everything or changes.rights) and self._store is not None:
            self._store.read_rights()
        if changes.everything or changes.agreements:
            self._agreements = None
            self._facts = self._metrics = None  # read again, all at once, when next shown
        elif changes.statuses and self._facts is not None and self._store is not None:
            with self._store.reading() as session:
                self._facts = reread_facts(session, self._facts, changes)
        if changes.everything or changes.tree or changes.obligations:
            self._details = {}  # a reference or title shows in other obligations' details too
        else:
            for obligation_id in list(self._details):
                if changes.concerns(obligation_id):
                    del self._details[obligation_id]
        if changes.everything or changes.statuses or changes.agreements:
            self._tree = None
            self._nodes = {}
