"""The obligations an event can be linked to: every agreement's, the current one's first, each in tree order."""

import pytest
from sqlmodel import select

from db.link_choices import LinkChoice, in_tree_order, link_choices
from db.models import Agreement
from db.obligations import ObligationFields, add_obligation, create_agreement


@pytest.mark.parametrize(
    "rows, order",
    [
        ([], []),
        ([("a", None, 0, "P1", "")], [("P1", 0)]),
        # children after their parent, by position whatever the rows' order
        ([("c", "a", 1, "P1-B", ""), ("a", None, 0, "P1", ""), ("b", "a", 0, "P1-A", ""), ("d", None, 1, "P2", "")],
         [("P1", 0), ("P1-A", 1), ("P1-B", 1), ("P2", 0)]),
        # equal positions (an imported tree): by reference
        ([("b", None, 0, "P2", ""), ("a", None, 0, "P1", "")], [("P1", 0), ("P2", 0)]),
    ],
)  # fmt: skip
def test_tree_order(rows, order):
    assert [(choice.ref, choice.depth) for choice in in_tree_order(rows)] == order


def test_the_current_agreement_comes_first_and_agreements_without_obligations_are_left_out(example_store):
    with example_store.writing("Add agreements") as session:
        doha = session.exec(select(Agreement.id)).one()
        create_agreement(session, "A declaration", "Declaration", agreement_id="declaration")
        add_obligation(session, "declaration", None, 0, ObligationFields("D-1", "Release prisoners"), "d1")
        create_agreement(session, "An empty accord", agreement_id="empty")
    with example_store.reading() as session:
        assert [group.label for group in link_choices(session, "declaration")] == ["Declaration", "US–Taliban agreement"]
        first, second = link_choices(session, doha)
    assert (first.agreement_id, second.agreement_id) == (doha, "declaration")
    assert second.obligations == [LinkChoice("d1", "D-1", "Release prisoners", 0)]
