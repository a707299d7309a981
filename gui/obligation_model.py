"""The item model behind the obligation tree: a thin adapter over db.tree.ObligationNode trees.

It reads nothing itself: `set_tree` hands it the nodes the desk loaded. When only the values
changed (another as-of date, an edited title) it reports dataChanged, so views keep their
expansion and selection; when the shape changed it resets. A drop never changes the model: it
emits `move_requested`, which the window turns into a MoveObligation command, or, for events dragged
from the event log onto an obligation (not a section), `events_dropped`, which the tree turns into a
LinkEvents command.
"""

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from db.phrasing import deadline_origin, deadline_text
from db.tree import ObligationNode
from gui.labels import kind_label, status_text
from gui.plain_text import tooltip

COLUMNS = ("Ref", "Obligation", "Obligor", "Deadline", "Status")
REF, TITLE, OBLIGOR, DEADLINE, STATUS = range(len(COLUMNS))
OBLIGATION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STANDING_ROLE = Qt.ItemDataRole.UserRole + 2
MIME_TYPE = "application/x-accord-desk-obligation-id"
EVENT_MIME_TYPE = "application/x-accord-desk-event-ids"  # event ids, one a line (gui/event_log_model.py)

AnyIndex = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()  # the invisible root, as a default argument
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemIsDropEnabled
)


