from datetime import date

import pytest

from db.trajectory import (
    ObservationFact,
    Series,
    TargetFact,
    behind_by,
    claim_text,
    current_claims,
    dispute,
    figure,
    first_reaching,
    known_as_of,
    pace,
    period,
    target_at,
)

D = date.fromisoformat
TROOPS = [
    TargetFact(D("2020-02-29"), 13000),
    TargetFact(D("2020-07-13"), 8600),
    TargetFact(D("2021-04-29"), 0),
]


@pytest.mark.parametrize(
    ("day", "value"),
    [
        ("2020-02-28", None),  # before the first point there is no trajectory
        ("2020-02-29", 13000),
        ("2020-07-13", 8600),
        ("2021-04-29", 0),
        ("2022-01-01", 0),  # flat after the last point
        ("2020-05-06", 13000 - 4400 * 67 / 135),  # linear in between
        ("2020-12-05", 8600 - 8600 * 145 / 290),
    ],
)
def test_trajectory_is_linear_between_target_points(day, value):
    assert target_at(TROOPS, D(day)) == pytest.approx(value)


@pytest.mark.parametrize(
    ("day", "precision", "start", "end"),
    [
        ("2020-09-15", "day", "2020-09-15", "2020-09-15"),
        ("2020-09-15", "week", "2020-09-12", "2020-09-18"),
        ("2020-09-15", "month", "2020-09-01", "2020-09-30"),
        ("2020-02-10", "month", "2020-02-01", "2020-02-29"),
    ],
)
def test_periods_of_imprecise_dates(day, precision, start, end):
    assert period(D(day), precision) == (D(start), D(end))


def test_an_observation_dated_to_a_month_is_known_at_its_end():
    september = ObservationFact(D("2020-09-01"), 5000, "month")
    assert known_as_of([september], D("2020-09-29")) == []
    assert known_as_of([september], D("2020-09-30")) == [september]


# A series whose reports become known out of date order: June (month, known on the 30th), a day on
# 2020-06-20, a week around 2020-06-29 (known on 2020-07-02) and a day on 2020-07-02 (the same day).
JUNE = ObservationFact(D("2020-06-01"), 9000, "month", source="Monthly report")
JUNE_20 = ObservationFact(D("2020-06-20"), 8800, source="Press")
WEEK = ObservationFact(D("2020-06-29"), 8700, "week", source="Weekly report")
JULY_2 = ObservationFact(D("2020-07-02"), 8650, source="Press")
SERIES = [WEEK, JULY_2, JUNE, JUNE_20]  # in no particular order, as a caller may hand them over


@pytest.mark.parametrize(
    ("day", "known", "claims"),
    [
        ("2020-06-19", [], []),  # before the first report is known
        ("2020-06-20", [JUNE_20], [JUNE_20]),  # exactly on the first known day
        ("2020-06-29", [JUNE_20], [JUNE_20]),  # June's month is not over, the week not either
        ("2020-06-30", [JUNE_20, JUNE], [JUNE_20, JUNE]),  # the month ends: it overlaps the 20th
        ("2020-07-01", [JUNE_20, JUNE], [JUNE_20, JUNE]),
        # Two become known on one day: by date within it; the latest (the 2nd) overlaps the week only.
        ("2020-07-02", [JUNE_20, JUNE, WEEK, JULY_2], [WEEK, JULY_2]),
        ("2021-01-01", [JUNE_20, JUNE, WEEK, JULY_2], [WEEK, JULY_2]),  # after the last
    ],
)
def test_what_is_known_and_claimed_as_of_a_date(day, known, claims):
    series = Series(SERIES)
    for observations in (SERIES, series):  # a plain list, or a series sorted once and bisected
        assert known_as_of(observations, D(day)) == known
        assert current_claims(observations, D(day)) == claims
    assert Series(series) is series and Series([]).known_as_of(D(day)) == []


def test_competing_claims_about_one_period():
    government = ObservationFact(D("2020-05-02"), 748, claimant="Afghan government")
    press = ObservationFact(D("2020-05-02"), 530, source="Press reports")
    earlier = ObservationFact(D("2020-04-21"), 432)
    claims = current_claims([earlier, government, press], D("2020-05-05"))
    assert set(claims) == {government, press}
    assert dispute(claims, 100) == (press, government)
    assert dispute(claims, 250) is None  # within tolerance: no dispute
    same_source = [government, ObservationFact(D("2020-05-02"), 530, claimant="Afghan government")]
    assert dispute(same_source, 100) is None  # one claimant correcting itself is not a dispute


@pytest.mark.parametrize(
    ("direction", "observed", "expected", "lag"),
    [
        ("decrease", 9000, 8600, 400),
        ("decrease", 8000, 8600, -600),
        ("increase", 400, 1000, 600),
        ("increase", 1200, 1000, -200),
    ],
)
def test_behind_by_depends_on_direction(direction, observed, expected, lag):
    assert behind_by(observed, expected, direction) == lag


def test_first_reaching_observation():
    observations = [
        ObservationFact(D("2020-06-18"), 8500, qualifier="about"),
        ObservationFact(D("2020-07-14"), 8600),
    ]
    assert first_reaching(observations, 8600, "decrease", D("2020-06-17")) is None
    assert first_reaching(observations, 8600, "decrease", D("2020-06-18")).on == D("2020-06-18")
    assert first_reaching(observations, 9000, "increase", D("2021-01-01")) is None
    assert first_reaching(observations, 8550, "increase", D("2021-01-01")).on == D("2020-07-14")


def test_pace_needed_observed_and_projected():
    known = [ObservationFact(D("2020-11-17"), 4500), ObservationFact(D("2021-01-15"), 2500)]
    result = pace(known, 0, D("2021-04-29"), D("2021-01-15"))
    assert result.needed_per_day == pytest.approx(-2500 / 104)
    assert result.observed_per_day == pytest.approx(-2000 / 59)
    assert result.projected_on == D("2021-03-30")  # 2,500 more at 2,000 per 59 days: 74 days on
    rising = pace(
        [ObservationFact(D("2020-06-18"), 8500), ObservationFact(D("2020-07-14"), 8600)],
        0,
        D("2021-04-29"),
        D("2020-08-01"),
    )
    assert rising.projected_on is None  # moving away from the target
    assert pace([], 0, D("2021-04-29"), D("2020-08-01")).needed_per_day is None


@pytest.mark.parametrize(
    ("observation", "text"),
    [
        (ObservationFact(D("2020-06-18"), 8500, qualifier="about", claimant="United States", source="CENTCOM commander McKenzie"),
         "about 8,500 reported 2020-06-18 by CENTCOM commander McKenzie"),
        (ObservationFact(D("2020-06-06"), 400, qualifier="at_least", claimant="Taliban"), "at least 400 reported 2020-06-06 by Taliban"),
        (ObservationFact(D("2020-09-03"), 5000, precision="month"), "5,000 reported in 2020-09"),
        (ObservationFact(D("2020-09-03"), 5000, precision="week"), "5,000 reported in the week of 2020-09-03"),
    ],
)  # fmt: skip
def test_claim_text(observation, text):
    assert claim_text(observation) == text


@pytest.mark.parametrize(
    ("value", "text"), [(8600, "8,600"), (8600.0, "8,600"), (12641.5, "12,642"), (2.5, "2.5"), (0, "0")]
)
def test_figure(value, text):
    assert figure(value) == text
