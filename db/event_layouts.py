"""The layouts of event files from other sources: which columns a reader takes, under which names, and how
each cell becomes a value of the record.

One Layout per source layout: ACLED's current export, its pre-2023 and 2015-era layouts (HDX editions
have the same columns plus a row of HXL hashtags, which db/event_file.py skips), and UCDP's Georeferenced
Event Dataset. Only the columns without which an event cannot be read are required; the others, when
absent, are imported empty and reported. Adding a source is one more Layout here.

External ids are namespaced by source: ACLED's event_id_cnty is kept as ACLED writes it (ISO letters and
digits, never a colon, as earlier imports stored it) and every other source's id is "source:id", so an
ACLED id and a UCDP id can never be the same.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from db.event_rules import (
    parse_fatalities,
    parse_geo_precision,
    parse_latitude,
    parse_longitude,
    parse_text,
    quoted,
    required,
)
from db.event_text import MISSING
from db.vocabulary import DatePrecision, EventRole

Parse = Callable[[str], Any]


def _whole(parse: Parse) -> Parse:
    """A parser of whole numbers that also takes pandas' "5.0" (a column with a missing value is float)."""

    def parse_whole(text: str):
        text = text.strip()
        return parse(text[:-2] if text.endswith(".0") else text)

    return parse_whole


need_type = required("the cell is empty; every event has a type")
need_source = required("the cell is empty; every event needs its source")
fatalities = _whole(parse_fatalities)
geo_precision = _whole(parse_geo_precision)
_ACLED_PRECISION = {"1": str(DatePrecision.DAY), "2": str(DatePrecision.WEEK), "3": str(DatePrecision.MONTH)}


def acled_precision(text: str) -> str:
    text = text.strip()
    if not text:
        return str(DatePrecision.DAY)
    try:
        return _ACLED_PRECISION[text.removesuffix(".0")]
    except KeyError:
        raise ValueError(
            f"{quoted(text)} is not a time precision; ACLED writes 1 (day), 2 (week) or 3 (month)"
        ) from None


def acled_key(cell: str) -> str:
    if (key := cell.strip()) and key not in MISSING:
        return key
    raise ValueError("the cell is empty; every ACLED row has its event id")


def ucdp_key(cell: str) -> str:
    key = cell.strip().removesuffix(".0")
    if key.isascii() and key.isdigit():
        return f"ucdp-ged:{key}"
    if not key or key in MISSING:
        raise ValueError("the cell is empty; every UCDP GED row has its id")
    raise ValueError(f"{quoted(key)} is not a UCDP GED id; UCDP numbers its events 1, 2, 3 …")


UCDP_VIOLENCE = {"1": "State-based violence", "2": "Non-state violence", "3": "One-sided violence"}


def ucdp_violence(text: str) -> str:
    try:
        return UCDP_VIOLENCE[text.strip().removesuffix(".0")]
    except KeyError:
        raise ValueError(
            f"{quoted(text.strip())} is not a type of violence; UCDP writes 1 (state-based), 2 (non-state) "
            "or 3 (one-sided)"
        ) from None


# UCDP's where_prec: 1 the place, 2 within 25 km, 3 a second-order area, 4 a first-order area, 5–7 wider.
_WHERE = {"1": 1, "2": 2, "3": 3, "4": 3, "5": 3, "6": 3, "7": 3}


def ucdp_where(text: str) -> int | None:
    text = text.strip().removesuffix(".0")
    if not text:
        return None
    try:
        return _WHERE[text]
    except KeyError:
        raise ValueError(f"{quoted(text)} is not a location precision; UCDP writes 1 to 7") from None


# UCDP's date_prec: 1 the day, 2 a range of 2–6 days, 3 the week, 4 the month, 5 the year or longer.
# The record keeps the range itself (occurred_on..occurred_until); the precision says which of these it is.
UCDP_PRECISION = {
    "1": DatePrecision.DAY, "2": DatePrecision.WEEK, "3": DatePrecision.WEEK, "4": DatePrecision.MONTH,
    "5": DatePrecision.YEAR,
}  # fmt: skip


def ucdp_precision(text: str) -> str | None:
    text = text.strip().removesuffix(".0")
    if not text:
        return None  # decided from the range (db.event_file)
    try:
        return str(UCDP_PRECISION[text])
    except KeyError:
        raise ValueError(
            f"{quoted(text)} is not a date precision; UCDP writes 1 (the day) to 5 (the year or longer)"
        ) from None


TEXT = (parse_text, need_type, need_source, acled_key)  # parsed cell by cell (db.event_file._column)


