from datetime import date, datetime

import pytest

from db.compliance import (
    AssessmentFact,
    Deadline,
    ObligationFacts,
    Standing,
    computed_status,
    evaluate,
    latest_assessment,
    rolled_up_reason,
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
        (DUE, False, None, D("2020-07-14"), Status.OVERDUE, "1 day late: due 2020-07-13"),
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
    assert section.reason == "1 of 3 clauses due; 1 overdue (P1-A 22 days late); 2 without evidence yet."


def _kid(status, due=None):
    return Standing(status, status, None, "", Deadline(due, ""))


@pytest.mark.parametrize(
    ("kids", "reason"),
    [
        ([("A", _kid(Status.MET, D("2020-03-01")))], "1 of 1 clause due; 1 met."),
        ([("A", _kid(Status.NOT_DUE, D("2020-09-01"))), ("B", _kid(Status.UNKNOWN))],
         "0 of 2 clauses due; 1 without evidence yet; 1 not yet due."),
        ([("A", _kid(Status.OVERDUE, D("2020-05-01"))), ("B", _kid(Status.OVERDUE, D("2020-03-01"))),
          ("S", _kid(Status.OVERDUE)), ("C", _kid(Status.AT_RISK, D("2020-07-01"))), ("D", _kid(Status.MET))],
         "4 of 5 clauses due; 3 overdue (B 92 days late, A 31 days late, S); 1 at risk (C); 1 met."),
        ([(f"X{n}", _kid(Status.BREACHED)) for n in range(5)],
         "5 of 5 clauses due; 5 breached (X0, X1, X2 and 2 more)."),
    ],
)  # fmt: skip
def test_a_parents_reason_in_plain_words(kids, reason):
    assert rolled_up_reason(kids, D("2020-06-01")) == reason


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
        "Assessed at risk as of 2020-03-01 by kim (score 1 of 3, medium confidence): Talks stalled."
    )
    assert "The record alone says not due: Due 2020-03-10" in standing.reason


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
        ("P1-A.1", "2020-03-01", Status.ON_TRACK),
        ("P1-B", "2021-04-29", Status.AT_RISK),  # 2,500 left on the deadline day
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


# --- Quantitative obligations and evidence (the engine's synthetic cases) ---

from db.compliance import EvidenceFact, QuantityFacts  # noqa: E402
from db.trajectory import ObservationFact, TargetFact  # noqa: E402


def _drawdown(*observations, tolerance=500):
    targets = (TargetFact(D("2020-02-29"), 13000), TargetFact(D("2020-07-13"), 8600, "q", "X-1"))
    return ObligationFacts(
        "q", "X-1", "quantitative", deadline_on=D("2020-07-13"),
        quantity=QuantityFacts("Troops", "troops", "decrease", tolerance, targets, tuple(observations), targets[1]),
    )  # fmt: skip


def _obs(day, value, precision="day", claimant=None, source=None):
    return ObservationFact(D(day), value, precision, "exact", claimant, source)


@pytest.mark.parametrize(
    ("observations", "as_of", "status", "reason_part"),
    [
        ((), "2020-03-15", Status.NOT_DUE, "No figure reported yet; target 8,600 by 2020-07-13."),
        ((_obs("2020-05-01", 11000),), "2020-05-01", Status.ON_TRACK, "11,000 reported 2020-05-01; trajectory 10,979"),
        ((_obs("2020-05-01", 12000),), "2020-05-01", Status.AT_RISK, "1,021 behind the trajectory's 10,979 as of 2020-05-01"),
        ((_obs("2020-07-13", 8600),), "2020-07-13", Status.MET, "8,600 reported 2020-07-13; target 8,600 by 2020-07-13."),
        ((_obs("2020-07-14", 8600),), "2020-07-13", Status.NOT_DUE, "No figure reported yet"),  # not known yet
        ((_obs("2020-07-14", 8600),), "2020-07-14", Status.MET_LATE, "Reached 1 day late."),
        ((_obs("2020-07-01", 9500),), "2020-07-14", Status.OVERDUE, "9,500 reported 2020-07-01; target 8,600 by 2020-07-13, 1 day late."),
        ((), "2020-07-14", Status.OVERDUE, "No figure reported; target 8,600"),
        ((_obs("2020-07-01", 8000, "month"),), "2020-07-20", Status.OVERDUE, "No figure reported"),  # known on 07-31
        ((_obs("2020-07-01", 8000, "month"),), "2020-08-01", Status.MET_LATE, "Dated only to the month, it is not known to be in time."),
        ((_obs("2020-06-01", 8000, "month"),), "2020-07-01", Status.MET, "8,000 reported in 2020-06"),
        ((_obs("2020-05-01", 11000, claimant="A"), _obs("2020-05-01", 12500, claimant="B")), "2020-05-02", Status.DISPUTED,
         "Competing claims: 11,000 reported 2020-05-01 by A against 12,500 reported 2020-05-01 by B"),
        ((_obs("2020-05-01", 11000, claimant="A"), _obs("2020-05-01", 11300, claimant="B")), "2020-05-02", Status.ON_TRACK, "trajectory"),
    ],
)  # fmt: skip
def test_quantitative_status(observations, as_of, status, reason_part):
    standing = evaluate([_drawdown(*observations)], D("2020-02-29"), D(as_of))["q"]
    assert standing.status == status
    assert reason_part in standing.reason
    assert standing.quantity.target == 8600


