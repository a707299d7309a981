from datetime import date, datetime

import pytest

from db.compliance import (
    AssessmentFact,
    Deadline,
    ObligationFacts,
    computed_status,
    evaluate,
    latest_assessment,
    worst,
)
from db.vocabulary import Status

D = date.fromisoformat
DUE = Deadline(D("2020-07-13"), "135 days after signing")
NONE = Deadline(None, "")


@pytest.mark.parametrize(
    ("deadline", "ongoing", "done_on", "as_of", "status", "reason_part"),
    [
        (DUE, False, None, D("2020-07-12"), Status.NOT_DUE, "1 day left"),
        (DUE, False, None, D("2020-07-13"), Status.NOT_DUE, "0 days left"),  # the deadline day is still in time
        (DUE, False, None, D("2020-07-14"), Status.OVERDUE, "passed 1 day ago"),
        (DUE, False, D("2020-07-13"), D("2020-07-13"), Status.MET, "by its deadline"),
        (DUE, False, D("2020-07-01"), D("2021-01-01"), Status.MET, "Met 2020-07-01"),
        (DUE, False, D("2020-07-14"), D("2020-07-14"), Status.MET_LATE, "1 day after its deadline"),
        (NONE, False, D("2020-03-10"), D("2020-03-10"), Status.MET, "Met 2020-03-10."),
        (NONE, True, None, D("2020-03-10"), Status.UNKNOWN, "Ongoing"),
        (NONE, False, None, D("2020-03-10"), Status.UNKNOWN, "No deadline"),
        (Deadline(None, "3 months after Intro-3, and Intro-3 is not yet completed"), False, None, D("2020-05-01"),
         Status.UNKNOWN, "Deadline pending: 3 months after Intro-3"),
    ],
)  # fmt: skip
def test_computed_status(deadline, ongoing, done_on, as_of, status, reason_part):
    got, reason = computed_status(deadline, ongoing, done_on, as_of)
    assert got == status
    assert reason_part in reason


def _assessment(as_of, status, recorded="2021-01-01T00:00", **kw):
    return AssessmentFact(D(as_of), status, datetime.fromisoformat(recorded), **kw)


def test_the_newest_assessment_as_of_the_date_wins():
    history = [
        _assessment("2020-03-01", Status.AT_RISK),
        _assessment("2020-05-01", Status.ON_TRACK, "2020-05-02T10:00"),
        _assessment("2020-05-01", Status.DISPUTED, "2020-05-02T11:00"),  # same date, recorded later
        _assessment("2020-09-01", Status.MET),
    ]
    assert latest_assessment(history, D("2020-02-28")) is None
    assert latest_assessment(history, D("2020-04-30")).status == Status.AT_RISK
    assert latest_assessment(history, D("2020-05-01")).status == Status.DISPUTED
    assert latest_assessment(history, D("2020-08-31")).status == Status.DISPUTED
    assert latest_assessment(history, D("2021-01-01")).status == Status.MET


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Status.MET, Status.OVERDUE, Status.NOT_DUE], Status.OVERDUE),
        ([Status.MET, Status.MET_LATE], Status.MET_LATE),
        ([Status.MET, Status.MET], Status.MET),
        ([Status.NOT_DUE, Status.ON_TRACK], Status.ON_TRACK),
        ([Status.BREACHED, Status.OVERDUE], Status.BREACHED),
        ([Status.UNKNOWN, Status.NOT_DUE], Status.UNKNOWN),
    ],
)
def test_worst_standing(statuses, expected):
    assert worst(statuses) == expected


def _tree():
    return [
        ObligationFacts("s", "P1", "section"),
        ObligationFacts("a", "P1-A", "action", "s", deadline_on=D("2020-03-10")),
        ObligationFacts("b", "P1-B", "action", "s", deadline_rule="3 months after P1-A"),
        ObligationFacts("c", "P1-C", "prohibition", "s", ongoing=True),
    ]


