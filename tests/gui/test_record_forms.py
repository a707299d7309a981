"""Every record of the example can be opened in its form and saved: the form opens (Enter, double-click,
the Edit menu), OK is enabled for the record as it stands, and saving it unchanged changes nothing."""

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from db.events import event_fields
from gui.main_window import MainWindow
from tests.record_digest import store_digest

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def window(qtbot, desk, settings_folder):
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.event_log.filtering)
    return window


@pytest.fixture
def opened(monkeypatch):
    """Every form run in the test is accepted as it opened, once its OK is checked to be enabled."""
    forms = []

    def accept_as_opened(dialog):
        forms.append(dialog)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled(), f"{dialog.windowTitle()}: OK is disabled for the record as it stands"
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QDialog, "exec", accept_as_opened)
    return forms


def event_rows(window) -> int:
    return window.event_log.model.rowCount()


def test_every_event_saves_unchanged(qtbot, window, opened):
    log = window.event_log
    before = store_digest(window.desk.store)
    assert event_rows(window) == 23
    for row in range(event_rows(window)):
        log.table.selectRow(row)
        log.edit_action.trigger()
        qtbot.waitUntil(lambda: not log.filtering)
    assert [form.windowTitle() for form in opened] == ["Edit event"] * 23
    assert store_digest(window.desk.store) == before
    assert window.desk.undo_stack.count() == 0


def test_every_obligation_saves_unchanged(window, opened):
    before = store_digest(window.desk.store)
    nodes = [n for root in window.desk.tree() for n in root.walk()]
    for node in nodes:
        window.tree.select(node.id)
        window.obligation_actions.edit.trigger()
    assert [form.windowTitle() for form in opened] == [f"Edit {n.ref}" for n in nodes]
    assert store_digest(window.desk.store) == before


def test_a_linked_event_can_be_corrected(qtbot, window, monkeypatch):
    """Every example event is linked; the form opened on one used to raise in add_link."""
    log = window.event_log
    log.table.selectRow(0)

    def correct(dialog):
        dialog.edits["fatalities"].setText("7")
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QDialog, "exec", correct)
    event_id = log.selected_id()
    log.edit_action.trigger()
    qtbot.waitUntil(lambda: not log.filtering)
    with window.desk.store.reading() as session:
        fields = event_fields(session, event_id)
    assert fields.fatalities == 7
    assert fields.links  # still linked


def test_every_point_saves_unchanged(window, opened):
    panel = window.trajectory
    before = store_digest(window.desk.store)
    count = 0
    for index in range(panel.picker.count()):
        panel.picker.setCurrentIndex(index)
        for table in panel.tables.values():
            for row in range(table.model().rowCount()):
                table.activated.emit(table.model().index(row, 0))
                count += 1
    assert count == len(opened) > 12
    assert {form.windowTitle().split(" of ")[0] for form in opened} == {"Edit observation", "Edit target point"}
    assert store_digest(window.desk.store) == before
