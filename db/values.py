"""What each value of the record may be, said once for every door that lets one in.

The forms, the tables' inline editors, `import-agreement` and `import-events` all check through these
functions, so a value one door accepts is a value every view (the status, the plot, the PDF) can show
and every database the record may move to can hold. Each check returns the value or raises ValueError
whose text says what is wrong and what is allowed, without a full stop (as db.event_rules' parsers).
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

FIRST_YEAR, LAST_YEAR = 1900, 2200
EARLIEST, LATEST = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
MAX_TEXT_CHARS = 100_000  # a cell or a form field; ACLED notes stay below 5,000
MAX_TREE_DEPTH = 32  # levels of an obligation tree; agreements nest four or five
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, and UTF-16 halves that no encoding can write


@dataclass(frozen=True)
class Bound:
    """A number's domain: `what` names it in a message ("a latitude"), low and high are inclusive."""

    what: str
    low: float
    high: float
    whole: bool = False

    def __str__(self) -> str:
        return f"a {'whole ' if self.whole else ''}number from {self.low:,.15g} to {self.high:,.15g}"


# Figures stay far inside what the plots can range over and a float column holds exactly enough;
# whole numbers inside a 32-bit INTEGER (PostgreSQL's), which SQLite's 64-bit integers exceed.
INT32_MAX = 2**31 - 1
MAX_FIGURE = 1e12
FIGURE = Bound("a figure", -MAX_FIGURE, MAX_FIGURE)
TOLERANCE = Bound("a tolerance", 0, MAX_FIGURE)
LATITUDE = Bound("a latitude", -90, 90)
LONGITUDE = Bound("a longitude", -180, 180)
FATALITIES = Bound("a number of fatalities", 0, 999_999_999, whole=True)
GEO_PRECISION = Bound("a location precision", 1, 3, whole=True)
SCORE = Bound("an implementation score", 0, 3, whole=True)

# The longest deadline rule, per unit: the span of the record's calendar, so that a rule counted from
# any date of the record lands in a date Python (and every view) can still show.
_SPAN_YEARS = LAST_YEAR - FIRST_YEAR + 1
MAX_RULE_COUNT = {
    "days": _SPAN_YEARS * 366,
    "weeks": _SPAN_YEARS * 53,
    "months": _SPAN_YEARS * 12,
    "years": _SPAN_YEARS,
}


def sentence(message: str) -> str:
    """A check's message as a sentence of its own."""
    return message[:1].upper() + message[1:] + "."


def check_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(
            f"{value.isoformat()} is outside the years {FIRST_YEAR}–{LAST_YEAR} the record holds"
        )
    return value


def check_number(value: float, bound: Bound) -> float:
    """A number in its domain: finite, whole where it must be, between its bounds."""
    # Python compares an int of any size with a float exactly; math.isfinite(int) would overflow.
    finite = isinstance(value, int) or math.isfinite(value)
    whole = not bound.whole or isinstance(value, int) or (finite and value.is_integer())
    if isinstance(value, bool) or not (finite and whole and bound.low <= value <= bound.high):
        raise ValueError(f"{_shown(value)} is not {bound.what}; use {bound}")
    return int(value) if bound.whole else value


def _shown(value: float) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if abs(value) < 10**20 else "a number of more than 20 digits"  # str() of 4,300 fails


def check_text(value: str, what: str = "the text", most: int = MAX_TEXT_CHARS) -> str:
    """Text the record can store anywhere: not too long, no NUL character, no half of a UTF-16 pair."""
    if len(value) > most:
        raise ValueError(f"{what} is {len(value):,} characters long; the limit is {most:,}")
    # Most text is ASCII: two C-speed tests spare the search (an import checks every cell).
    if ("\x00" in value or not value.isascii()) and (found := _UNSTORABLE.search(value)):
        character = "a NUL character" if found[0] == "\x00" else "a broken character (half of a UTF-16 pair)"
        raise ValueError(f"{what} holds {character} at position {found.start() + 1:,}; remove it")
    return value


def all_storable(values: Sequence[str], most: int = MAX_TEXT_CHARS) -> bool:
    """Whether check_text takes every one of the values, tested a column at a time in C (an import checks
    every cell: parse_text cell by cell was a fifth of an import's CPU time under the profiler)."""
    if max(map(len, values), default=0) > most:
        return False
    joined = "".join(values)  # what the pattern looks for is single characters: no cell's end makes one
    return joined.isascii() and "\x00" not in joined or _UNSTORABLE.search(joined) is None


def check_rule_count(count: int, unit: str) -> int:
    """A deadline rule's count of days, weeks, months or years, within the record's calendar."""
    most = MAX_RULE_COUNT[unit]
    if not 0 <= count <= most:
        raise ValueError(
            f"{count:,} {unit} is longer than the record's calendar; use at most {most:,} {unit}"
        )
    return count


def first_repeat(values) -> object | None:
    """The first value that occurs a second time, or None: for rows the record keeps once."""
    seen = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None
