"""Dates as exports and spreadsheets write them, and a file's day/month order (db/event_dates.py)."""

from datetime import date

import pytest

from db.event_dates import DateColumnError
from db.event_dates import read_dates as read_columns


def read_dates(cells, starts, column, order=None):
    """One column's dates, its failures by row, and the order used."""
    values, failures, used = read_columns({column: cells}, starts, order)
    return values[column], failures[column], used


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2020-05-09", date(2020, 5, 9)),
        ("2020-05-09 00:00:00", date(2020, 5, 9)),  # Excel adds the time
        ("2020/5/9", date(2020, 5, 9)),
        ("09 May 2020", date(2020, 5, 9)),  # ACLED before 2023
        ("01-January-2015", date(2015, 1, 1)),  # ACLED around 2015
        ("9-May-20", date(2020, 5, 9)),  # Excel's d-mmm-yy
        ("9-Sept-20", date(2020, 9, 9)),
        ("May 9, 2020", date(2020, 5, 9)),
        ("31-12-19", date(2019, 12, 31)),  # reads day first only
        ("12/31/2019", date(2019, 12, 31)),  # reads month first only
        ("1-1-69", date(1969, 1, 1)),  # two-digit years as strptime reads them
        ("1-1-68", date(2068, 1, 1)),
    ],
)
def test_one_date_in_each_form(cell, expected):
    values, failures, _ = read_dates([cell], [2], "event_date")
    assert (values, failures) == ([expected], {})


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("", "the cell is empty; every event has the date it happened"),
        ("2020-02-30", "'2020-02-30' is not a date: February 2020 has 29 days"),
        ("31 Foo 2020", "'31 Foo 2020' is not a date: 'Foo' is not the name of a month"),
        ("31-04-20", "'31-04-20' is not a date: April 2020 has 30 days"),
        ("yesterday", "'yesterday' is not a date; ACLED writes 2020-05-09, 09 May 2020 or 01-January-2015"),
        ("2300-01-01", "2300-01-01 is outside the years 1900–2200"),
    ],
)
def test_cells_that_are_not_dates(cell, message):
    values, failures, _ = read_dates(["2020-05-09", cell], [2, 3], "event_date")
    assert values[1] is None and message in failures[1]


@pytest.mark.parametrize(
    ("cells", "order", "expected", "used"),
    [
        (["05/09/2020", "13/05/2020"], None, [date(2020, 9, 5), date(2020, 5, 13)], "dmy"),  # 13/05 tells
        (["05/09/2020", "05/13/2020"], None, [date(2020, 5, 9), date(2020, 5, 13)], "mdy"),  # 05/13 tells
        (["05/09/2020", "06/10/2020"], "dmy", [date(2020, 9, 5), date(2020, 10, 6)], "dmy"),  # the officer says
        (["05/09/2020", "06/10/2020"], "mdy", [date(2020, 5, 9), date(2020, 6, 10)], "mdy"),
        (["2020-05-09", "9-May-20"], None, [date(2020, 5, 9)] * 2, None),  # no numeric date: no order needed
    ],
)
def test_the_day_month_order_of_a_file(cells, order, expected, used):
    values, failures, found = read_dates(cells, range(2, 2 + len(cells)), "event_date", order)
    assert (values, failures, found) == (expected, {}, used)


def test_an_order_given_against_the_file_makes_its_rows_invalid():
    values, failures, _ = read_dates(["13/05/2020", "01/02/2020"], [2, 3], "event_date", "mdy")
    assert values == [None, date(2020, 1, 2)]
    assert failures == {0: "'13/05/2020' is not a date read month first (12/31/2019): there is no month 13"}


def test_no_row_tells_the_order():
    with pytest.raises(DateColumnError) as unknown:
        read_dates(["05/09/2020", "2020-05-01"], [2, 3], "event_date")
    assert unknown.value.unknown and "--date-order dmy (day first) or --date-order mdy" in str(unknown.value)


@pytest.mark.parametrize("order", [None, "dmy", "mdy"])
def test_rows_that_contradict_each_other_are_refused_with_their_lines(order):
    cells = ["13/05/2020", "05/14/2020", "01/01/2020", "25/05/2020"]
    with pytest.raises(DateColumnError) as contradicted:
        read_dates(cells, [2, 3, 4, 5], "event_date", order)
    assert not contradicted.value.unknown
    assert str(contradicted.value).startswith(
        "column event_date: the dates contradict each other, day first on line 2 '13/05/2020', line 5 "
        "'25/05/2020' but month first on line 3 '05/14/2020'"
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("02 April 2020", date(2020, 4, 2)),
        ("2 april 2020", date(2020, 4, 2)),
        ("2020-03-04 00:00:00.000", date(2020, 3, 4)),  # UCDP's downloads
        ("2020-03-04T00:00:00Z", date(2020, 3, 4)),
        ("5/9/2020 12:00 AM", None),  # needs the order: see below
        ("30 February 2020", "'30 February 2020' is not a date: February 2020 has 29 days"),
        ("02 Avril 2020", "'02 Avril 2020' is not a date: 'Avril' is not the name of a month"),
    ],
)
def test_acled_written_dates_and_times_of_day(cell, expected):
    values, failures, _ = read_dates([cell], [2], "event_date", "mdy")
    if isinstance(expected, str):
        assert failures == {0: expected}
    else:
        assert values == [expected or date(2020, 5, 9)] and failures == {}


def test_two_date_columns_decide_one_order_together():
    """UCDP's date_start alone cannot tell (04/03, 02/03); its date_end can (30/04): both are read day first."""
    columns = {"date_start": ["04/03/2020", "02/03/2020", "01/04/2020"], "date_end": ["04/03/2020", "06/03/2020", "30/04/2020"]}
    values, failures, used = read_columns(columns, [2, 3, 4])
    assert used == "dmy" and failures == {"date_start": {}, "date_end": {}}
    assert values == {
        "date_start": [date(2020, 3, 4), date(2020, 3, 2), date(2020, 4, 1)],
        "date_end": [date(2020, 3, 4), date(2020, 3, 6), date(2020, 4, 30)],
    }


@pytest.mark.parametrize("order", [None, "dmy"])
def test_two_date_columns_that_disagree_are_refused_with_their_lines(order):
    columns = {"date_start": ["13/03/2020", "03/02/2020"], "date_end": ["13/03/2020", "03/16/2020"]}
    with pytest.raises(DateColumnError) as contradicted:
        read_columns(columns, [2, 3], order)
    assert not contradicted.value.unknown
    assert str(contradicted.value).startswith(
        "columns date_start and date_end: the dates contradict each other, day first on line 2 date_start "
        "'13/03/2020', line 2 date_end '13/03/2020' but month first on line 3 date_end '03/16/2020'"
    )
