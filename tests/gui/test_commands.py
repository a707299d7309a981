"""Every undo command: redo writes the record, undo restores it, redo again brings back the same ids,
and the audit trail names each change after the command."""

from datetime import date

import pytest
from sqlmodel import select

from db.errors import RecordError
from db.models import AuditEntry
from db.obligations import (
    ObligationFields,
    delete_obligation,
    obligation_fields,
    position_of,
    update_obligation,
)
from db.tree import list_agreements, obligation_detail
from db.vocabulary import Status
from gui.commands import (
    AddAgreement,
    AddAssessment,
    AddObligation,
    DeleteObligation,
    EditObligation,
    MoveObligation,
    move_by,
)
from tests.gui.helpers import find, refs


def fields_of(desk, obligation_id):
    with desk.store.reading() as session:
        return obligation_fields(session, obligation_id)


def audit_actions(desk) -> list[str]:
    with desk.store.reading() as session:
        return list(session.exec(select(AuditEntry.action).distinct()))


def run(qtbot, desk, command) -> None:
    with qtbot.waitSignal(desk.record_changed):
        assert desk.execute(command)


def test_add_obligation(qtbot, desk):
    section = find(desk, "P1-C")
    fields = ObligationFields(
        ref="P1-C.4", title="Release the last detainees", deadline_rule="2 months after Intro-3"
    )
    command = AddObligation(desk, section.id, 3, fields)
    run(qtbot, desk, command)
    assert command.text() == "Add obligation P1-C.4"
    assert fields_of(desk, command.obligation_id).title == "Release the last detainees"
    with desk.store.reading() as session:
        assert position_of(session, command.obligation_id) == (section.id, 3)
    assert [c.ref for c in find(desk, "P1-C").children] == ["P1-C.1", "P1-C.2", "P1-C.3", "P1-C.4"]

    desk.undo_stack.undo()
    with desk.store.reading() as session, pytest.raises(RecordError):
        obligation_fields(session, command.obligation_id)
    assert "P1-C.4" not in refs(desk)

    desk.undo_stack.redo()
    assert find(desk, "P1-C.4").id == command.obligation_id
    assert "Add obligation P1-C.4" in audit_actions(desk)


def test_edit_obligation(qtbot, desk):
    node = find(desk, "P1-D")
    before = fields_of(desk, node.id)
    after = ObligationFields(
        **{**before.__dict__, "title": "Review US sanctions", "deadline_on": date(2020, 9, 1)}
    )
    command = EditObligation(desk, node.id, after)
    run(qtbot, desk, command)
    assert command.text() == "Edit P1-D"
    assert fields_of(desk, node.id) == after
    desk.undo_stack.undo()
    assert fields_of(desk, node.id) == before
    desk.undo_stack.redo()
    assert fields_of(desk, node.id).title == "Review US sanctions"
    assert "Edit P1-D" in audit_actions(desk)


def test_move_up_and_down(qtbot, desk):
    node = find(desk, "P1-C.2")
    parent = node.parent_id
    run(qtbot, desk, move_by(desk, node.id, -1))
    assert [c.ref for c in find(desk, "P1-C").children] == ["P1-C.2", "P1-C.1", "P1-C.3"]
    run(qtbot, desk, move_by(desk, node.id, +1))
    run(qtbot, desk, move_by(desk, node.id, +1))
    assert [c.ref for c in find(desk, "P1-C").children] == ["P1-C.1", "P1-C.3", "P1-C.2"]
    assert desk.undo_stack.text(2) == "Move P1-C.2 down"
    desk.undo_stack.undo()
    desk.undo_stack.undo()
    desk.undo_stack.undo()
    assert [c.ref for c in find(desk, "P1-C").children] == ["P1-C.1", "P1-C.2", "P1-C.3"]
    with desk.store.reading() as session:
        assert position_of(session, node.id) == (parent, 1)
    assert {"Move P1-C.2 up", "Move P1-C.2 down"} <= set(audit_actions(desk))


def test_move_elsewhere_and_back(qtbot, desk):
    node, target = find(desk, "P1-E"), find(desk, "P3")
    run(qtbot, desk, MoveObligation(desk, node.id, target.id, 0))
    assert [c.ref for c in find(desk, "P3").children] == ["P1-E", "P3-1", "P3-2", "P3-3"]
    assert "P1-E" not in [c.ref for c in find(desk, "P1").children]
    desk.undo_stack.undo()
    assert [c.ref for c in find(desk, "P1").children] == ["P1-A", "P1-B", "P1-C", "P1-D", "P1-E", "P1-F"]
    assert [c.ref for c in find(desk, "P3").children] == ["P3-1", "P3-2", "P3-3"]
    desk.undo_stack.redo()
    assert find(desk, "P1-E").parent_id == target.id


