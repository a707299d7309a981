"""Deadline rules: "135 days after signing", "14 months after signing", "3 months after Intro-3".

Plain functions over dates. A month rule lands on the same day of the month, or on the month's
last day when that day does not exist (2020-01-31 + 1 month = 2020-02-29).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from db.values import LAST_YEAR, LATEST, check_rule_count

SIGNING = "signing"
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
_RULE = re.compile(r"^\s*(\w+)\s+(day|week|month|year)s?\s+after\s+(?:the\s+)?(.+?)\s*$", re.IGNORECASE)
_SIGNING_WORDS = {"signing", "signature", "signing date", "the signing"}


@dataclass(frozen=True)
class DeadlineRule:
    amount: int
    unit: str  # days | weeks | months | years
    anchor: str  # SIGNING, or the ref of the obligation whose completion starts the clock

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        anchor = "signing" if self.anchor == SIGNING else self.anchor
        return f"{self.amount} {unit} after {anchor}"


@lru_cache(maxsize=4096)  # every read of the tree asks again for each obligation's rule
def parse_rule(text: str) -> DeadlineRule:
    """Read a rule such as "135 days after signing"; ValueError says what is expected."""
    match = _RULE.match(text or "")
    if not match:
        raise ValueError(
            f"'{text}' is not a deadline rule; write it as 'N days|weeks|months|years after signing' "
            "or '… after <clause ref>'"
        )
    count, unit, anchor = match.groups()
    amount = int(count) if count.isdecimal() else _NUMBERS.get(count.lower())
    if amount is None:
        raise ValueError(f"'{count}' in '{text}' is not a number of {unit}s; write it in digits")
    anchor = SIGNING if anchor.lower() in _SIGNING_WORDS else anchor
    unit = _UNITS[unit.lower()]
    return DeadlineRule(check_rule_count(amount, unit), unit, anchor)


def rule_problem(text: str, signed_on: date | None, refs: set[str]) -> str | None:
    """What is wrong with a rule in an agreement signed on `signed_on` whose clauses are `refs`, without
    a full stop (as a ValueError's text); None when it can be saved. The anchor must be signing or one of the clauses: "after s" is
    a rule half typed, not one counted from a clause called "s"."""
    try:
        rule = parse_rule(text)
    except ValueError as error:
        return str(error)
    if rule.anchor == SIGNING:
        if signed_on is not None and resolve(rule, signed_on) > LATEST:
            return (
                f"'{text}' falls on {resolve(rule, signed_on).isoformat()}, after {LAST_YEAR}; "
                "check the number"
            )
        return None
    if rule.anchor not in refs:
        return (
            f"there is no clause {rule.anchor} in this agreement; write 'after signing' or after the "
            "reference of one of its clauses"
        )
    return None


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=4096)  # as parse_rule: the same rules from the same dates at every read of the tree
def resolve(rule: DeadlineRule, anchor_date: date) -> date:
    if rule.unit == "days":
        return anchor_date + timedelta(days=rule.amount)
    if rule.unit == "weeks":
        return anchor_date + timedelta(weeks=rule.amount)
    if rule.unit == "months":
        return add_months(anchor_date, rule.amount)
    return add_months(anchor_date, 12 * rule.amount)
