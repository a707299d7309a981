"""Pure rules of the event log: reading what was typed, what is wrong with it, and how it is shown.

No Session and no Qt: the form calls `event_problems` as the officer types, the importers parse every
cell with the same field parsers, and the table shows dates and grades through the label functions.
A parser raises ValueError whose text says what is wrong and what is expected, without a full stop,
so the form can show it as a sentence and an importer can prefix the line and column.
"""

import re
from dataclasses import dataclass, field, fields
from datetime import date

from db.errors import RecordError
from db.values import (
    FATALITIES,
    FIGURE,
    LATITUDE,
    LONGITUDE,
    Bound,
    check_date,
    check_number,
    check_text,
    sentence,
)
from db.vocabulary import CREDIBILITY, RELIABILITY, Bearing, DatePrecision, EventRole, Qualifier

ACTOR_SEPARATOR = "; "  # as ACLED separates associated actors

ACLED_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Government regains territory", "Non-state actor overtakes territory", "Armed clash"),
    "Protests": ("Excessive force against protesters", "Protest with intervention", "Peaceful protest"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Explosions/Remote violence": (
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Strategic developments": (
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction",
        "Non-violent transfer of territory", "Other",
    ),
}  # fmt: skip
AGREEMENT_EVENT_TYPES = ("Prisoner release", "Troop-level report", "Statement", "Negotiation")
EVENT_TYPES = (*ACLED_EVENT_TYPES, *AGREEMENT_EVENT_TYPES)

# Not calendar.month_name, which follows the desk's locale.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DATE_FORM = "YYYY-MM-DD"


def quoted(text: str, most: int = 40) -> str:
    """Text as a message quotes it: in quotes, cut short, so a 100,000-character cell stays readable."""
    return f"'{text}'" if len(text) <= most else f"'{text[:most]}…'"


