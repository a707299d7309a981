"""Issue 13: an event can bear on obligations of several agreements, but the form offered only the current
agreement's, so an attack bearing on two was entered twice. The form now offers every agreement's
obligations, the current one's first, and the log shows the event under each agreement it bears on."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlmodel import select

from db.models import Event, EventObligation
from gui.event_dialog import EventDialog
from tests.gui.event_helpers import DECLARATION, add_joint_declaration
from tests.gui.helpers import find

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def window(window, qtbot):
    qtbot.waitUntil(lambda: not window.event_log.filtering)
    return window


def _choices(combo) -> list[tuple[str, bool]]:
    """(text, choosable) of each entry of the obligation picker."""
    model = combo.model()
    return [(combo.itemText(row), bool(model.item(row).flags() & Qt.ItemFlag.ItemIsEnabled)) for row in range(combo.count())]


def test_the_form_offers_every_agreements_obligations_the_current_first(qtbot, desk):
    _, obligation_id = add_joint_declaration(desk)
    dialog = EventDialog(desk)
    qtbot.addWidget(dialog)
    shown = _choices(dialog.link_ref)
    doha = desk.agreement().label
    headings = [text for text, choosable in shown if not choosable]
    assert headings == [doha, DECLARATION]  # the current agreement first, each under its heading
    assert shown[0] == (doha, False)
    assert shown.index((DECLARATION, False)) == len(shown) - 2 and shown[-1] == ("    JD-1.2", True)
    assert ("        P1-A", True) in shown[: shown.index((DECLARATION, False))]  # indented by depth
    assert dialog.link_ref.currentData() is not None  # a heading is never the one chosen
    dialog.add_link(obligation_id, "supports")
    assert dialog.links.item(0, 0).text() == f"JD-1.2 ({DECLARATION})"


def test_an_event_linked_to_two_agreements_is_in_both_logs_and_undo_removes_it(qtbot, window, monkeypatch):
    desk, log = window.desk, window.event_log
    doha_id = desk.agreement_id
    declaration_id, declared = add_joint_declaration(desk)
    qtbot.waitUntil(lambda: not log.filtering)
    doha_clause = find(desk, "P2-5").id

    def fill(dialog):
        dialog.edits["occurred_on"].setText("2020-03-11")
        dialog.event_type.setCurrentText("Prisoner release")
        dialog.edits["source_name"].setText("Office of the President")
        dialog.actors.setText("Afghan government")
        dialog.notes.setPlainText("Presidential decree orders the phased release of 1,500 Taliban prisoners.")
        link = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Lin&k")
        for obligation_id in (doha_clause, declared):
            dialog.link_ref.setCurrentIndex(dialog.link_ref.findData(obligation_id))
            link.click()
        dialog.accept()
        return EventDialog.DialogCode.Accepted

    monkeypatch.setattr(EventDialog, "exec", fill)
    log.new_action.trigger()
    qtbot.waitUntil(lambda: not log.filtering)
    event_id = log.selected_id()
    with desk.store.reading() as session:
        assert session.get(Event, event_id).agreement_id == doha_id
        linked = session.exec(select(EventObligation.obligation_id).where(EventObligation.event_id == event_id)).all()
    assert set(linked) == {doha_clause, declared}
    desk.set_agreement(declaration_id)
    qtbot.waitUntil(lambda: not log.filtering)
    assert log.model.row_of(event_id) >= 0  # under the declaration too, by db.event_log.agreement_events
    assert log.model.rowCount() < 23  # not every event of the record: the declaration's view
    desk.undo_stack.undo()
    qtbot.waitUntil(lambda: not log.filtering)
    assert log.model.row_of(event_id) == -1
