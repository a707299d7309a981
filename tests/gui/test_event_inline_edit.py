"""Inline editing of simple cells: the model asks, the command writes, undo restores, bad text is refused."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlmodel import select

from db.events import event_fields
from db.models import AuditEntry
from gui import event_inline_edit
from gui.event_inline_edit import connect_inline_editing
from gui.event_log_model import DATE, FATALITIES, LOCATION, NOTES, SOURCE
from tests.gui.event_helpers import loaded_model

EDIT = Qt.ItemDataRole.EditRole


def fields(desk, event_id):
    with desk.store.reading() as session:
        return event_fields(session, event_id)


def audit_actions(desk) -> list[str]:
    with desk.store.reading() as session:
        return list(session.exec(select(AuditEntry.action)).all())


def wired(qtbot, desk):
    model = loaded_model(qtbot, desk.store)
    widget = QWidget()  # held: the connections live as its child
    connect_inline_editing(model, desk, widget)
    return model, widget


def test_simple_cells_are_editable_and_others_are_not(qtbot, desk):
    model = loaded_model(qtbot, desk.store)
    for column in (FATALITIES, LOCATION, SOURCE):
        assert model.flags(model.index(0, column)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, DATE)) & Qt.ItemFlag.ItemIsEditable
    event_id = model.event_id(0)
    fatalities = fields(desk, event_id).fatalities
    assert model.index(0, FATALITIES).data(EDIT) == ("" if fatalities is None else str(fatalities))


def test_set_data_requests_the_edit_and_changes_nothing(qtbot, desk):
    model = loaded_model(qtbot, desk.store)
    event_id = model.event_id(0)
    before = fields(desk, event_id)
    with qtbot.waitSignal(model.edit_requested) as request:
        assert model.setData(model.index(0, FATALITIES), " 12 ", EDIT)
    assert request.args == [event_id, {"fatalities": 12}]
    assert fields(desk, event_id) == before


def test_editing_fatalities_writes_the_record_and_undo_restores(qtbot, desk):
    model, _widget = wired(qtbot, desk)
    event_id = model.event_id(0)
    before = fields(desk, event_id)
    with qtbot.waitSignal(desk.record_changed):
        assert model.setData(model.index(0, FATALITIES), "1234", EDIT)
    assert fields(desk, event_id).fatalities == 1234
    assert "Edit fatalities" in audit_actions(desk)
    assert desk.undo_stack.undoText() == "Edit fatalities"
    desk.undo_stack.undo()
    assert fields(desk, event_id) == before
    desk.undo_stack.redo()
    assert fields(desk, event_id).fatalities == 1234


def test_editing_location_source_and_notes(qtbot, desk):
    model, _widget = wired(qtbot, desk)
    event_id = model.event_id(0)
    model.setData(model.index(0, LOCATION), "Kandahar", EDIT)
    model.setData(model.index(model.row_of(event_id), SOURCE), "Pajhwok", EDIT)
    model.setData(model.index(model.row_of(event_id), NOTES), "Checked again", EDIT)
    qtbot.waitUntil(lambda: desk.undo_stack.count() == 3)  # the commands run once the editor has closed
    after = fields(desk, event_id)
    assert (after.location, after.source_name, after.notes) == ("Kandahar", "Pajhwok", "Checked again")
    assert desk.undo_stack.count() == 3


def test_bad_text_is_refused_with_a_sentence_and_nothing_is_written(qtbot, desk, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(event_inline_edit, "show_error", lambda _parent, message: shown.append(message))
    model, _widget = wired(qtbot, desk)
    event_id = model.event_id(0)
    before, actions = fields(desk, event_id), audit_actions(desk)
    for text in ("-3", "many"):
        with qtbot.waitSignal(model.edit_refused) as refused:
            assert not model.setData(model.index(0, FATALITIES), text, EDIT)
        assert refused.args[0].startswith(f"'{text}' is not a number of fatalities")
        assert refused.args[0].endswith(".")
    assert not model.setData(model.index(0, SOURCE), "   ", EDIT)  # a source is required
    qtbot.waitUntil(lambda: len(shown) == 3)
    assert len(shown) == 3 and shown[-1] == "Name the source, e.g. Pajhwok Afghan News."
    assert fields(desk, event_id) == before
    assert audit_actions(desk) == actions
    assert desk.undo_stack.count() == 0


def test_unchanged_text_makes_no_command(qtbot, desk):
    model, _widget = wired(qtbot, desk)
    with qtbot.assertNotEmitted(model.edit_requested):
        assert not model.setData(model.index(0, FATALITIES), model.index(0, FATALITIES).data(EDIT), EDIT)
    assert desk.undo_stack.count() == 0