def _days_in(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def parse_date(text: str) -> date:
    """A date as YYYY-MM-DD, with a reason for impossible ones (files' other forms: db/event_dates.py)."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return check_date(date.fromisoformat(text))  # the fast path for nearly every cell of an import
        except ValueError:
            pass
    stripped = text.strip()
    if not (match := _ISO_DATE.fullmatch(stripped)):
        raise ValueError(f"{quoted(stripped)} is not a date in the form {_DATE_FORM}")
    year, month, day = (int(part) for part in match.groups())
    return calendar_date(stripped, year, month, day)


def calendar_date(text: str, year: int, month: int, day: int) -> date:
    """The date `text` was read as, with a reason when the calendar has no such day."""
    if year < 1:
        raise ValueError(f"{quoted(text)} is not a date: there is no year 0")
    if not 1 <= month <= 12:
        raise ValueError(f"{quoted(text)} is not a date: there is no month {month}")
    days = _days_in(year, month)
    if not 1 <= day <= days:
        raise ValueError(f"{quoted(text)} is not a date: {MONTH_NAMES[month - 1]} {year} has {days} days")
    return check_date(date(year, month, day))


def parse_optional_date(text: str) -> date | None:
    return parse_date(text) if text.strip() else None


def parse_text(text: str) -> str | None:
    """A text value, trimmed; empty means none."""
    return check_text(text.strip()) or None


def parse_fatalities(text: str) -> int | None:
    text = text.strip()
    if not text or text.casefold() == "unknown":
        return None
    if text.isascii() and text.isdigit() and len(text) <= len(str(FATALITIES.high)):
        return check_number(int(text), FATALITIES)
    raise ValueError(
        f"{quoted(text)} is not a number of fatalities; use a whole number of 0 or more, or leave it empty when unknown"
    )


def parse_number(text: str, bound: Bound) -> float:
    """A number typed as text, within its domain (db.values)."""
    text = text.strip()
    try:
        return check_number(float(text), bound)
    except ValueError:
        raise ValueError(f"{quoted(text)} is not {bound.what}; use {bound}") from None


def parse_latitude(text: str) -> float | None:
    return parse_number(text, LATITUDE) if text.strip() else None


def parse_longitude(text: str) -> float | None:
    return parse_number(text, LONGITUDE) if text.strip() else None


def parse_geo_precision(text: str) -> int | None:
    text = text.strip()
    if text in ("", "1", "2", "3"):
        return int(text) if text else None
    raise ValueError(
        f"{quoted(text)} is not a location precision; use 1 (the town), 2 (near it) or 3 (the region)"
    )


def _choice(text: str, allowed, what: str, *, upper: bool = False) -> str | None:
    text = text.strip()
    if upper:
        text = text.upper()
    if not text:
        return None
    values = [str(value) for value in allowed]
    if text not in values:
        raise ValueError(f"{quoted(text)} is not {what}; use one of {', '.join(values)}")
    return text


def parse_precision(text: str) -> str:
    return _choice(text, DatePrecision, "a date precision") or str(DatePrecision.DAY)


def parse_reliability(text: str) -> str | None:
    return _choice(
        text, RELIABILITY, "a source reliability (A completely reliable … F cannot be judged)", upper=True
    )


def parse_credibility(text: str) -> str | None:
    return _choice(text, CREDIBILITY, "an information credibility (1 confirmed … 6 cannot be judged)")


def parse_bearing(text: str) -> str:
    return _choice(text, Bearing, "a bearing") or str(Bearing.CONTEXT)


def parse_grade(text: str) -> tuple[str | None, str | None]:
    """ "B2", "B" or "2" (as a filter): the reliability and credibility it names."""
    text = text.strip().upper()
    if len(text) == 2:
        return parse_reliability(text[0]), parse_credibility(text[1])
    if text in RELIABILITY:
        return text, None
    if text in CREDIBILITY:
        return None, text
    raise ValueError(f"{quoted(text)} is not a grade; write it as B2, or B, or 2")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_actor_name(name: str) -> str:
    """One actor's name, trimmed: a name comes back out of an export as one cell of one line only
    without what separates names (a ';', a line break) or any other control character."""
    name = name.strip()
    if ";" in name or len(name.splitlines()) > 1:
        raise ValueError(f"the actor name {quoted(name)} holds a ';' or a line break, which separate names")
    check_text(name, "an actor name")
    if found := _CONTROL.search(name):
        raise ValueError(
            f"the actor name {quoted(name)} holds a control character (U+{ord(found[0]):04X}) "
            f"at position {found.start() + 1}; remove it"
        )
    return name


def parse_actor_names(names: list[str]) -> list[str]:
    """The actors' names trimmed, once each ignoring case, in the order given."""
    kept: dict[str, str] = {}
    for name in map(check_actor_name, names):
        if name:
            kept.setdefault(name.casefold(), name)
    return list(kept.values())


ROLE_ORDER = {role: rank for rank, role in enumerate(EventRole)}


def role_rank(role: str) -> int:
    """Actor 1 and its associates first, then actor 2 and its associates, then any other role."""
    return ROLE_ORDER.get(role, len(ROLE_ORDER))


_SIDES = ((EventRole.ACTOR1.value, EventRole.ASSOC1.value), (EventRole.ACTOR2.value, EventRole.ASSOC2.value))


def actors_in_roles(actors: list[tuple[str, str]]) -> str:
    """Who acted on whom, from (role, name) pairs: "Taliban (with Haqqani Network) → Afghan National
    Army", actor 1's side first as ACLED orders it; actors of another role follow, after a comma."""
    by_role: dict[str, list[str]] = {}
    for role, name in actors:  # one pass: a chronology asks this for every event
        by_role.setdefault(role, []).append(name)
    sides = []
    for main, associate in _SIDES:
        names, associates = ", ".join(by_role.pop(main, ())), ", ".join(by_role.pop(associate, ()))
        sides.append(f"{names} (with {associates})" if names and associates else names or associates)
    text = f"{sides[0]} → {sides[1]}".strip() if sides[1] else sides[0]
    others = ", ".join(name for names in by_role.values() for name in names)
    return ", ".join(filter(None, [text, others]))


def date_label(on: date | str, precision: str, until: date | str | None = None) -> str:
    """ "2020-04-06" (day), "week of 2020-04-06", "2020-04" (month), "2020" (year), or with `until` the
    range "2020-04-06 to 2020-04-09"."""
    text = on if isinstance(on, str) else on.isoformat()
    if until is not None:
        return f"{text} to {until if isinstance(until, str) else until.isoformat()}"
    if precision == DatePrecision.WEEK:
        return f"week of {text}"
    if precision == DatePrecision.MONTH:
        return text[:7]
    if precision == DatePrecision.YEAR:
        return text[:4]
    return text


def grade_label(reliability: str | None, credibility: str | None) -> str:
    """The Admiralty grade as written, e.g. "B2"; empty when the source is not graded."""
    return f"{reliability or ''}{credibility or ''}"


def place_label(location: str | None, admin1: str | None, country: str | None) -> str:
    """ "Nahr-e Saraj, Helmand, Afghanistan", each name once."""
    return ", ".join(dict.fromkeys(part for part in (location, admin1, country) if part))


@dataclass
class MetricFigure:
    """A figure the event reports for a metric ("prisoners released: 100"), kept as an observation."""

    metric_id: str
    value: float
    qualifier: str = Qualifier.EXACT
    claimant: str | None = None  # an actor's name; None: the event's first actor
    observation_id: str | None = None  # chosen up front so a redo brings back the same observation


@dataclass
class EventFields:
    """An event as the services write and read it: checked, typed values."""

    occurred_on: date
    event_type: str
    source_name: str
    date_precision: str = DatePrecision.DAY
    occurred_until: date | None = None  # the last day of a range (UCDP); None: the one day or period of occurred_on
    sub_event_type: str | None = None
    actors: list[str] = field(default_factory=list)  # names; the first is actor 1
    location: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    fatalities: int | None = None  # None: unknown
    notes: str | None = None
    source_reference: str | None = None
    source_accessed_on: date | None = None
    reliability: str | None = None
    credibility: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)  # (obligation id, bearing)
    agreement_id: str | None = None
    figure: MetricFigure | None = None


