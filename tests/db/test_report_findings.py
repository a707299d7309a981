"""Key findings chosen from plain standings: which findings, in which order, with which evidence."""

from datetime import date

import pytest

from db.compliance import Deadline, QuantityStanding, Standing
from db.report_findings import MAX_FINDINGS, Completion, key_findings
from db.trajectory import Pace
from db.tree import ObligationNode
from db.vocabulary import Status

AS_OF = date(2020, 6, 1)


def node(ref, status, due=None, computed=None, claims=(), reason="", title="Clause", obligors=("United States",)):
    quantity = None
    if claims:
        quantity = QuantityStanding("troops", "troops", 0, due or AS_OF, None, None, None, tuple(claims),
                                    Pace(None, None, None))  # fmt: skip
    standing = Standing(status, computed or status, None, reason, Deadline(due, ""), quantity=quantity)
    return ObligationNode(ref, None, 0, ref, title, "action", list(obligors), standing)


def headlines(leaves, since=None, completions=()):
    return [f.headline for f in key_findings(leaves, AS_OF, since, list(completions))]


@pytest.mark.parametrize(
    ("leaves", "expected"),
    [
        (
            [node("A", Status.MET), node("B", Status.NOT_DUE, date(2020, 7, 13))],
            ["1 of 2 obligations met as of 2020-06-01; 1 not due.", "Nothing is overdue as of 2020-06-01.",
             "Next deadline: B on 2020-07-13, in 42 days."],
        ),
        (
            [node("A", Status.OVERDUE, date(2020, 3, 10)), node("B", Status.OVERDUE, date(2020, 5, 29)),
             node("C", Status.UNKNOWN)],
            ["0 of 3 obligations met as of 2020-06-01; 2 overdue, 1 unknown.",
             "2 obligations overdue; the longest, A, by 83 days.",
             "1 obligation cannot be judged from the record: no linked event or assessment yet."],
        ),
        (
            [node("A", Status.BREACHED, reason="1 linked event indicates breach, latest 2020-05-01 attack."),
             node("B", Status.AT_RISK, date(2020, 7, 13), reason="3,031 behind the trajectory."),
             node("C", Status.DISPUTED, claims=["5,000 reported by X", "3,000 reported by Y"])],
            ["0 of 3 obligations met as of 2020-06-01; 1 breached, 1 at risk, 1 disputed.",
             "1 obligation breached, as linked events indicate.", "Nothing is overdue as of 2020-06-01.",
             "1 obligation at risk of missing its deadline.",
             "Claimants disagree on C: the figures reported differ beyond tolerance."],
        ),
    ],
)
def test_which_findings(leaves, expected):
    assert headlines(leaves) == expected


def test_overdue_evidence_says_how_late_and_the_latest_figure():
    leaves = [node("P1-C.1", Status.OVERDUE, date(2020, 3, 10), claims=["about 1,900 reported 2020-05-26 by Press"],
                   title="Release up to 5,000 prisoners")]  # fmt: skip
    overdue = key_findings(leaves, AS_OF)[1]
    assert overdue.evidence == (
        "P1-C.1 Release up to 5,000 prisoners (United States): due 2020-03-10, 83 days late; "
        "latest figure about 1,900 reported 2020-05-26 by Press.",
    )


def test_met_since_cites_the_events():
    met = node("Intro-3", Status.MET_LATE)
    found = key_findings([met], AS_OF, date(2020, 5, 1), [Completion(met, ("2020-05-12 Talks open (B2)",))])
    assert found[2].headline == "1 obligation met since 2020-05-01, 1 of them late."
    assert found[2].evidence == ("Intro-3 Clause (United States): met late — 2020-05-12 Talks open (B2)",)
    assert key_findings([met], AS_OF, date(2020, 5, 1))[2].headline == "No obligation was met since 2020-05-01."


def test_never_more_than_six():
    leaves = [node("A", Status.BREACHED), node("B", Status.OVERDUE, date(2020, 1, 1)),
              node("C", Status.AT_RISK, date(2020, 9, 1)), node("D", Status.DISPUTED, claims=["1", "2"]),
              node("E", Status.NOT_DUE, date(2020, 9, 1)), node("F", Status.UNKNOWN)]  # fmt: skip
    found = headlines(leaves, since=date(2020, 1, 1))
    assert len(found) == MAX_FINDINGS and found[-1] == "No obligation was met since 2020-01-01."


def test_a_long_reason_is_quoted_short():
    long = "Assessed met late as of 2020-09-03 by example: " + "the releases went on, " * 20
    met = node("P1-C.1", Status.MET_LATE, reason=long)
    (line,) = key_findings([met], AS_OF, date(2020, 5, 1), [Completion(met, ())])[2].evidence
    assert line.endswith(" …") and len(line) < 300
