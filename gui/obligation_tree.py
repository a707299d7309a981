"""The obligation tree of the window: a filter box over a QTreeView of the current agreement.

It follows the desk: a new agreement loads expanded with its first obligation selected; a change
or another as-of date refreshes it keeping what the officer had collapsed, the selection (by
obligation id) and the scroll position. The obligation a change concerned becomes the selection.
Events dragged from the event log onto an obligation are linked to it as context (one LinkEvents).
"""

from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from db.changes import Changes
from db.tree import ObligationNode
from gui.desk import Desk
from gui.event_commands import LinkEvents
from gui.obligation_filter import ObligationFilterModel
from gui.obligation_model import (
    DEADLINE,
    OBLIGATION_ID_ROLE,
    OBLIGOR,
    REF,
    STANDING_ROLE,
    STATUS,
    TITLE,
    ObligationTreeModel,
)
from gui.status_badge import StatusDelegate

COLUMN_WIDTHS = {REF: 130, TITLE: 380, OBLIGOR: 210, DEADLINE: 95, STATUS: 210}
TITLE_MINIMUM, OBLIGOR_MINIMUM = 240, 120


class ObligationTree(QWidget):
    # Emitted when the selection changes and after every refresh, so the detail panel shows fresh values.
    obligation_selected = Signal(object)  # obligation id, or None
    edit_requested = Signal(str)  # Enter or double-click on an obligation
    move_requested = Signal(str, object, int)  # dropped: obligation id, new parent id, position

    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.model = ObligationTreeModel(self)
        self.proxy = ObligationFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self._collapsed: set[str] = set()  # the tree opens expanded; remember what the officer closed
        self._restoring = False

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter by reference, title or obligor (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter obligations")
        self.view = QTreeView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Obligations")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setExpandsOnDoubleClick(False)  # double-click edits, the arrow expands
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.setIndentation(16)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)  # events come from the log
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setItemDelegateForColumn(STATUS, StatusDelegate(STANDING_ROLE, self.view))
        header = self.view.header()
        header.setStretchLastSection(False)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        # The title takes the room the other columns leave, but never less than TITLE_MINIMUM
        # (a Stretch section would shrink to nothing in a narrow window).
        header.sectionResized.connect(lambda column, _old, _new: column != TITLE and self._fit_title())
        self.view.viewport().installEventFilter(self)
        self.view.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view)
        self.setFocusProxy(self.view)

        self.filter_edit.textChanged.connect(self._filter)
        clear = QShortcut(
            QKeySequence(Qt.Key.Key_Escape), self.filter_edit, context=Qt.ShortcutContext.WidgetShortcut
        )
        clear.activated.connect(self._leave_filter)
        self.view.expanded.connect(lambda index: self._track(index, expanded=True))
        self.view.collapsed.connect(lambda index: self._track(index, expanded=False))
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.activated.connect(self._activated)
        self.model.move_requested.connect(self.move_requested)
        self.model.events_dropped.connect(self.link_events)
        desk.agreement_changed.connect(self._load_agreement)
        desk.as_of_changed.connect(self._as_of_changed)
        desk.record_changed.connect(self._record_changed)
        self._reload(fresh=True)

    # --- what is selected --------------------------------------------------------------------

    def selected_id(self) -> str | None:
        index = self.view.selectionModel().currentIndex()
        return index.data(OBLIGATION_ID_ROLE) if index.isValid() else None

    def selected_node(self) -> ObligationNode | None:
        return self.desk.node(self.selected_id())

    def select(self, obligation_id: str | None) -> bool:
        """Make the obligation current, opening its ancestors; False when it is not shown."""
        index = (
            self.proxy.mapFromSource(self.model.index_of(obligation_id)) if obligation_id else QModelIndex()
        )
        if not index.isValid():
            return False
        ancestor = index.parent()
        while ancestor.isValid():
            self.view.expand(ancestor)
            ancestor = ancestor.parent()
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        return True

    def link_events(self, obligation_id: str, event_ids: list[str]) -> bool:
        """Link the events dropped on the obligation, as context, in one undoable command."""
        node = self.desk.node(obligation_id)
        if node is None or self.desk.store is None:
            return False
        return self.desk.execute(LinkEvents(self.desk, event_ids, obligation_id, node.ref))

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def expand_all(self) -> None:
        self._collapsed.clear()
        self.view.expandAll()

    def collapse_all(self) -> None:
        self.view.collapseAll()
        self._collapsed = {n.id for root in self.model.roots() for n in root.walk() if n.children}

    def header_state(self) -> QByteArray:
        return self.view.header().saveState()

    def restore_header(self, state: QByteArray) -> None:
        """Column widths as the officer left them (resize modes stay ours, whatever the state says)."""
        header = self.view.header()
        header.restoreState(state)
        for column in range(header.count()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self._fit_title()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_title()
        if watched is self.view and event.type() == QEvent.Type.KeyPress and _is_move_key(event):
            return True  # Move up/down was disabled (first or last sibling): the view must not move the cursor
        return super().eventFilter(watched, event)

    def _fit_title(self) -> None:
        """Give the title the room left; when short of room, narrow the obligors first so the status shows."""
        header = self.view.header()
        room = self.view.viewport().width() - sum(header.sectionSize(c) for c in (REF, DEADLINE, STATUS))
        obligor = header.sectionSize(OBLIGOR)
        if room - obligor < TITLE_MINIMUM:
            obligor = max(OBLIGOR_MINIMUM, room - TITLE_MINIMUM)
            header.blockSignals(True)
            header.resizeSection(OBLIGOR, obligor)
            header.blockSignals(False)
        header.resizeSection(TITLE, max(TITLE_MINIMUM, room - obligor))

    # --- following the desk ------------------------------------------------------------------

    def _load_agreement(self) -> None:
        self._reload(fresh=True)

    def _as_of_changed(self) -> None:
        self._reload()

    def _record_changed(self, changes: Changes, _initiator=None) -> None:
        if changes.statuses:
            self._reload(subject=changes.select)
        elif changes.concerns(self.selected_id()):
            self.obligation_selected.emit(self.selected_id())  # its detail (e.g. an event's notes) is new

    def _reload(self, subject: str | None = None, fresh: bool = False) -> None:
        previous = self.model.node(self.proxy.mapToSource(self.view.currentIndex()))
        scroll = self.view.verticalScrollBar().value()
        if fresh:
            self._collapsed.clear()
        self._restoring = True
        try:
            if self.model.set_tree(self.desk.tree()) or fresh:  # new values alone keep the view's state
                self._apply_expansion()
        finally:
            self._restoring = False
        if fresh:
            target = self._first_obligation()
        else:
            self.view.verticalScrollBar().setValue(scroll)
            target = next(
                (i for i in (subject, previous.id if previous else None) if i and self.desk.node(i)), None
            ) or self._neighbour_of(previous)
        self.view.selectionModel().blockSignals(True)
        try:
            if not self.select(target):
                self.view.selectionModel().clear()
        finally:
            self.view.selectionModel().blockSignals(False)
        self.obligation_selected.emit(self.selected_id())

    def _apply_expansion(self) -> None:
        self.view.expandAll()
        for obligation_id in self._collapsed:
            index = self.proxy.mapFromSource(self.model.index_of(obligation_id))
            if index.isValid():
                self.view.collapse(index)

    def _first_obligation(self) -> str | None:
        nodes = [n for root in self.model.roots() for n in root.walk()]
        first = next((n for n in nodes if not n.is_section), nodes[0] if nodes else None)
        return first.id if first else None

    def _neighbour_of(self, gone: ObligationNode | None) -> str | None:
        """Where the selection goes when its obligation disappeared: the sibling now in its place."""
        if gone is None:
            return self._first_obligation()
        parent = self.desk.node(gone.parent_id)
        siblings = parent.children if parent else self.desk.tree()
        if siblings:
            return siblings[min(gone.position, len(siblings) - 1)].id
        return parent.id if parent else None

    def _filter(self, text: str) -> None:
        current = self.selected_id()
        self._restoring = True
        try:
            self.proxy.set_text(text)
            self._apply_expansion()
        finally:
            self._restoring = False
        if current and self.select(current):
            return
        self.obligation_selected.emit(self.selected_id())

    def _leave_filter(self) -> None:
        self.filter_edit.clear()
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _track(self, index: QModelIndex, expanded: bool) -> None:
        if self._restoring:
            return
        obligation_id = index.data(OBLIGATION_ID_ROLE)
        if expanded:
            self._collapsed.discard(obligation_id)
        else:
            self._collapsed.add(obligation_id)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.obligation_selected.emit(current.data(OBLIGATION_ID_ROLE) if current.isValid() else None)

    def _activated(self, index: QModelIndex) -> None:
        obligation_id = index.data(OBLIGATION_ID_ROLE)
        if obligation_id:
            self.edit_requested.emit(obligation_id)


def _is_move_key(event) -> bool:
    """Ctrl+Up or Ctrl+Down, the keys of Move up / Move down."""
    control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
    return bool(control) and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