@dataclass
class EventForm:
    """The event form as the officer typed it: every value is text."""

    occurred_on: str = ""
    event_type: str = ""
    source_name: str = ""
    date_precision: str = DatePrecision.DAY
    occurred_until: str = ""  # empty: a single day (or the period of the precision)
    sub_event_type: str = ""
    actors: list[str] = field(default_factory=list)
    location: str = ""
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    country: str = ""
    latitude: str = ""
    longitude: str = ""
    geo_precision: str = ""
    fatalities: str = ""
    notes: str = ""
    source_reference: str = ""
    source_accessed_on: str = ""
    reliability: str = ""
    credibility: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    agreement_id: str = ""
    metric_id: str = ""
    figure: str = ""
    figure_qualifier: str = Qualifier.EXACT
    figure_claimant: str = ""
    observation_id: str = ""

    @classmethod
    def from_fields(cls, values: EventFields) -> "EventForm":
        """The form filled in with an event, e.g. to edit it."""
        text = {
            name: "" if getattr(values, name) is None else str(getattr(values, name))
            for name in FIELD_COLUMNS
        }
        figure = values.figure
        return cls(
            **text, actors=list(values.actors), links=list(values.links),
            metric_id=figure.metric_id if figure else "", figure=repr(figure.value) if figure else "",
            figure_qualifier=figure.qualifier if figure else Qualifier.EXACT,
            figure_claimant=(figure.claimant or "") if figure else "",
            observation_id=(figure.observation_id or "") if figure else "",
        )  # fmt: skip


def required(what: str):
    """A parser of text that must be given; `what` says so when it is empty."""

    def parse(text: str) -> str:
        value = parse_text(text)
        if value is None:
            raise ValueError(what)
        return value

    return parse


def _required_date(text: str) -> date:
    if not text.strip():
        raise ValueError(f"give the date the event happened, as {_DATE_FORM}")
    return parse_date(text)


_FIELD_PARSERS = {
    "occurred_on": _required_date,
    "date_precision": parse_precision,
    "occurred_until": parse_optional_date,
    "event_type": required("choose or type the kind of event, e.g. Battles or Statement"),
    "sub_event_type": parse_text,
    "location": parse_text,
    "admin1": parse_text,
    "admin2": parse_text,
    "admin3": parse_text,
    "country": parse_text,
    "latitude": parse_latitude,
    "longitude": parse_longitude,
    "geo_precision": parse_geo_precision,
    "fatalities": parse_fatalities,
    "notes": parse_text,
    "source_name": required("name the source, e.g. Pajhwok Afghan News"),
    "source_reference": parse_text,
    "source_accessed_on": parse_optional_date,
    "reliability": parse_reliability,
    "credibility": parse_credibility,
    "agreement_id": parse_text,
}
FORM_TEXT_FIELDS = tuple(_FIELD_PARSERS)
# The fields of EventFields that are columns of Event (the others are its actors, links and figure).
FIELD_COLUMNS = tuple(f.name for f in fields(EventFields) if f.name not in ("actors", "links", "figure"))


