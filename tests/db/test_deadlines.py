from datetime import date

import pytest

from db.deadlines import SIGNING, DeadlineRule, add_months, parse_rule, resolve, rule_problem

SIGNED = date(2020, 2, 29)


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("135 days after signing", SIGNED, date(2020, 7, 13)),  # P1-A.1
        ("14 months after signing", SIGNED, date(2021, 4, 29)),  # P1-B
        ("3 months after Intro-3", date(2020, 9, 12), date(2020, 12, 12)),  # P1-C.3
        ("three months after Intro-3", date(2020, 9, 12), date(2020, 12, 12)),
        ("1 day after signing", date(2020, 12, 31), date(2021, 1, 1)),
        ("0 days after signing", SIGNED, SIGNED),
        ("2 weeks after signing", SIGNED, date(2020, 3, 14)),
        ("1 month after signing", date(2020, 1, 31), date(2020, 2, 29)),  # leap-year February
        ("1 month after signing", date(2019, 1, 31), date(2019, 2, 28)),
        ("1 month after signing", date(2020, 3, 31), date(2020, 4, 30)),
        ("12 months after signing", SIGNED, date(2021, 2, 28)),  # leap day to a common year
        ("48 months after signing", SIGNED, date(2024, 2, 29)),  # leap day to a leap year
        ("1 year after signing", SIGNED, date(2021, 2, 28)),
        ("1 month after signing", date(2020, 12, 15), date(2021, 1, 15)),  # across the year
        ("365 days after signing", SIGNED, date(2021, 2, 28)),
        ("366 days after signing", date(2020, 1, 1), date(2021, 1, 1)),
    ],
)
def test_rules_resolve_to_dates(text, anchor, expected):
    assert resolve(parse_rule(text), anchor) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("135 days after signing", DeadlineRule(135, "days", SIGNING)),
        ("14 Months after the signing", DeadlineRule(14, "months", SIGNING)),
        ("1 day after signature", DeadlineRule(1, "days", SIGNING)),
        ("3 months after Intro-3", DeadlineRule(3, "months", "Intro-3")),
        ("  2 weeks   after   P1-C.1 ", DeadlineRule(2, "weeks", "P1-C.1")),
        ("one year after signing", DeadlineRule(1, "years", SIGNING)),
    ],
)
def test_rules_parse(text, rule):
    assert parse_rule(text) == rule


@pytest.mark.parametrize(
    "text", ["", "soon", "135 days", "after signing", "-3 days after signing", "many days after signing"]
)
def test_malformed_rules_are_refused_with_a_hint(text):
    with pytest.raises(ValueError, match="after"):
        parse_rule(text)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (DeadlineRule(135, "days", SIGNING), "135 days after signing"),
        (DeadlineRule(1, "months", "Intro-3"), "1 month after Intro-3"),
    ],
)
def test_rules_read_back_as_written(rule, text):
    assert str(rule) == text
    assert parse_rule(str(rule)) == rule


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2020, 1, 31), -2, date(2019, 11, 30)),
        (date(2020, 5, 31), -3, date(2020, 2, 29)),
        (date(2020, 1, 1), 0, date(2020, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end_both_ways(start, months, expected):
    assert add_months(start, months) == expected


REFS = {"Intro-3", "P1-C.1"}


@pytest.mark.parametrize(
    ("text", "signed_on", "problem"),
    [
        ("135 days after signing", SIGNED, None),
        ("3 months after Intro-3", SIGNED, None),
        ("135 days after signing", None, None),  # pending until the signing date is recorded
        # Rules that overflowed Python's dates once saved, making status, the PDF and the window fail:
        ("3000000 days after signing", SIGNED, "3,000,000 days is longer than the record's calendar; use at most 110,166 days"),
        ("8000 years after signing", SIGNED, "8,000 years is longer than the record's calendar; use at most 301 years"),
        ("100000 months after signing", SIGNED, "100,000 months is longer than the record's calendar; use at most 3,612 months"),
        ("99999999999 days after signing", None, "99,999,999,999 days is longer than the record's calendar; use at most 110,166 days"),
        ("200 years after signing", SIGNED, "'200 years after signing' falls on 2220-02-29, after 2200; check the number"),
        ("² days after signing", SIGNED, "'²' in '² days after signing' is not a number of days; write it in digits"),
        # A rule half typed ("after s…igning") is not one counted from a clause called "s".
        ("135 days after s", SIGNED, "there is no clause s in this agreement; write 'after signing' or after the reference of one of its clauses"),
        ("3 months after P9", SIGNED, "there is no clause P9 in this agreement; write 'after signing' or after the reference of one of its clauses"),
    ],
)  # fmt: skip
def test_rule_problems(text, signed_on, problem):
    assert rule_problem(text, signed_on, REFS) == problem


@pytest.mark.parametrize(
    "text", ["110166 days after Intro-3", "301 years after Intro-3", "3612 months after Intro-3"]
)
def test_the_longest_rules_resolve_from_the_last_day_of_the_record(text):
    assert resolve(parse_rule(text), date(2200, 12, 31)).year < 2600