def test_rule_anchored_on_another_obligation_waits_for_its_completion():
    facts = _tree()
    standings = evaluate(facts, D("2020-02-29"), D("2020-04-01"))
    assert standings["a"].status == Status.OVERDUE
    assert standings["b"].deadline.on is None
    assert "P1-A is not yet completed" in standings["b"].reason

    facts[1] = ObligationFacts(
        "a",
        "P1-A",
        "action",
        "s",
        deadline_on=D("2020-03-10"),
        assessments=(_assessment("2020-03-20", Status.MET_LATE),),
    )
    standings = evaluate(facts, D("2020-02-29"), D("2020-04-01"))
    assert standings["b"].deadline.on == D("2020-06-20")
    assert standings["b"].status == Status.NOT_DUE
    # As of a date before the completion, the anchor is not known yet.
    assert evaluate(facts, D("2020-02-29"), D("2020-03-15"))["b"].deadline.on is None


def test_section_rolls_up_the_worst_child_with_counts():
    standings = evaluate(_tree(), D("2020-02-29"), D("2020-04-01"))
    section = standings["s"]
    assert section.status == Status.OVERDUE
    assert section.counts == {Status.OVERDUE: 1, Status.UNKNOWN: 2}
    assert section.reason == "Worst of 3 items: 1 overdue, 2 unknown."


def test_assessment_wins_over_computed_and_both_are_reported():
    facts = [
        ObligationFacts(
            "a", "X-1", "action", deadline_on=D("2020-03-10"),
            assessments=(_assessment("2020-03-01", Status.AT_RISK, assessed_by="kim", score=1, rationale="Talks stalled."),),
        )
    ]  # fmt: skip
    standing = evaluate(facts, None, D("2020-03-05"))["a"]
    assert (standing.status, standing.computed, standing.assessed) == (
        Status.AT_RISK,
        Status.NOT_DUE,
        Status.AT_RISK,
    )
    assert standing.reason.startswith(
        "Assessed at risk as of 2020-03-01 by kim (score 1, medium confidence): Talks stalled."
    )
    assert "Computed: not due — Due 2020-03-10" in standing.reason


def test_signing_rule_without_signing_date_is_pending():
    facts = [ObligationFacts("a", "X-1", "action", deadline_rule="135 days after signing")]
    standing = evaluate(facts, None, D("2020-03-05"))["a"]
    assert standing.status == Status.UNKNOWN
    assert "signing date is not recorded" in standing.reason


@pytest.mark.parametrize(
    ("ref", "as_of", "status"),
    [
        ("Intro-3", "2020-03-11", Status.OVERDUE),
        ("P1-C.1", "2020-03-11", Status.OVERDUE),
        ("P1-C.2", "2020-03-11", Status.OVERDUE),
        ("Intro-3", "2020-09-13", Status.MET_LATE),
        ("P3-1", "2020-03-09", Status.UNKNOWN),
        ("P3-1", "2020-03-10", Status.MET),
        ("P1-A.1", "2020-07-13", Status.MET),
        ("P1-A.1", "2020-03-01", Status.NOT_DUE),
        ("P1-B", "2021-04-29", Status.NOT_DUE),
        ("P1-B", "2021-05-01", Status.OVERDUE),
        ("P1-B", "2021-09-01", Status.MET_LATE),
    ],
)
def test_example_statuses(example_store, ref, as_of, status):
    from db.tree import list_agreements, load_tree

    with example_store.reading() as session:
        (agreement,) = list_agreements(session)
        nodes = {n.ref: n for root in load_tree(session, agreement.id, D(as_of)) for n in root.walk()}
    assert nodes[ref].standing.status == status


def test_example_p1_c3_deadline_follows_the_start_of_talks(example_store):
    from db.tree import list_agreements, load_tree

    with example_store.reading() as session:
        (agreement,) = list_agreements(session)
        nodes = {n.ref: n for root in load_tree(session, agreement.id, D("2020-10-01")) for n in root.walk()}
    assert nodes["P1-C.3"].standing.deadline.on == D("2020-12-12")
    assert nodes["P1-C.3"].standing.status == Status.NOT_DUE
