"""The deadlines ahead of the as-of date: a pure rule over the judged tree, and the example."""

from datetime import date

import pytest

from db.compliance import Deadline, Standing
from db.deadlines_ahead import deadlines_ahead, next_deadline
from db.tree import ObligationNode, list_agreements, load_tree
from db.vocabulary import ObligationKind, Status

AS_OF = date(2020, 6, 1)


def _node(ref: str, due: date | None, status: Status, kind: str = ObligationKind.ACTION, children=()) -> ObligationNode:
    standing = Standing(status, status, None, "", Deadline(due, ""))
    return ObligationNode(ref, None, 0, ref, f"title of {ref}", kind, [], standing, list(children))


@pytest.mark.parametrize(
    ("due", "status", "within", "listed", "when"),
    [
        (date(2020, 6, 1), Status.NOT_DUE, 30, True, "today"),
        (date(2020, 6, 2), Status.ON_TRACK, 30, True, "in 1 day"),
        (date(2020, 7, 1), Status.AT_RISK, 30, True, "in 30 days"),  # the last day of the window
        (date(2020, 7, 2), Status.NOT_DUE, 30, False, None),
        (date(2020, 7, 2), Status.NOT_DUE, 90, True, "in 31 days"),
        (date(2020, 5, 31), Status.OVERDUE, 30, True, "1 day overdue"),
        (date(2019, 6, 1), Status.BREACHED, 30, True, "366 days overdue"),  # past and not kept
        (date(2020, 5, 1), Status.MET, 30, False, None),  # kept
        (date(2020, 6, 10), Status.MET_LATE, 30, False, None),
        (None, Status.UNKNOWN, 90, False, None),  # ongoing, or a rule whose anchor has not happened
    ],
)
def test_which_deadlines_are_ahead(due, status, within, listed, when):
    found = deadlines_ahead([_node("X", due, status)], AS_OF, within)
    assert [d.when() for d in found] == ([when] if listed else [])


def test_sections_are_not_listed_and_the_list_runs_by_date():
    roots = [
        _node("S", date(2020, 6, 5), Status.NOT_DUE, ObligationKind.SECTION, children=[
            _node("B", date(2020, 6, 20), Status.NOT_DUE),
            _node("A", date(2020, 5, 1), Status.OVERDUE),
            _node("C", date(2020, 6, 3), Status.AT_RISK),
        ]),
    ]  # fmt: skip
    found = deadlines_ahead(roots, AS_OF, 30)
    assert [(d.ref, d.days_left) for d in found] == [("A", -31), ("C", 2), ("B", 19)]
    assert next_deadline(found).ref == "C"
    assert next_deadline(found[:1]) is None


def test_the_example_as_of_the_first_deadline(example_store):
    """The US–Taliban agreement on 2020-03-01: the prisoner releases and negotiations due 2020-03-10."""
    with example_store.reading() as session:
        agreement_id = list_agreements(session)[0].id
        roots = load_tree(session, agreement_id, date(2020, 3, 1))
    found = deadlines_ahead(roots, date(2020, 3, 1), 30)
    assert [(d.ref, d.due.isoformat(), d.when()) for d in found] == [
        ("Intro-3", "2020-03-10", "in 9 days"),
        ("P1-C.1", "2020-03-10", "in 9 days"),
        ("P1-C.2", "2020-03-10", "in 9 days"),
    ]