def test_quantity_standing_carries_target_observed_and_pace():
    facts = _drawdown(_obs("2020-03-01", 13000), _obs("2020-05-01", 11000))
    quantity = evaluate([facts], D("2020-02-29"), D("2020-05-10"))["q"].quantity
    assert (quantity.target, quantity.target_on, quantity.observed, quantity.observed_on) == (
        8600,
        D("2020-07-13"),
        11000,
        D("2020-05-01"),
    )
    assert quantity.expected == pytest.approx(13000 - 4400 * 71 / 135)
    assert quantity.pace.needed_per_day == pytest.approx(-2400 / 64)
    assert quantity.pace.projected_on == D("2020-07-13")  # 2,400 more at 2,000 per 61 days: 73 days on


def test_an_assessment_settles_a_dispute():
    facts = _drawdown(_obs("2020-05-01", 11000, claimant="A"), _obs("2020-05-01", 12500, claimant="B"))
    settled = ObligationFacts(
        **{**facts.__dict__, "assessments": (_assessment("2020-05-02", Status.ON_TRACK),)}
    )
    standing = evaluate([settled], D("2020-02-29"), D("2020-05-03"))["q"]
    assert (standing.status, standing.computed, standing.assessed) == (
        Status.ON_TRACK,
        Status.DISPUTED,
        Status.ON_TRACK,
    )
    assert "Competing claims" in standing.reason


def _evidence(day, bearing, summary="Event", precision="day", grade="B2"):
    return EvidenceFact(D(day), bearing, summary, precision, grade)


@pytest.mark.parametrize(
    ("kind", "ongoing", "evidence", "as_of", "status", "reason_part"),
    [
        ("prohibition", True, (), "2020-05-01", Status.UNKNOWN, "no linked event"),
        ("prohibition", True, (_evidence("2020-04-01", "supports", "Statement"),), "2020-05-01", Status.ON_TRACK,
         "Latest evidence supports compliance: 2020-04-01 Statement (B2)."),
        ("prohibition", True, (_evidence("2020-04-01", "supports"), _evidence("2020-04-07", "breach", "Ambush", grade="C3")),
         "2020-05-01", Status.BREACHED, "1 linked event indicates breach, latest 2020-04-07 Ambush (C3)."),
        ("prohibition", True, (_evidence("2020-04-07", "breach"),), "2020-04-06", Status.UNKNOWN, "no linked event"),
        ("prohibition", True, (_evidence("2020-04-07", "context"),), "2020-05-01", Status.UNKNOWN, "no linked event"),
        ("action", False, (_evidence("2020-03-09", "supports"),), "2020-03-20", Status.MET, "Met 2020-03-09, by its deadline"),
        ("action", False, (_evidence("2020-09-12", "supports"),), "2020-09-13", Status.MET_LATE, "186 days after its deadline"),
        ("action", False, (_evidence("2020-09-12", "breach"),), "2020-09-13", Status.OVERDUE, "late: due"),
        ("action", False, (_evidence("2020-03-01", "supports", precision="month"),), "2020-03-20", Status.OVERDUE, "late: due"),
        ("action", False, (_evidence("2020-03-01", "supports", precision="month"),), "2020-04-01", Status.MET_LATE,
         "Met 2020-03-31"),
    ],
)  # fmt: skip
def test_evidence_decides_prohibitions_and_completion(kind, ongoing, evidence, as_of, status, reason_part):
    deadline = None if ongoing else D("2020-03-10")
    facts = ObligationFacts("e", "E-1", kind, deadline_on=deadline, ongoing=ongoing, evidence=evidence)
    standing = evaluate([facts], D("2020-02-29"), D(as_of))["e"]
    assert standing.status == status
    assert reason_part in standing.reason


def test_example_quantitative_reasons_cite_the_evidence(example_store):
    from db.tree import list_agreements, load_tree

    with example_store.reading() as session:
        (agreement,) = list_agreements(session)
        nodes = {n.ref: n for root in load_tree(session, agreement.id, D("2020-06-20")) for n in root.walk()}
    p1a1 = nodes["P1-A.1"].standing
    assert p1a1.status == Status.MET
    assert p1a1.reason.startswith("About 8,500 reported 2020-06-18 by CENTCOM")
    assert "target 8,600 by 2020-07-13" in p1a1.reason
    assert (p1a1.quantity.target, p1a1.quantity.observed) == (8600, 8500)
    with example_store.reading() as session:
        nodes = {n.ref: n for root in load_tree(session, agreement.id, D("2020-05-05")) for n in root.walk()}
    assert nodes["P1-C.1"].standing.status == Status.DISPUTED  # 748 (government) against 530 (sum of batches)
    assert "748" in nodes["P1-C.1"].standing.reason and "530" in nodes["P1-C.1"].standing.reason
