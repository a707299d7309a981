"""Each service of the obligation tree, assessments and agreements says what it changed (db.changes.Changes),
so the window's commands hand that on instead of guessing: one row per service and situation."""

from datetime import date

import pytest
from sqlmodel import select

from db.agreements import (
    agreement_fields,
    delete_agreement,
    restore_agreement,
    update_agreement,
)
from db.changes import Changes
from db.models import Assessment, Metric, MetricObligation, Obligation
from db.obligations import (
    AssessmentValues,
    ObligationFields,
    add_assessment,
    add_obligation,
    correct_assessment,
    create_agreement,
    delete_empty_agreement,
    delete_obligation,
    move_obligation,
    obligation_fields,
    remove_assessment,
    restore_obligation,
    update_obligation,
    withdraw_assessment,
)
from db.tree import list_agreements

NEW = "00000000-0000-4000-8000-000000000001"
OTHER = "00000000-0000-4000-8000-000000000002"


def _renamed(session, ids, ref, to):
    fields = obligation_fields(session, ids[ref])
    fields.ref = to
    return update_obligation(session, ids[ref], fields)


def _retitled(session, ids, ref):
    fields = obligation_fields(session, ids[ref])
    fields.title = "Reworded"
    return update_obligation(session, ids[ref], fields)


def _assessment_of(session, ids, ref) -> str:
    return session.exec(select(Assessment.id).where(Assessment.obligation_id == ids[ref])).one()


def _corrected(session, ids, ref, on):
    assessment_id = _assessment_of(session, ids, ref)
    old = session.get(Assessment, assessment_id)
    values = AssessmentValues(on or old.as_of, "met", 3, "high", "Corrected")
    return correct_assessment(session, assessment_id, values, "kim", NEW, OTHER)


def _renamed_agreement(session, ids):
    fields = agreement_fields(session, ids["agreement"])
    fields.title = "The Doha Agreement"
    return update_agreement(session, ids["agreement"], fields)


def _one(*refs, ids):
    return frozenset(ids[ref] for ref in refs)


CASES = {
    "agreement added": (
        lambda s, ids: create_agreement(s, "Joint Declaration", "JD", agreement_id=NEW),
        lambda ids: Changes(agreements=frozenset({NEW}), tree=True),
    ),
    "empty agreement removed": (
        lambda s, ids: (create_agreement(s, "Joint Declaration", agreement_id=NEW), delete_empty_agreement(s, NEW))[1],
        lambda ids: Changes(agreements=frozenset({NEW}), tree=True),
    ),
    "obligation added": (
        lambda s, ids: add_obligation(s, ids["agreement"], ids["P1"], 0, ObligationFields("P1-G", "New"), NEW),
        lambda ids: Changes(tree=True, obligations=frozenset({NEW}), select=NEW),
    ),
    "obligation reworded": (
        lambda s, ids: _retitled(s, ids, "P1-D"),
        lambda ids: Changes(obligations=_one("P1-D", ids=ids), select=ids["P1-D"]),
    ),
    "unlinked obligation renamed": (
        lambda s, ids: _renamed(s, ids, "P1-E", "P1-E1"),
        lambda ids: Changes(obligations=_one("P1-E", ids=ids), select=ids["P1-E"]),
    ),
    "linked obligation renamed: the log shows its reference": (
        lambda s, ids: _renamed(s, ids, "P1-C.3", "P1-C.3a"),
        lambda ids: Changes(obligations=_one("P1-C.3", ids=ids), event_log=True, select=ids["P1-C.3"]),
    ),
    "obligation moved": (
        lambda s, ids: move_obligation(s, ids["P1-C.2"], ids["P1-A"], 0),
        lambda ids: Changes(tree=True, obligations=_one("P1-C.2", ids=ids), select=ids["P1-C.2"]),
    ),
    "bare obligation deleted": (
        lambda s, ids: delete_obligation(s, ids["P1-D"]).changes,
        lambda ids: Changes(tree=True, obligations=_one("P1-D", ids=ids)),
    ),
    "section deleted with its evidence, metric ties and targets": (
        lambda s, ids: delete_obligation(s, ids["P1-A"]).changes,
        lambda ids: Changes(
            tree=True, obligations=_one("P1-A", "P1-A.1", "P1-A.2", ids=ids), event_log=True,
            metrics=frozenset({ids["troops"]}),
        ),  # fmt: skip
    ),
    "section restored": (
        lambda s, ids: restore_obligation(s, delete_obligation(s, ids["P1-A"])),
        lambda ids: Changes(
            tree=True, obligations=_one("P1-A", "P1-A.1", "P1-A.2", ids=ids), event_log=True,
            metrics=frozenset({ids["troops"]}), select=ids["P1-A"],
        ),  # fmt: skip
    ),
    "assessment added": (
        lambda s, ids: add_assessment(s, ids["P1-D"], date(2020, 9, 1), "overdue", 0, "high", "Late", "kim", NEW),
        lambda ids: Changes(assessments=_one("P1-D", ids=ids), select=ids["P1-D"]),
    ),
    "assessment corrected on its date": (
        lambda s, ids: _corrected(s, ids, "P1-A.2", None),
        lambda ids: Changes(assessments=_one("P1-A.2", ids=ids), select=ids["P1-A.2"]),
    ),
    "assessment corrected to another date": (
        lambda s, ids: _corrected(s, ids, "P1-A.2", date(2020, 8, 1)),
        lambda ids: Changes(assessments=_one("P1-A.2", ids=ids), select=ids["P1-A.2"]),
    ),
    "assessment withdrawn": (
        lambda s, ids: withdraw_assessment(s, _assessment_of(s, ids, "P1-A.2"), "Wrong source", "kim", NEW),
        lambda ids: Changes(assessments=_one("P1-A.2", ids=ids), select=ids["P1-A.2"]),
    ),
    "assessment removed": (
        lambda s, ids: remove_assessment(s, _assessment_of(s, ids, "P1-A.2")),
        lambda ids: Changes(assessments=_one("P1-A.2", ids=ids), select=ids["P1-A.2"]),
    ),
    "no such assessment: nothing": (
        lambda s, ids: remove_assessment(s, NEW),
        lambda ids: Changes(),
    ),
    "agreement renamed": (
        _renamed_agreement,
        lambda ids: Changes(agreements=frozenset({ids["agreement"]})),
    ),
    "agreement deleted with its events": (
        lambda s, ids: delete_agreement(s, ids["agreement"]).changes,
        lambda ids: Changes(agreements=frozenset({ids["agreement"]}), tree=True, event_log=True, actors=True),
    ),
    "empty agreement deleted": (
        lambda s, ids: (create_agreement(s, "Joint Declaration", agreement_id=NEW), delete_agreement(s, NEW))[1].changes,
        lambda ids: Changes(agreements=frozenset({NEW}), tree=True),
    ),
    "agreement restored": (
        lambda s, ids: restore_agreement(s, delete_agreement(s, ids["agreement"])),
        lambda ids: Changes(agreements=frozenset({ids["agreement"]}), tree=True, event_log=True, actors=True),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_service_says_what_it_changed(example_store, case):
    run, expected = CASES[case]
    with example_store.writing(case) as session:
        (agreement,) = list_agreements(session)
        ids = dict(session.exec(select(Obligation.ref, Obligation.id)).all())
        ids["agreement"] = agreement.id
        ids["troops"] = session.exec(
            select(Metric.id).join(MetricObligation).where(MetricObligation.obligation_id == ids["P1-A.1"])
        ).one()
        assert run(session, ids) == expected(ids)
