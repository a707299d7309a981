"""The event log view offers the table model's inline editing and event drags (gui/event_inline_edit.py)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from db.models import Event
from gui.event_log_view import EventLogView


def test_the_view_edits_cells_inline_and_drags_rows(qtbot, desk):
    view = EventLogView(desk)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    assert view.table.dragEnabled()
    assert view.table.editTriggers() & QAbstractItemView.EditTrigger.EditKeyPressed
    column = next(
        c
        for c in range(view.model.columnCount())
        if view.model.headerData(c, Qt.Orientation.Horizontal) == "Fatalities"
    )
    index = view.model.index(0, column)
    assert view.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    event_id = view.model.event_id(0)
    view.model.setData(index, "7")
    qtbot.waitUntil(lambda: desk.undo_stack.count() == 1)
    with desk.store.reading() as session:
        assert session.get(Event, event_id).fatalities == 7
    assert desk.undo_stack.undoText() == "Edit fatalities"