class ObligationTreeModel(QAbstractItemModel):
    move_requested = Signal(str, object, int)  # obligation id, new parent id (None: top level), position
    events_dropped = Signal(str, list)  # obligation id, event ids

    def __init__(self, parent=None):
        super().__init__(parent)
        self._roots: list[ObligationNode] = []
        self._nodes: dict[int, ObligationNode] = {}  # internal id → node
        self._keys: dict[str, int] = {}  # obligation id → internal id, stable across refreshes
        self._rows: dict[str, int] = {}  # obligation id → row among its siblings
        self._section_font = QFont()
        self._section_font.setBold(True)

    # --- loading -------------------------------------------------------------------------

    def set_tree(self, roots: list[ObligationNode]) -> bool:
        """Show these nodes; True when the rows changed shape (a reset), False for new values only."""
        if _shape(roots) == _shape(self._roots):
            self._install(roots)
            self._announce_values(QModelIndex(), roots)
            return False
        self.beginResetModel()
        self._install(roots)
        self.endResetModel()
        return True

    def _install(self, roots: list[ObligationNode]) -> None:
        self._roots = roots
        self._nodes, self._rows = {}, {}
        for siblings in _sibling_lists(roots):
            for row, node in enumerate(siblings):
                key = self._keys.setdefault(node.id, len(self._keys) + 1)
                self._nodes[key] = node
                self._rows[node.id] = row

    def _announce_values(self, parent: QModelIndex, siblings: list[ObligationNode]) -> None:
        if not siblings:
            return
        self.dataChanged.emit(
            self.index(0, 0, parent), self.index(len(siblings) - 1, len(COLUMNS) - 1, parent)
        )
        for row, node in enumerate(siblings):
            self._announce_values(self.index(row, 0, parent), node.children)

    # --- lookup ----------------------------------------------------------------------------

    def node(self, index: AnyIndex) -> ObligationNode | None:
        return self._nodes.get(index.internalId())  # an invalid index has internal id 0, no node's key

    def index_of(self, obligation_id: str, column: int = 0) -> QModelIndex:
        key = self._keys.get(obligation_id)
        if key is None or key not in self._nodes:
            return QModelIndex()
        return self.createIndex(self._rows[obligation_id], column, key)

    def roots(self) -> list[ObligationNode]:
        return self._roots

    def _children(self, parent: AnyIndex) -> list[ObligationNode] | None:
        """The rows beneath `parent`; None beneath a column other than the first (Qt's convention)."""
        key = parent.internalId()
        if key == 0:
            return self._roots
        node = self._nodes.get(key)
        return node.children if node is not None and parent.column() == 0 else None

    # --- QAbstractItemModel ----------------------------------------------------------------

    # expandAll() on a large tree calls these tens of thousands of times: they stay lean.
    def index(self, row: int, column: int, parent: AnyIndex = _TOP) -> QModelIndex:
        children = self._children(parent)
        if children is None or not (0 <= row < len(children) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column, self._keys[children[row].id])

    def parent(self, index: AnyIndex | None = None):  # QObject.parent() when called without an index
        if index is None:
            return super().parent()
        node = self.node(index)
        if node is None or node.parent_id is None:
            return QModelIndex()
        return self.index_of(node.parent_id)

    def rowCount(self, parent: AnyIndex = _TOP) -> int:
        children = self._children(parent)
        return len(children) if children is not None else 0

    def hasChildren(self, parent: AnyIndex = _TOP) -> bool:
        return bool(self._children(parent))

    def columnCount(self, parent: AnyIndex = _TOP) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        node = self.node(index)
        if node is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(node, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(node, column)
        if role == OBLIGATION_ID_ROLE:
            return node.id
        if role == STANDING_ROLE and column == STATUS:
            return node.standing
        if role == Qt.ItemDataRole.FontRole and node.is_section and column in (REF, TITLE):
            return self._section_font
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.ItemIsDropEnabled

    # --- drag and drop: an obligation id travels, the drop asks for a move -------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction | Qt.DropAction.LinkAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE, EVENT_MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData | None:
        nodes = [n for n in (self.node(i) for i in indexes) if n is not None]
        if not nodes:
            return None
        data = QMimeData()
        data.setData(MIME_TYPE, QByteArray(nodes[0].id.encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action, row: int, column: int, parent: AnyIndex) -> bool:
        if data is not None and data.hasFormat(EVENT_MIME_TYPE):
            return self._link_for_drop(data, action, row, parent) is not None
        return self._move_for_drop(data, action, row, parent) is not None

    def dropMimeData(self, data: QMimeData, action, row: int, column: int, parent: AnyIndex) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if data is not None and data.hasFormat(EVENT_MIME_TYPE):
            link = self._link_for_drop(data, action, row, parent)
            if link is None:
                return False
            self.events_dropped.emit(*link)
            return True
        move = self._move_for_drop(data, action, row, parent)
        if move is None:
            return False
        self.move_requested.emit(*move)
        return True

    def _move_for_drop(self, data: QMimeData, action, row: int, parent: AnyIndex) -> tuple | None:
        """(obligation id, new parent id, position among the other siblings), or None for no move."""
        if action != Qt.DropAction.MoveAction or data is None or not data.hasFormat(MIME_TYPE):
            return None
        moving = self._by_id(bytes(data.data(MIME_TYPE).data()).decode())
        if moving is None:
            return None
        target = self.node(parent)
        ancestor = target
        while ancestor is not None:  # not into itself or beneath itself
            if ancestor.id == moving.id:
                return None
            ancestor = self._by_id(ancestor.parent_id)
        target_id = target.id if target else None
        siblings = target.children if target else self._roots
        position = len(siblings) if row < 0 else row
        if moving.parent_id == target_id:
            current = self._rows[moving.id]
            if position > current:
                position -= 1  # counted without the moving obligation itself
            if position == current:
                return None
        return moving.id, target_id, position

    def _link_for_drop(self, data: QMimeData, action, row: int, parent: AnyIndex) -> tuple | None:
        """(obligation id, event ids) for events dropped onto an obligation; None elsewhere
        (between rows, on a section, on empty space) or without ids."""
        if action == Qt.DropAction.IgnoreAction or row >= 0:
            return None
        target = self.node(parent)
        if target is None or target.is_section:
            return None
        text = bytes(data.data(EVENT_MIME_TYPE).data()).decode(errors="replace")
        event_ids = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
        return (target.id, event_ids) if event_ids else None

    def _by_id(self, obligation_id: str | None) -> ObligationNode | None:
        return self._nodes.get(self._keys.get(obligation_id, 0)) if obligation_id else None


def _sibling_lists(roots: list[ObligationNode]):
    yield roots
    for root in roots:
        for node in root.walk():
            yield node.children


def _shape(roots: list[ObligationNode]) -> list[tuple[str, str | None]]:
    return [(node.id, node.parent_id) for root in roots for node in root.walk()]


def _display(node: ObligationNode, column: int) -> str:
    if column == REF:
        return node.ref
    if column == TITLE:
        return node.title
    if column == OBLIGOR:
        return ", ".join(node.obligors)
    if column == DEADLINE:
        return "" if node.is_section else deadline_text(node.standing)
    return status_text(node.standing)


def _tooltip(node: ObligationNode, column: int) -> str | None:
    standing = node.standing
    if column in (REF, TITLE):
        return tooltip(f"{node.ref} — {node.title}", kind_label(node.kind))
    if column == OBLIGOR:
        return tooltip("\n".join(node.obligors)) or None
    if column == DEADLINE:
        return None if node.is_section else tooltip(deadline_origin(standing)) or None
    if column == STATUS:
        return tooltip(status_text(standing), standing.reason)  # one phrasing, db.compliance's
    return None
