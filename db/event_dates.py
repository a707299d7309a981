"""Dates in event files as exports and spreadsheets write them, and a file's day/month order.

ACLED writes 2020-05-09 (current) or "09 May 2020" (pre-2023) or "01-January-2015" (2015-era); Excel
rewrites them as 9-May-20, 05/09/2020, 31-12-19 or 2020-05-09 00:00:00. A numeric date whose first two
numbers are both 12 or less reads either way round, so the order is decided once per file from the rows
that can be read only one way. If no row tells, the officer says (`order`); if rows tell both ways (Excel
converted only the days up to 12), the column is refused with the lines that disagree, never settled by
a majority. No Session and no file: a table of cells in, dates out (tests/db/test_event_dates.py).
"""

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import StrEnum

from db.event_rules import MONTH_NAMES, calendar_date, parse_date, quoted
from db.event_text import MISSING


class DateOrder(StrEnum):
    DMY = "dmy"  # 05/09/2020 is 5 September
    MDY = "mdy"  # 05/09/2020 is 9 May


ORDER_LABELS = {DateOrder.DMY: "day first (31/12/2019)", DateOrder.MDY: "month first (12/31/2019)"}
# Excel's " 00:00:00", UCDP's " 00:00:00.000", ISO's "T00:00:00Z": a time of day, ignored
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:[AaPp][Mm]|Z|[+-]\d{2}:?\d{2}))?)?"
_YEAR_FIRST = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}")
_NUMERIC = re.compile(rf"(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}")
_DAY_NAMED = re.compile(rf"(\d{{1,2}})[- ]([A-Za-z]+)\.?,?[- ](\d{{4}}|\d{{2}}){_TIME}")  # 9-May-20
_NAMED_DAY = re.compile(rf"([A-Za-z]+)\.? (\d{{1,2}}),? (\d{{4}}){_TIME}")  # May 9, 2020
_MONTHS = {name.casefold(): number for number, name in enumerate(MONTH_NAMES, 1)}
_MONTHS.update({name[:3].casefold(): number for name, number in zip(MONTH_NAMES, range(1, 13), strict=True)})
_MONTHS["sept"] = 9


class DateColumnError(ValueError):
    """The column cannot be read as a whole; `unknown` when only the officer can say the order."""

    def __init__(self, message: str, unknown: bool = False):
        super().__init__(message)
        self.unknown = unknown


def _year(text: str) -> int:
    """A two-digit year as POSIX strptime reads it: 69–99 are 1969–1999, 00–68 are 2000–2068."""
    year = int(text)
    if len(text) == 2:
        return year + (1900 if year >= 69 else 2000)
    return year


def _named(text: str) -> date | None:
    """A date whose month is written as a word, or None if the text is not one."""
    if match := _DAY_NAMED.fullmatch(text):
        day, month, year = match[1], match[2], match[3]
    elif match := _NAMED_DAY.fullmatch(text):
        month, day, year = match[1], match[2], match[3]
    else:
        return None
    number = _MONTHS.get(month.casefold())
    if number is None:
        raise ValueError(f"{quoted(text)} is not a date: {quoted(month)} is not the name of a month")
    return calendar_date(text, _year(year), number, int(day))