def missing_half(values: dict, first: str, second: str) -> str | None:
    """Of two values that go together (latitude and longitude, reliability and credibility), the one
    left out when only the other is given."""
    if (values.get(first) is None) == (values.get(second) is None):
        return None
    return first if values.get(first) is None else second


def read_form(form: EventForm, today: date | None = None) -> tuple[EventFields | None, dict[str, str]]:
    """The typed event, or None, and what is wrong by field name, each as a clause without a full stop.

    With `today`, dates after it are refused too (a typo in the year).
    """
    values, problems = {}, {}

    def attempt(name, parse, *args):
        try:
            values[name] = parse(*args)
        except ValueError as error:
            problems[name] = str(error)

    for name, parse in _FIELD_PARSERS.items():
        attempt(name, parse, getattr(form, name))
    attempt("actors", parse_actor_names, form.actors)
    if missing := missing_half(values, "latitude", "longitude"):
        problems.setdefault(missing, f"give the {missing} too, or neither coordinate")
    if missing := missing_half(values, "reliability", "credibility"):
        problems.setdefault(missing, f"give the {missing} too: a grade has both, e.g. B2")
    _check_range(values, problems)
    if today is not None:
        for name in ("occurred_on", "occurred_until", "source_accessed_on"):
            if values.get(name) and values[name] > today:
                problems[name] = f"{values[name]} is after today; check the year"
    links = {}
    for obligation_id, bearing in form.links:
        if obligation_id in links:
            problems["links"] = "an obligation is linked twice; keep one link"
        try:
            links[obligation_id] = parse_bearing(bearing)
        except ValueError as error:
            problems["links"] = str(error)
    values["links"] = list(links.items())
    values["figure"] = _read_figure(form, values.get("actors") or [], problems)
    return (None if problems else EventFields(**values)), problems


def range_end(first: date, last: date | None) -> date | None:
    """The last day of a range as the record keeps it: None for a single day (no end, or the first day
    again); ValueError when it is before the first day."""
    if last is None or last == first:
        return None
    if last < first:
        raise ValueError(f"the last day {last} is before the first, {first}; give a last day on or after the first, or none for a single day")
    return last


def _check_range(values: dict, problems: dict[str, str]) -> None:
    if values.get("occurred_on") is not None and "occurred_until" in values:
        try:
            values["occurred_until"] = range_end(values["occurred_on"], values["occurred_until"])
        except ValueError as error:
            problems["occurred_until"] = str(error)


def _read_figure(form: EventForm, actors: list[str], problems: dict[str, str]) -> MetricFigure | None:
    metric_id, text = form.metric_id.strip(), form.figure.strip()
    if not metric_id and not text:
        return None
    if not metric_id:
        problems["metric_id"] = "choose the metric the figure counts, or clear the figure"
    if not text:
        problems["figure"] = "the figure is missing; give the figure, e.g. 100, or clear the metric"
        return None
    try:
        value = parse_number(text, FIGURE)
    except ValueError as error:
        problems["figure"] = str(error)
        return None
    try:
        qualifier = _choice(form.figure_qualifier, Qualifier, "a qualifier") or Qualifier.EXACT
    except ValueError as error:
        problems["figure_qualifier"] = str(error)
        return None
    claimant = form.figure_claimant.strip() or (actors[0] if actors else None)
    if claimant is None:
        problems["figure_claimant"] = "name the actor who claims the figure"
    return MetricFigure(metric_id, value, qualifier, claimant, form.observation_id.strip() or None)


def event_problems(form: EventForm, today: date | None = None) -> dict[str, str]:
    """What is wrong with the form, by field name, one sentence each; empty when it can be saved."""
    return {name: sentence(message) for name, message in read_form(form, today)[1].items()}


def read_event_form(form: EventForm, today: date | None = None) -> EventFields:
    """The typed event of a valid form; RecordError listing the problems otherwise."""
    values, problems = read_form(form, today)
    if values is None:
        raise RecordError(" ".join(sentence(message) for message in problems.values()))
    return values


def check_event_fields(values: EventFields) -> EventFields:
    """The fields as the form would save them (trimmed); RecordError if the form would refuse them."""
    return read_event_form(EventForm.from_fields(values))
