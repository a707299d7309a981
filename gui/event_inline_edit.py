"""Inline editing of the event table: turns the model's requests into undoable commands.

EventLogModel (gui/event_log_model.py) never changes the record itself: setData emits
`edit_requested` or `edit_refused`. `connect_inline_editing` connects them for the view that owns the
model: a request runs an InlineEditEvent through the desk, a refusal is shown as one sentence.
"""

from typing import Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QAbstractItemView, QWidget

from gui.desk import Desk
from gui.event_commands import InlineEditEvent
from gui.event_log_model import EventLogModel
from gui.plain_text import show_error

# EventFields name → the undo text's word for it ("Edit fatalities")
FIELD_WORDS = {"fatalities": "fatalities", "location": "location", "source_name": "source", "notes": "notes"}


class InlineEditing(QObject):
    """Lives as a child of the view, so the connections end with it even if the desk stays."""

    def __init__(self, model: EventLogModel, desk: Desk, parent_widget: QWidget):
        super().__init__(parent_widget)
        self.desk, self.parent_widget = desk, parent_widget
        # Queued: the command refreshes the model, and a message box is modal; both must wait until the
        # cell's editor has closed, or Qt reports a commit from an editor that no longer belongs to the view.
        model.edit_requested.connect(self.edit, Qt.ConnectionType.QueuedConnection)
        model.edit_refused.connect(self.refuse, Qt.ConnectionType.QueuedConnection)

    @Slot(str, object)
    def edit(self, event_id: str, changes: dict[str, Any]) -> bool:
        words = [FIELD_WORDS.get(name, name) for name in changes]
        text = f"Edit {' and '.join(words)}" if words else "Edit event"
        return self.desk.execute(InlineEditEvent(self.desk, event_id, changes, text))

    @Slot(str)
    def refuse(self, message: str) -> None:
        show_error(self.parent_widget, message)


def connect_inline_editing(
    model: EventLogModel, desk: Desk, parent_widget: QWidget, table: QAbstractItemView | None = None
) -> InlineEditing:
    """Run the model's edit requests as commands and show its refusals over `parent_widget`.

    With `table`, F2 edits the current cell (double-click and Enter still open the event form), and
    rows can be dragged onto an obligation in the tree to link them (gui/obligation_model.py).
    """
    if table is not None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        table.setDragEnabled(True)
        table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
    return InlineEditing(model, desk, parent_widget)