def _fixed(text: str) -> date | None:
    """A date that reads one way only (year first, or a named month); None for a numeric d/m or m/d."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return parse_date(text)  # the fast path for nearly every cell of an ACLED export
        except ValueError:
            pass
    if match := _YEAR_FIRST.fullmatch(text):
        return calendar_date(text, int(match[1]), int(match[2]), int(match[3]))
    found = _named(text)
    if found is not None or _NUMERIC.fullmatch(text):
        return found
    raise ValueError(
        f"{quoted(text)} is not a date; ACLED writes 2020-05-09, 09 May 2020 or 01-January-2015, "
        "and spreadsheets 9-May-20 or 05/09/2020"
    )


def _numeric(text: str, order: str) -> date:
    match = _NUMERIC.fullmatch(text)
    first, second, year = int(match[1]), int(match[3]), _year(match[4])
    day, month = (first, second) if order == DateOrder.DMY else (second, first)
    if not 1 <= month <= 12:
        raise ValueError(f"{quoted(text)} is not a date read {ORDER_LABELS[DateOrder(order)]}: there is no month {month}")
    return calendar_date(text, year, month, day)


def _only_order(text: str) -> str | None:
    """The one order a numeric date can be read in, or None when it reads both ways."""
    match = _NUMERIC.fullmatch(text)
    first, second = int(match[1]), int(match[3])
    if first > 12 >= second:
        return DateOrder.DMY
    if second > 12 >= first:
        return DateOrder.MDY
    return None


def read_dates(
    columns: Mapping[str, Sequence[str]], starts: Sequence[int], order: str | None = None,
    whole_file: Callable[[], str] | None = None,
) -> tuple[dict[str, list[date | None]], dict[str, dict[int, str]], str | None]:
    """The dates of each column (by name), what is wrong with the cells that are not dates (by column,
    then row), and the day/month order used (None when no cell needed one).

    The order is decided once for all the columns together (UCDP's date_start and date_end are one
    file's dates). DateColumnError when it cannot be: no row tells and `order` is None, or rows tell
    both ways, in one column or across them. With `whole_file` (the cells are some of a file's rows), the
    order is what it returns, asked only when a cell needs one: it decides from all the file's rows.
    """
    found: dict[str, date | None] = {}
    failed: dict[str, str] = {}
    numeric: dict[str, None] = {}  # the distinct cells that need the order, in the order met
    for cell in dict.fromkeys(cell for cells in columns.values() for cell in cells):
        text = cell.strip()
        if not text or text in MISSING:
            failed[cell] = "the cell is empty; every event has the date it happened"
            continue
        try:
            found[cell] = _fixed(text)
        except ValueError as error:
            failed[cell] = str(error)
            continue
        if found[cell] is None:
            match = _NUMERIC.fullmatch(text)
            if match[1].lstrip("0") == match[3].lstrip("0"):  # 01/01/2020 reads the same either way
                found[cell] = calendar_date(text, _year(match[4]), int(match[1]), int(match[3]))
            else:
                numeric[cell] = None
    used = None
    if numeric:
        if whole_file is not None:
            used = whole_file()
        else:
            told = {cell: _only_order(cell.strip()) for cell in numeric}
            told_both = len({order for order in told.values() if order}) > 1  # refused even with an order given
            used = _decided(columns, starts, told) if told_both or not order else order
        for cell in numeric:
            try:
                found[cell] = _numeric(cell.strip(), used)
            except ValueError as error:
                failed[cell] = str(error)
    values = {name: [found.get(cell) for cell in cells] for name, cells in columns.items()}
    failures = {
        name: {row: failed[cell] for row, cell in enumerate(cells) if cell in failed} for name, cells in columns.items()
    }
    return values, failures, used


def _decided(columns: Mapping[str, Sequence[str]], starts: Sequence[int], told: dict[str, str | None]) -> str:
    orders = {order for order in told.values() if order}
    if len(orders) == 1:
        return orders.pop()
    several = len(columns) > 1
    named = f"columns {' and '.join(columns)}" if several else f"column {next(iter(columns))}"
    if not orders:
        example = next(iter(told)).strip()
        raise DateColumnError(
            f"{named}: dates such as {quoted(example)} read as day/month or month/day and no row "
            "tells which; say which with --date-order dmy (day first) or --date-order mdy (month first)",
            unknown=True,
        )
    lines = {DateOrder.DMY: [], DateOrder.MDY: []}
    for row in range(len(starts)):
        for name, cells in columns.items():
            cell = cells[row]
            if (which := told.get(cell)) and len(lines[which]) < 3:
                lines[which].append(f"line {starts[row]}{f' {name}' if several else ''} {quoted(cell.strip())}")
    raise DateColumnError(
        f"{named}: the dates contradict each other, day first on {', '.join(lines[DateOrder.DMY])} "
        f"but month first on {', '.join(lines[DateOrder.MDY])} (a spreadsheet converted some of them); "
        "export the file again with dates as YYYY-MM-DD"
    )