@dataclass(frozen=True)
class Layout:
    format: str  # db.event_file.FileFormat
    label: str
    key: str  # the column of the source's event id
    parse_key: Parse
    dates: tuple[str, ...]  # the first date column, and the last day of a range (UCDP)
    fields: tuple[tuple[str, str, Parse], ...]  # (column, Event column, parser)
    actors: dict[str, str]  # role → column
    required: tuple[str, ...]
    known: tuple[str, ...]  # every column of the layout: the others in a file are reported as ignored
    aliases: dict[str, str]  # a name a file may use → the layout's name
    labels: frozenset[str] = frozenset({"source_name"})  # names, not evidence: no-break spaces made plain
    # (actors' names too: db.event_file._actor_names)

    @property
    def read(self) -> tuple[str, ...]:
        """The columns this reader takes values from."""
        return (self.key, *self.dates, *(c for c, _, _ in self.fields), *self.actors.values())

    def sets(self, present: set[str]) -> tuple[str, ...]:
        """The Event columns a file with these columns sets (an absent column never blanks a value)."""
        if len(self.dates) > 1:  # a range: its precision is known from the range when not given
            dated = ("occurred_on", "occurred_until", "date_precision")
        else:
            dated = ("occurred_on",)
        return (*dated, *(name for column, name, _ in self.fields if column in present and name not in dated))


_ACLED_ACTORS = {
    EventRole.ACTOR1: "actor1", EventRole.ASSOC1: "assoc_actor_1", EventRole.ACTOR2: "actor2",
    EventRole.ASSOC2: "assoc_actor_2",
}  # fmt: skip
_ACLED_FIELDS = (
    ("time_precision", "date_precision", acled_precision),
    ("event_type", "event_type", need_type),
    ("sub_event_type", "sub_event_type", parse_text),
    ("country", "country", parse_text),
    ("admin1", "admin1", parse_text),
    ("admin2", "admin2", parse_text),
    ("admin3", "admin3", parse_text),
    ("location", "location", parse_text),
    ("latitude", "latitude", parse_latitude),
    ("longitude", "longitude", parse_longitude),
    ("geo_precision", "geo_precision", geo_precision),
    ("source", "source_name", need_source),
    ("notes", "notes", parse_text),
    ("fatalities", "fatalities", fatalities),
)
ACLED_REQUIRED = ("event_id_cnty", "event_date", "event_type", "actor1", "country")
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
ACLED_PRE_2023_COLUMNS = (
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "timestamp", "iso3",
)  # fmt: skip
# ACLED around 2015 (upper case in the files): allies instead of associates, no sub-event type.
ACLED_2015_COLUMNS = (
    "gwno", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision", "event_type", "actor1",
    "ally_actor_1", "inter1", "actor2", "ally_actor_2", "inter2", "interaction", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
)  # fmt: skip
_ACLED_ALIASES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2", "geo_precis": "geo_precision"}


def _acled(format: str, label: str, known: tuple[str, ...]) -> Layout:
    return Layout(
        format, label, "event_id_cnty", acled_key, ("event_date",), _ACLED_FIELDS, _ACLED_ACTORS,
        ACLED_REQUIRED, tuple(_ACLED_ALIASES.get(name, name) for name in known), _ACLED_ALIASES,
    )  # fmt: skip


ACLED = _acled("acled", "an ACLED export", ACLED_COLUMNS)
ACLED_PRE_2023 = _acled("acled-pre-2023", "an ACLED export (pre-2023 layout)", ACLED_PRE_2023_COLUMNS)
ACLED_2015 = _acled("acled-2015", "an ACLED export (2015-era layout)", ACLED_2015_COLUMNS)

UCDP_COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip
UCDP = Layout(
    "ucdp-ged", "a UCDP GED file", "id", ucdp_key, ("date_start", "date_end"),
    (
        ("date_prec", "date_precision", ucdp_precision),
        ("type_of_violence", "event_type", ucdp_violence),
        ("conflict_name", "sub_event_type", parse_text),
        ("country", "country", parse_text),
        ("adm_1", "admin1", parse_text),
        ("adm_2", "admin2", parse_text),
        ("where_coordinates", "location", parse_text),
        ("latitude", "latitude", parse_latitude),
        ("longitude", "longitude", parse_longitude),
        ("where_prec", "geo_precision", ucdp_where),
        ("source_office", "source_name", parse_text),
        ("source_article", "source_reference", parse_text),
        ("source_headline", "notes", parse_text),
        ("best", "fatalities", fatalities),
    ),
    {EventRole.ACTOR1: "side_a", EventRole.ACTOR2: "side_b"},
    ("id", "date_start", "date_end", "type_of_violence", "side_a", "country"), UCDP_COLUMNS, {},
)  # fmt: skip
LAYOUTS = (ACLED, ACLED_PRE_2023, ACLED_2015, UCDP)


def choose_layout(names: set[str]) -> tuple[Layout, int]:
    """The layout whose columns the header (lower case) names most, and how many it names."""
    found = [(len({layout.aliases.get(n, n) for n in names} & set(layout.read)), layout) for layout in (ACLED, UCDP)]
    count, layout = max(found, key=lambda pair: pair[0])
    if layout is ACLED and names & {"gwno", "ally_actor_1", "ally_actor_2"}:
        layout = ACLED_2015
    elif layout is ACLED and names & {"data_id", "event_id_no_cnty", "iso3"}:
        layout = ACLED_PRE_2023
    return layout, count
