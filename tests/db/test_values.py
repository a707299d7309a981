"""db.values: what each value of the record may be, as tables of values and what is said of them."""

from datetime import date, timedelta

import pytest

from db.deadlines import add_months
from db.values import (
    EARLIEST,
    FATALITIES,
    FIGURE,
    GEO_PRECISION,
    LATEST,
    LATITUDE,
    LONGITUDE,
    MAX_RULE_COUNT,
    TOLERANCE,
    all_storable,
    check_date,
    check_number,
    check_rule_count,
    check_text,
    first_repeat,
)

FIGURES = "a number from -1,000,000,000,000 to 1,000,000,000,000"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (date(1900, 1, 1), None),
        (date(2200, 12, 31), None),
        (date(2020, 2, 29), None),
        (date(1899, 12, 31), "1899-12-31 is outside the years 1900–2200 the record holds"),
        (date(2201, 1, 1), "2201-01-01 is outside the years 1900–2200 the record holds"),
        (date(9999, 12, 31), "9999-12-31 is outside the years 1900–2200 the record holds"),
    ],
)
def test_dates(value, problem):
    _expect(lambda: check_date(value), value, problem)


@pytest.mark.parametrize(
    ("value", "bound", "expected", "problem"),
    [
        (13000, FIGURE, 13000, None),
        (-0.5, FIGURE, -0.5, None),
        (1e12, FIGURE, 1e12, None),
        (1.000001e12, FIGURE, None, f"1e+12 is not a figure; use {FIGURES}"),
        (float("inf"), FIGURE, None, f"inf is not a figure; use {FIGURES}"),
        (float("-inf"), FIGURE, None, f"-inf is not a figure; use {FIGURES}"),
        (float("nan"), FIGURE, None, f"nan is not a figure; use {FIGURES}"),
        (2**70, FIGURE, None, f"a number of more than 20 digits is not a figure; use {FIGURES}"),
        (10**5000, FIGURE, None, f"a number of more than 20 digits is not a figure; use {FIGURES}"),
        (True, FIGURE, None, f"True is not a figure; use {FIGURES}"),
        (-1, TOLERANCE, None, "-1 is not a tolerance; use a number from 0 to 1,000,000,000,000"),
        (90, LATITUDE, 90, None),
        (1000, LATITUDE, None, "1000 is not a latitude; use a number from -90 to 90"),
        (-180.0, LONGITUDE, -180.0, None),
        (180.5, LONGITUDE, None, "180.5 is not a longitude; use a number from -180 to 180"),
        (3, GEO_PRECISION, 3, None),
        (3.0, GEO_PRECISION, 3, None),
        (2.5, GEO_PRECISION, None, "2.5 is not a location precision; use a whole number from 1 to 3"),
        (0, FATALITIES, 0, None),
        (999_999_999, FATALITIES, 999_999_999, None),
        (2**31, FATALITIES, None, "2147483648 is not a number of fatalities; use a whole number from 0 to 999,999,999"),
        (2**63, FATALITIES, None, "9223372036854775808 is not a number of fatalities; use a whole number from 0 to 999,999,999"),
    ],
    ids=lambda value: "10**5000" if isinstance(value, int) and value > 10**4000 else None,  # str() fails
)  # fmt: skip
def test_numbers(value, bound, expected, problem):
    _expect(lambda: check_number(value, bound), expected, problem)


def test_whole_bounds_fit_a_32_bit_integer_column():
    assert FATALITIES.high < 2**31 and GEO_PRECISION.high < 2**31


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Kabul", None),
        ("طالبان \u202e", None),
        ("😀", None),  # a pair, as Python holds it: one character
        ("x" * 100_000, None),
        ("x" * 100_001, "the text is 100,001 characters long; the limit is 100,000"),
        ("a\x00b", "the text holds a NUL character at position 2; remove it"),
        ("ab\ud83d", "the text holds a broken character (half of a UTF-16 pair) at position 3; remove it"),
        ("\udc00", "the text holds a broken character (half of a UTF-16 pair) at position 1; remove it"),
    ],
)
def test_texts(value, problem):
    _expect(lambda: check_text(value), value, problem)


@pytest.mark.parametrize("values", [
    [], ["Kabul", ""], ["Kabul", "طالبان \u202e", "😀"], ["x" * 100_000], ["ok", "x" * 100_001], ["ok", "a\x00b"],
    ["é", "a\x00b"], ["ab\ud83d", "\udc00"], ["ab\ud83d"], ["طالبان", "\udc00"], ["\ud83d", "\ude00"],
])  # fmt: skip
def test_a_column_of_texts_is_storable_when_each_is(values):
    """An import checks a column at a time (db.event_file): the same as checking each cell."""

    def storable(value: str) -> bool:
        try:
            return check_text(value) == value
        except ValueError:
            return False

    assert all_storable(values) is all(map(storable, values))


@pytest.mark.parametrize("unit", ["days", "weeks", "months", "years"])
def test_the_longest_rule_from_any_date_of_the_record_is_still_a_date(unit):
    most = MAX_RULE_COUNT[unit]
    assert check_rule_count(most, unit) == most
    with pytest.raises(ValueError, match=f"{most + 1:,} {unit} is longer than the record's calendar"):
        check_rule_count(most + 1, unit)
    step = {"days": timedelta(days=most), "weeks": timedelta(weeks=most)}
    last = LATEST + step[unit] if unit in step else add_months(LATEST, most * (12 if unit == "years" else 1))
    assert last.year < 2600 and EARLIEST < LATEST < last


@pytest.mark.parametrize(
    ("values", "repeat"),
    [
        ([], None),
        (["us", "taliban"], None),
        (["us", "taliban", "us"], "us"),
        ([("a", "b"), ("a", "b")], ("a", "b")),
    ],
)
def test_first_repeat(values, repeat):
    assert first_repeat(values) == repeat


def _expect(check, expected, problem):
    if problem is None:
        assert check() == expected
    else:
        with pytest.raises(ValueError) as raised:
            check()
        assert str(raised.value) == problem
