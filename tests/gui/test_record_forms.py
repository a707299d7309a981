"""Every record of the example can be opened in its form and saved: the form opens (Enter, double-click,
the Edit menu), OK is enabled for the record as it stands, and saving it unchanged changes nothing."""

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton
from sqlmodel import select

from db.events import event_fields, link_obligation
from db.models import Assessment, Event, EventObligation
from db.same_happening import add_second_source
from db.vocabulary import Status
from tests.gui.event_helpers import add_joint_declaration
from tests.gui.helpers import find
from tests.record_digest import store_digest

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def desk(desk_on_file_and_server):  # the edit flows an officer uses hold on a team database too (issue 17)
    return desk_on_file_and_server


@pytest.fixture
def window(window, qtbot):
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


def _save_every_event(qtbot, window, opened) -> None:
    log = window.event_log
    before = store_digest(window.desk.store)
    count = event_rows(window)
    for row in range(count):
        log.table.selectRow(row)
        if row % 2:
            qtbot.keyClick(log.table, Qt.Key.Key_Return)  # Enter opens the form as the Edit menu does
        else:
            log.edit_action.trigger()
        qtbot.waitUntil(lambda: not log.filtering)
    assert [form.windowTitle() for form in opened] == ["Edit event"] * count
    assert store_digest(window.desk.store) == before
    assert window.desk.undo_stack.count() == 0


def test_every_event_saves_unchanged(qtbot, window, opened):
    assert event_rows(window) == 23
    _save_every_event(qtbot, window, opened)


def test_second_sources_and_links_to_another_agreement_survive_saving_unchanged(qtbot, window, opened):
    """Issue 13's links: an event reporting another's happening, and events bearing on a second agreement."""
    desk, log = window.desk, window.event_log
    _, declared = add_joint_declaration(desk)
    with desk.store.writing("Link") as session:
        first, second, third = session.exec(select(Event.id).order_by(Event.occurred_on, Event.id).limit(3)).all()
        add_second_source(session, replace(event_fields(session, first), source_name="Tolo News"), first, "tolo")
        for event_id in (second, "tolo"):
            link_obligation(session, event_id, declared, "breach")
        session.get(Event, third).same_happening_as = second  # linked when imported, say
    desk.changed()
    qtbot.waitUntil(lambda: not log.filtering)
    assert event_rows(window) == 24
    _save_every_event(qtbot, window, opened)
    with desk.store.reading() as session:
        assert session.get(Event, "tolo").same_happening_as == first
        assert session.get(EventObligation, (second, declared)).bearing == "breach"


def test_every_obligation_saves_unchanged(window, opened):
    before = store_digest(window.desk.store)
    nodes = [n for root in window.desk.tree() for n in root.walk()]
    for node in nodes:
        window.tree.select(node.id)
        window.obligation_actions.edit.trigger()
    assert [form.windowTitle() for form in opened] == [f"Edit {n.ref}" for n in nodes]
    assert store_digest(window.desk.store) == before
    assert window.desk.undo_stack.count() == 0  # no step that does nothing


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
    assert window.desk.undo_stack.count() == 0


def test_every_assessment_saves_unchanged(window, opened):
    before = store_digest(window.desk.store)
    for node in [n for root in window.desk.tree() for n in root.walk()]:
        window.tree.select(node.id)
        for button in window.panel.findChildren(QPushButton, options=Qt.FindChildOption.FindChildrenRecursively):
            if button.text() == "Correct…":
                button.click()
    assert [form.windowTitle() for form in opened] == ["Correct assessment"] * 7
    assert store_digest(window.desk.store) == before
    assert window.desk.undo_stack.count() == 0


def assessment_lines(window) -> list[str]:
    """The heads of the assessments of 2020-09-12 in the panel, newest version first."""
    return [label.text() for label in window.panel.findChildren(QLabel) if label.text()[:13] == "2020-09-12 · "]


def test_a_correction_supersedes_and_a_withdrawal_is_recorded(window, monkeypatch):
    desk, actions = window.desk, window.obligation_actions
    window.tree.select(find(desk, "Intro-3").id)
    assert desk.node(find(desk, "Intro-3").id).standing.status == Status.MET_LATE

    def corrected(node, current):
        return replace(current, status=Status.MET, rationale="Talks opened 2020-09-12 after all.")

    monkeypatch.setattr(actions, "ask_assessment", corrected)
    actions.correct_assessment.trigger()
    assert find(desk, "Intro-3").standing.status == Status.MET
    lines = assessment_lines(window)
    assert lines[0].startswith("2020-09-12 · Met · ") and "superseded by a later version" in lines[1]

    monkeypatch.setattr(actions, "ask_withdrawal", lambda node: "Judged on a misdated report.")
    actions.withdraw_assessment.trigger()
    assert find(desk, "Intro-3").standing.assessed is None  # the computed status stands again
    assert assessment_lines(window)[0] == "2020-09-12 · Withdrawn"
    with desk.store.reading() as session:
        history = session.exec(
            select(Assessment.status).where(Assessment.obligation_id == find(desk, "Intro-3").id)
        ).all()
    assert sorted(history) == ["met", "met_late", "withdrawn"]  # nothing overwritten

    window.undo_action.trigger()
    window.undo_action.trigger()
    assert find(desk, "Intro-3").standing.status == Status.MET_LATE


def test_as_of_greys_what_had_not_happened(window):
    desk = window.desk
    desk.set_as_of(date(2020, 4, 10))
    window.tree.select(find(desk, "Intro-3").id)
    texts = [label.text() for label in window.panel.findChildren(QLabel)]
    later = [t for t in texts if "after 2020-04-10" in t]
    assert any(t.startswith("2020-09-12") for t in later)  # the assessment of September
    assert all(t[:10] > "2020-04-10" for t in later)
    assert not any(t[:10] <= "2020-04-10" and "after" in t for t in texts if t[:2] == "20")


def test_every_agreement_saves_unchanged(window, opened):
    from gui.commands import AddAgreement

    assert window.desk.execute(AddAgreement(window.desk, "Joint Declaration", "JD"))
    before = store_digest(window.desk.store)
    for agreement in window.desk.agreements():
        window.desk.set_agreement(agreement.id)
        window.edit_agreement_action.trigger()
    assert [form.windowTitle() for form in opened] == ["Edit agreement"] * 2
    assert store_digest(window.desk.store) == before
    assert window.desk.undo_stack.count() == 1  # the agreement added above, nothing after
