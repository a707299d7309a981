"""As of: whether a dated fact had happened by the date the officer evaluates the record at.

One rule for every event, assessment and observation, used by the compliance engine, the detail
panel, the plot and the PDF's figures. A fact dated only to a week or a month counts from the end of its
period: as of an earlier date nobody could have known it (ACLED puts a week's date mid-week); an event
known only to lie in a range of days (UCDP's date_start..date_end) counts from the range's last day. When a
fact was recorded does not matter, only the date it is about.
"""

import calendar
from datetime import date, timedelta

from db.vocabulary import DatePrecision


def period(day: date, precision: str, until: date | None = None) -> tuple[date, date]:
    """The days a date of this precision may stand for; `until` ends a range (UCDP's date_end)."""
    if until is not None:
        return day, until
    if precision == DatePrecision.WEEK:
        return day - timedelta(days=3), day + timedelta(days=3)
    if precision == DatePrecision.MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == DatePrecision.YEAR:
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    return day, day


def known_on(day: date, precision: str = DatePrecision.DAY, until: date | None = None) -> date:
    """The first day on which a fact so dated had surely happened: the end of its period."""
    return period(day, precision, until)[1]


def happened_by(day: date, precision: str, as_of: date, until: date | None = None) -> bool:
    """Whether a fact dated `day` to this precision (or to the range up to `until`) had happened by the
    as-of date."""
    return known_on(day, precision, until) <= as_of


def after_label(as_of: date) -> str:
    """How a view marks what had not happened by the as-of date."""
    return f"after {as_of.isoformat()}"
