"""Dropping events from the event log onto an obligation in the tree links them, as one undoable change."""

from PySide6.QtCore import QMimeData, QModelIndex, Qt
from sqlmodel import select

from db.models import AuditEntry, EventObligation
from gui.event_log_model import OBLIGATIONS, EventLogModel
from gui.obligation_model import EVENT_MIME_TYPE
from gui.obligation_tree import ObligationTree
from tests.gui.event_helpers import loaded_model
from tests.gui.helpers import find

COPY = Qt.DropAction.CopyAction


def links_to(desk, obligation_id) -> dict[str, str]:
    with desk.store.reading() as session:
        query = select(EventObligation).where(EventObligation.obligation_id == obligation_id)
        return {link.event_id: link.bearing for link in session.exec(query)}


def unlinked_rows(model: EventLogModel, ref: str, count: int) -> list[int]:
    rows = [r for r in range(model.rowCount()) if ref not in model.index(r, OBLIGATIONS).data()]
    return rows[:count]


def tree_index(tree: ObligationTree, desk, ref: str) -> QModelIndex:
    return tree.proxy.mapFromSource(tree.model.index_of(find(desk, ref).id))


def test_the_event_model_drags_the_selected_rows_ids(qtbot, desk):
    model = loaded_model(qtbot, desk.store)
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.mimeTypes() == [EVENT_MIME_TYPE]
    assert model.supportedDragActions() & COPY
    data = model.mimeData([model.index(1, 0), model.index(1, 3), model.index(0, 2)])
    assert bytes(data.data(EVENT_MIME_TYPE).data()).decode().split("\n") == [
        model.event_id(0),
        model.event_id(1),
    ]
    assert model.mimeData([]) is None


def test_dropping_events_on_an_obligation_links_them_and_undo_removes_them(qtbot, desk):
    tree = ObligationTree(desk)
    qtbot.addWidget(tree)
    events = loaded_model(qtbot, desk.store)
    obligation_id = find(desk, "P1-A.1").id
    before = links_to(desk, obligation_id)
    rows = unlinked_rows(events, "P1-A.1", 3)
    ids = [events.event_id(r) for r in rows]
    data = events.mimeData([events.index(r, 0) for r in rows])
    target = tree_index(tree, desk, "P1-A.1")
    assert tree.proxy.canDropMimeData(data, COPY, -1, -1, target)
    with qtbot.waitSignal(desk.record_changed):
        assert tree.proxy.dropMimeData(data, COPY, -1, -1, target)
    assert links_to(desk, obligation_id) == {**before, **dict.fromkeys(ids, "context")}
    assert desk.undo_stack.count() == 1
    assert desk.undo_stack.undoText() == "Link 3 events to P1-A.1"
    with desk.store.reading() as session:
        assert "Link 3 events to P1-A.1" in session.exec(select(AuditEntry.action)).all()
    desk.undo_stack.undo()
    assert links_to(desk, obligation_id) == before
    desk.undo_stack.redo()
    assert set(ids) <= set(links_to(desk, obligation_id))


def test_existing_links_keep_their_bearing(qtbot, desk):
    tree = ObligationTree(desk)
    qtbot.addWidget(tree)
    events = loaded_model(qtbot, desk.store)
    linked = [r for r in range(events.rowCount()) if "P1-A.1" in events.index(r, OBLIGATIONS).data()]
    assert linked, "the example links some event to P1-A.1"
    obligation_id = find(desk, "P1-A.1").id
    before = links_to(desk, obligation_id)
    data = events.mimeData([events.index(linked[0], 0)])
    refused: list[str] = []
    desk.action_failed.connect(refused.append)
    assert tree.proxy.dropMimeData(data, COPY, -1, -1, tree_index(tree, desk, "P1-A.1"))
    assert refused == ["The events are already linked to P1-A.1."]
    assert links_to(desk, obligation_id) == before
    assert desk.undo_stack.count() == 0


def test_dropping_events_elsewhere_is_refused(qtbot, desk):
    tree = ObligationTree(desk)
    qtbot.addWidget(tree)
    events = loaded_model(qtbot, desk.store)
    data = events.mimeData([events.index(0, 0)])
    section = tree_index(tree, desk, "P1")
    obligation = tree_index(tree, desk, "P1-A.1")
    with qtbot.assertNotEmitted(tree.model.events_dropped):
        assert not tree.proxy.canDropMimeData(data, COPY, -1, -1, section)  # a section
        assert not tree.proxy.dropMimeData(data, COPY, -1, -1, section)
        assert not tree.proxy.dropMimeData(data, COPY, -1, -1, QModelIndex())  # empty space
        assert not tree.proxy.dropMimeData(data, COPY, 0, -1, obligation.parent())  # between rows
        assert not tree.proxy.dropMimeData(QMimeData(), COPY, -1, -1, obligation)  # nothing dragged
    assert desk.undo_stack.count() == 0


def test_obligation_moves_still_work_beside_event_drops(qtbot, desk):
    tree = ObligationTree(desk)
    qtbot.addWidget(tree)
    moving = tree_index(tree, desk, "P1-C.3")
    data = tree.proxy.mimeData([moving])
    with qtbot.waitSignal(tree.model.move_requested):
        assert tree.proxy.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, tree_index(tree, desk, "P1-C"))
    with qtbot.assertNotEmitted(tree.model.move_requested):
        assert not tree.proxy.dropMimeData(data, COPY, 0, 0, tree_index(tree, desk, "P1-C"))
