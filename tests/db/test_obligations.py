"""Services behind the editing commands: each change, its undo, and the rules they keep."""

from datetime import date

import pytest
from sqlmodel import func, select

from db.errors import RecordError
from db.ids import new_id
from db.models import Assessment, AuditEntry, EventObligation, Obligation, TargetPoint
from db.obligations import (
    ObligationFields,
    add_assessment,
    add_obligation,
    create_agreement,
    delete_empty_agreement,
    delete_obligation,
    move_obligation,
    obligation_fields,
    obligation_problems,
    position_of,
    remove_assessment,
    restore_obligation,
    update_obligation,
)
from db.tree import list_agreements, load_tree


def _ids(store):
    with store.reading() as session:
        (agreement,) = list_agreements(session)
        rows = session.exec(
            select(Obligation.ref, Obligation.id).where(Obligation.agreement_id == agreement.id)
        ).all()
    return agreement.id, dict(rows)


def _children(store, agreement_id, parent_ref):
    with store.reading() as session:
        nodes = {n.ref: n for root in load_tree(session, agreement_id, date(2020, 3, 1)) for n in root.walk()}
    return [child.ref for child in nodes[parent_ref].children]


@pytest.mark.parametrize(
    ("fields", "problem_keys"),
    [
        (ObligationFields("X-1", "Do it"), set()),
        (ObligationFields(" ", "Do it"), {"ref"}),
        (ObligationFields("X-1", ""), {"title"}),
        (ObligationFields("X-1", "Do it", kind="wish"), {"kind"}),
        (ObligationFields("X-1", "Do it", deadline_rule="soon"), {"deadline"}),
        (ObligationFields("X-1", "Do it", deadline_on=date(2020, 1, 1), ongoing=True), {"deadline"}),
        (ObligationFields("X-1", "Do it", deadline_rule="30 days after signing"), set()),
    ],
)
def test_obligation_problems(fields, problem_keys):
    assert set(obligation_problems(fields)) == problem_keys


def test_add_update_and_refs_stay_unique(example_store):
    agreement_id, ids = _ids(example_store)
    new = new_id()
    with example_store.writing("Add obligation") as session:
        add_obligation(
            session,
            agreement_id,
            ids["P1-C"],
            1,
            ObligationFields("P1-C.9", "Exchange lists", deadline_rule="30 days after signing"),
            new,
        )
    assert _children(example_store, agreement_id, "P1-C") == ["P1-C.1", "P1-C.9", "P1-C.2", "P1-C.3"]
    with pytest.raises(RecordError, match="P1-C.1 is already used"), example_store.writing("Edit") as session:
        update_obligation(session, new, ObligationFields("P1-C.1", "Exchange lists"))
    with example_store.writing("Edit obligation") as session:
        fields = obligation_fields(session, new)
        fields.title = "Exchange prisoner lists"
        fields.obligor_ids = []
        update_obligation(session, new, fields)
    with example_store.reading() as session:
        assert session.get(Obligation, new).title == "Exchange prisoner lists"
        assert session.get(Obligation, new).deadline_rule == "30 days after signing"
        assert session.exec(
            select(AuditEntry.operation).where(
                AuditEntry.row_id == new, AuditEntry.action == "Edit obligation"
            )
        ).all() == ["update"]


def test_move_renumbers_both_sibling_lists_and_refuses_cycles(example_store):
    agreement_id, ids = _ids(example_store)
    with example_store.writing("Move") as session:
        before = position_of(session, ids["P1-C.2"])
        move_obligation(session, ids["P1-C.2"], ids["P1-A"], 0)
    assert _children(example_store, agreement_id, "P1-A") == ["P1-C.2", "P1-A.1", "P1-A.2"]
    assert _children(example_store, agreement_id, "P1-C") == ["P1-C.1", "P1-C.3"]
    with example_store.writing("Move back") as session:
        move_obligation(session, ids["P1-C.2"], *before)
    assert _children(example_store, agreement_id, "P1-C") == ["P1-C.1", "P1-C.2", "P1-C.3"]
    with example_store.reading() as session:
        positions = session.exec(
            select(Obligation.position)
            .where(Obligation.parent_id == ids["P1-A"])
            .order_by(Obligation.position)
        ).all()
    assert positions == [0, 1]
    with (
        pytest.raises(RecordError, match="cannot move inside itself"),
        example_store.writing("Move") as session,
    ):
        move_obligation(session, ids["P1"], ids["P1-C"], 0)


def _counts(store):
    with store.reading() as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Obligation, Assessment, EventObligation)
        ) + (session.exec(select(func.count()).where(TargetPoint.obligation_id.is_not(None))).one(),)


def test_delete_takes_the_subtree_and_restore_brings_back_everything(example_store):
    agreement_id, ids = _ids(example_store)
    before = _counts(example_store)
    with example_store.writing("Delete P1") as session:
        deleted = delete_obligation(session, ids["P1"])
    after = _counts(example_store)
    assert after[0] == before[0] - 12  # P1 with its two sections and nine obligations
    assert after[1] < before[1] and after[2] < before[2] and after[3] < before[3]
    with example_store.writing("Undo delete P1") as session:
        restore_obligation(session, deleted)
    assert _counts(example_store) == before
    assert _children(example_store, agreement_id, "P1-C") == ["P1-C.1", "P1-C.2", "P1-C.3"]
    _, ids_after = _ids(example_store)
    assert ids_after == ids


def test_assessment_add_and_remove(example_store):
    _, ids = _ids(example_store)
    with example_store.writing("Add assessment") as session:
        add_assessment(
            session,
            ids["P2-1"],
            date(2021, 1, 1),
            "breached",
            0,
            "low",
            "Reports of hosting.",
            "kim",
            "fixed-id",
        )
    with (
        pytest.raises(RecordError, match="0 \\(not started\\) to 3"),
        example_store.writing("Add") as session,
    ):
        add_assessment(session, ids["P2-1"], date(2021, 1, 1), "breached", 7, "low", "", "kim", new_id())
    with example_store.writing("Undo add assessment") as session:
        remove_assessment(session, "fixed-id")
    with example_store.reading() as session:
        assert session.get(Assessment, "fixed-id") is None


def test_new_agreement_and_its_undo(empty_store):
    with pytest.raises(RecordError, match="title"), empty_store.writing("New agreement") as session:
        create_agreement(session, "  ", agreement_id=new_id())
    agreement_id = new_id()
    with empty_store.writing("New agreement") as session:
        create_agreement(
            session, "Ceasefire of Example", "Example ceasefire", date(2024, 1, 2), "Geneva", agreement_id=agreement_id
        )
    with empty_store.reading() as session:
        assert [a.label for a in list_agreements(session)] == ["Example ceasefire"]
    with empty_store.writing("Undo") as session:
        delete_empty_agreement(session, agreement_id)
    with empty_store.reading() as session:
        assert list_agreements(session) == []