def test_delete_and_undo_restore_children_and_assessments(qtbot, desk):
    section = find(desk, "P1-C")
    children = [c.id for c in section.children]
    with desk.store.reading() as session:
        assessments = {c: [a.id for a in obligation_detail(session, c).assessments] for c in children}
        events = {c: [e.id for e in obligation_detail(session, c).events] for c in children}
    assert sum(len(a) for a in assessments.values()) >= 2
    command = DeleteObligation(desk, section.id)
    run(qtbot, desk, command)
    assert command.text() == "Delete P1-C"
    assert not {"P1-C", "P1-C.1", "P1-C.2", "P1-C.3"} & set(refs(desk))

    desk.undo_stack.undo()
    assert [c.id for c in find(desk, "P1-C").children] == children
    assert [c.ref for c in find(desk, "P1").children] == ["P1-A", "P1-B", "P1-C", "P1-D", "P1-E", "P1-F"]
    with desk.store.reading() as session:
        assert {c: [a.id for a in obligation_detail(session, c).assessments] for c in children} == assessments
        assert {c: [e.id for e in obligation_detail(session, c).events] for c in children} == events
    assert find(desk, "P1-C.3").standing.deadline.on == date(2020, 12, 12)  # its rule's anchor is back too

    desk.undo_stack.redo()
    assert "P1-C" not in refs(desk)
    assert "Delete P1-C" in audit_actions(desk)


def test_add_assessment(qtbot, desk):
    node = find(desk, "P1-D")
    command = AddAssessment(
        desk, node.id, date(2026, 11, 1), Status.BREACHED, 0, "high", "No review.", "tester"
    )
    run(qtbot, desk, command)
    assert command.text() == "Add assessment of P1-D"
    assert find(desk, "P1-D").standing.status == Status.BREACHED
    with desk.store.reading() as session:
        newest = obligation_detail(session, node.id).assessments[0]
    assert (newest.id, newest.status, newest.score, newest.rationale) == (
        command.assessment_id, "breached", 0, "No review.",
    )  # fmt: skip
    desk.undo_stack.undo()
    assert find(desk, "P1-D").standing.status == Status.OVERDUE
    desk.undo_stack.redo()
    with desk.store.reading() as session:
        assert obligation_detail(session, node.id).assessments[0].id == command.assessment_id
    assert "Add assessment of P1-D" in audit_actions(desk)


def test_add_agreement_switches_to_it_and_undo_switches_back(qtbot, desk):
    first = desk.agreement_id
    command = AddAgreement(desk, "Ceasefire in the north", "Northern ceasefire", date(2026, 5, 1), "Geneva")
    with qtbot.waitSignal(desk.agreement_changed):
        run(qtbot, desk, command)
    assert desk.agreement_id == command.agreement_id
    assert desk.tree() == []
    with desk.store.reading() as session:
        assert [a.label for a in list_agreements(session)] == ["US–Taliban agreement", "Northern ceasefire"]
    desk.undo_stack.undo()
    assert desk.agreement_id == first
    desk.undo_stack.redo()
    assert desk.agreement_id == command.agreement_id
    assert "Add agreement Northern ceasefire" in audit_actions(desk)


def test_a_refused_change_is_reported_and_not_kept(qtbot, desk):
    duplicate = ObligationFields(ref="P1-D", title="Another")
    with qtbot.waitSignal(desk.action_failed) as failure, qtbot.assertNotEmitted(desk.record_changed):
        assert not desk.execute(AddObligation(desk, None, 0, duplicate))
    assert failure.args == ["The clause reference P1-D is already used in this agreement; choose another."]
    assert desk.undo_stack.count() == 0
    assert refs(desk).count("P1-D") == 1
    assert "Add obligation P1-D" not in audit_actions(desk)


def test_a_redo_the_record_no_longer_allows_is_reported_and_kept(qtbot, desk):
    node = find(desk, "P1-D")
    assert desk.execute(EditObligation(desk, node.id, ObligationFields(ref="P1-D", title="Edited")))
    assert desk.undo()
    with desk.store.writing("Deleted on another desk") as session:  # the record changes underneath
        delete_obligation(session, node.id)
    with qtbot.waitSignal(desk.action_failed) as failure:
        assert not desk.redo()
    assert failure.args[0].startswith("That obligation is no longer in the record")
    assert (desk.undo_stack.index(), desk.undo_stack.count()) == (0, 1)  # the history stays as it was


def test_an_undo_never_overwrites_a_change_made_since(qtbot, desk):
    """Issue 9: undo wrote its stale "before" over a later change (another desk's, an import's)."""
    node = find(desk, "P1-D")
    before = fields_of(desk, node.id)
    assert desk.execute(
        EditObligation(desk, node.id, ObligationFields(**{**before.__dict__, "title": "Mine"}))
    )
    with desk.store.writing("Import agreement update") as session:  # changed underneath the history
        update_obligation(session, node.id, ObligationFields(**{**before.__dict__, "title": "Theirs"}))
    with qtbot.waitSignal(desk.action_failed) as failure:
        assert not desk.undo()
    assert "P1-D was changed since you read it" in failure.args[0]
    assert fields_of(desk, node.id).title == "Theirs"
    assert (desk.undo_stack.index(), desk.undo_stack.count()) == (1, 1)  # the history stays as it was


def test_undo_and_redo_pass_when_nothing_changed_between(qtbot, desk):
    node = find(desk, "P1-D")
    before = fields_of(desk, node.id)
    for _ in range(2):  # each run expects the versions the previous one left
        assert desk.execute(
            EditObligation(desk, node.id, ObligationFields(**{**before.__dict__, "title": "Mine"}))
        )
        assert desk.undo() and fields_of(desk, node.id).title == before.title
        assert desk.redo() and fields_of(desk, node.id).title == "Mine"
        assert desk.undo()
