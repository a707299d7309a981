"""The one rule of "as of": a fact counts once it had surely happened, a week or a month at its end."""

from datetime import UTC, date, datetime

import pytest

from db.as_of import happened_by, known_on
from db.compliance import AssessmentFact, latest_assessment, latest_versions
from db.vocabulary import WITHDRAWN, Status

AS_OF = date(2020, 4, 10)


@pytest.mark.parametrize(
    ("day", "precision", "happened"),
    [
        (date(2020, 4, 10), "day", True),  # the day itself counts
        (date(2020, 4, 11), "day", False),
        (date(2020, 4, 1), "day", True),
        (date(2020, 4, 7), "week", True),  # ACLED's mid-week date: the week ends 2020-04-10
        (date(2020, 4, 8), "week", False),  # that week ends 2020-04-11
        (date(2020, 3, 15), "month", True),  # March ended
        (date(2020, 4, 1), "month", False),  # April has not ended
        (date(2020, 9, 3), "day", False),  # the hindsight of the issue: an assessment of September
        (date(2019, 6, 1), "year", True),  # 2019 ended
        (date(2020, 1, 1), "year", False),  # 2020 has not ended
        ((date(2020, 4, 6), date(2020, 4, 10)), "week", True),  # a range (UCDP) ends on its last day
        ((date(2020, 4, 6), date(2020, 4, 11)), "week", False),
        ((date(2020, 3, 1), date(2020, 3, 31)), "month", True),
        ((date(2019, 1, 1), date(2020, 12, 31)), "year", False),  # a range longer than its precision
    ],
)
def test_happened_by(day, precision, happened):
    day, until = day if isinstance(day, tuple) else (day, None)
    assert happened_by(day, precision, AS_OF, until) is happened


@pytest.mark.parametrize(
    ("day", "precision", "known"),
    [
        (date(2020, 2, 10), "month", date(2020, 2, 29)),
        (date(2021, 2, 10), "month", date(2021, 2, 28)),
        (date(2020, 4, 7), "week", date(2020, 4, 10)),
        (date(2020, 4, 7), "day", date(2020, 4, 7)),
        (date(2020, 4, 7), "year", date(2020, 12, 31)),
    ],
)
def test_known_on(day, precision, known):
    assert known_on(day, precision) == known


def _assessed(on: str, status, recorded: int) -> AssessmentFact:
    return AssessmentFact(date.fromisoformat(on), status, datetime(2026, 1, recorded, tzinfo=UTC))


@pytest.mark.parametrize(
    ("history", "standing"),
    [
        ([], None),
        ([_assessed("2020-03-01", Status.AT_RISK, 1)], Status.AT_RISK),
        ([_assessed("2020-09-03", Status.MET, 1)], None),  # judged as of a later date: not yet
        # a correction (a newer version of the same date) supersedes what it corrects
        ([_assessed("2020-03-01", Status.AT_RISK, 1), _assessed("2020-03-01", Status.ON_TRACK, 2)], Status.ON_TRACK),
        ([_assessed("2020-03-01", Status.ON_TRACK, 2), _assessed("2020-03-01", Status.AT_RISK, 1)], Status.ON_TRACK),
        # a withdrawal leaves the judgement of the date before standing
        (
            [_assessed("2020-02-01", Status.AT_RISK, 1), _assessed("2020-03-01", Status.MET, 2),
             _assessed("2020-03-01", WITHDRAWN, 3)],
            Status.AT_RISK,
        ),  # fmt: skip
        ([_assessed("2020-03-01", Status.MET, 1), _assessed("2020-03-01", WITHDRAWN, 2)], None),
    ],
)
def test_the_standing_assessment(history, standing):
    found = latest_assessment(history, AS_OF)
    assert (found.status if found else None) == standing
    assert all(a.status != WITHDRAWN for a in latest_versions(history, AS_OF))
