"""The pure rules of events: field parsers, the form's problems, and the labels of the event log."""

from datetime import date

import pytest

from db.errors import RecordError
from db.event_rules import (
    EventFields,
    EventForm,
    MetricFigure,
    actors_in_roles,
    check_event_fields,
    date_label,
    event_problems,
    grade_label,
    parse_actor_names,
    parse_date,
    parse_fatalities,
    parse_grade,
    parse_latitude,
    parse_longitude,
    place_label,
    read_event_form,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-04-06", date(2020, 4, 6)),
        (" 2020-4-6 ", date(2020, 4, 6)),
        ("2020-02-29", date(2020, 2, 29)),
        ("2020-02-30", "'2020-02-30' is not a date: February 2020 has 29 days"),
        ("2021-02-29", "'2021-02-29' is not a date: February 2021 has 28 days"),
        ("2020-04-31", "April 2020 has 30 days"),
        ("2020-13-01", "there is no month 13"),
        ("0000-01-01", "there is no year 0"),
        ("02 April 2020", "is not a date in the form YYYY-MM-DD"),  # files' forms: tests/db/test_event_dates.py
        ("06/04/2020", "'06/04/2020' is not a date in the form YYYY-MM-DD"),
        ("", "'' is not a date"),
    ],
)
def test_parse_date(text, expected):
    if isinstance(expected, date):
        assert parse_date(text) == expected
    else:
        with pytest.raises(ValueError, match=expected):
            parse_date(text)


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (parse_fatalities, "12", 12),
        (parse_fatalities, " 0 ", 0),
        (parse_fatalities, "", None),
        (parse_fatalities, "Unknown", None),
        (parse_fatalities, "-1", ValueError),
        (parse_fatalities, "2.5", ValueError),
        (parse_fatalities, "²", ValueError),  # a digit to str.isdigit, not to int()
        (parse_fatalities, "1234567890", ValueError),  # beyond any event, and SQLite's integers stay safe
        (parse_latitude, "34.5167", 34.5167),
        (parse_latitude, "-90", -90.0),
        (parse_latitude, "90.0001", ValueError),
        (parse_latitude, "nan", ValueError),
        (parse_latitude, "north", ValueError),
        (parse_latitude, "", None),
        (parse_longitude, "-180", -180.0),
        (parse_longitude, "180.5", ValueError),
        (parse_longitude, "inf", ValueError),
        (parse_grade, "b2", ("B", "2")),
        (parse_grade, "B", ("B", None)),
        (parse_grade, "2", (None, "2")),
        (parse_grade, "G1", ValueError),
        (parse_grade, "B7", ValueError),
        (parse_grade, "B22", ValueError),
        (parse_actor_names, [" Taliban ", "", "taliban", "US"], ["Taliban", "US"]),
        (parse_actor_names, ["Civilians; Women"], ValueError),
        (parse_actor_names, ["Two\nlines"], ValueError),
    ],
)
def test_field_parsers(parse, text, expected):
    if expected is ValueError:
        with pytest.raises(ValueError):
            parse(text)
    else:
        assert parse(text) == expected


@pytest.mark.parametrize(
    ("on", "precision", "label"),
    [
        (date(2020, 4, 6), "day", "2020-04-06"),
        (date(2020, 4, 6), "week", "week of 2020-04-06"),
        (date(2020, 4, 15), "month", "2020-04"),
        ("2020-04-15", "month", "2020-04"),
        ("2020-04-06", "week", "week of 2020-04-06"),
        (date(2020, 4, 15), "year", "2020"),
        ((date(2020, 3, 2), date(2020, 3, 6)), "week", "2020-03-02 to 2020-03-06"),  # UCDP's range
        (("2020-01-01", "2020-12-31"), "year", "2020-01-01 to 2020-12-31"),
    ],
)
def test_date_label(on, precision, label):
    on, until = on if isinstance(on, tuple) else (on, None)
    assert date_label(on, precision, until) == label


@pytest.mark.parametrize(
    ("values", "label"),
    [(("B", "2"), "B2"), (("A", "1"), "A1"), ((None, None), ""), (("F", "6"), "F6")],
)
def test_grade_label(values, label):
    assert grade_label(*values) == label


@pytest.mark.parametrize(
    ("parts", "label"),
    [
        (("Nahr-e Saraj", "Helmand", "Afghanistan"), "Nahr-e Saraj, Helmand, Afghanistan"),
        (("Kabul", "Kabul", "Afghanistan"), "Kabul, Afghanistan"),
        ((None, None, "Qatar"), "Qatar"),
        ((None, None, None), ""),
    ],
)
def test_place_label(parts, label):
    assert place_label(*parts) == label


FIGURE_SPAN = "-1,000,000,000,000 to 1,000,000,000,000"

VALID = {"occurred_on": "2020-04-06", "event_type": "Prisoner release", "source_name": "Tolo News"}


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({}, {}),
        ({"occurred_on": ""}, {"occurred_on": "Give the date the event happened, as YYYY-MM-DD."}),
        ({"occurred_on": "2020-02-30"}, {"occurred_on": "'2020-02-30' is not a date: February 2020 has 29 days."}),
        ({"occurred_on": "6 April 2020"}, {"occurred_on": "'6 April 2020' is not a date in the form YYYY-MM-DD."}),
        ({"date_precision": "decade"}, {"date_precision": "'decade' is not a date precision; use one of day, week, month, year."}),
        ({"event_type": "  "}, {"event_type": "Choose or type the kind of event, e.g. Battles or Statement."}),
        ({"source_name": ""}, {"source_name": "Name the source, e.g. Pajhwok Afghan News."}),
        ({"reliability": "b", "credibility": "2"}, {}),
        ({"reliability": "G", "credibility": "2"}, {"reliability": "'G' is not a source reliability (A completely reliable … F cannot be judged); use one of A, B, C, D, E, F."}),
        ({"reliability": "B", "credibility": "7"}, {"credibility": "'7' is not an information credibility (1 confirmed … 6 cannot be judged); use one of 1, 2, 3, 4, 5, 6."}),
        ({"reliability": "B"}, {"credibility": "Give the credibility too: a grade has both, e.g. B2."}),
        ({"credibility": "2"}, {"reliability": "Give the reliability too: a grade has both, e.g. B2."}),
        ({"fatalities": "unknown"}, {}),
        ({"fatalities": "-3"}, {"fatalities": "'-3' is not a number of fatalities; use a whole number of 0 or more, or leave it empty when unknown."}),
        ({"fatalities": "3.5"}, {"fatalities": "'3.5' is not a number of fatalities; use a whole number of 0 or more, or leave it empty when unknown."}),
        ({"latitude": "34.5", "longitude": "69.2"}, {}),
        ({"latitude": "95", "longitude": "69.2"}, {"latitude": "'95' is not a latitude; use a number from -90 to 90."}),
        ({"latitude": "34.5", "longitude": "-181"}, {"longitude": "'-181' is not a longitude; use a number from -180 to 180."}),
        ({"latitude": "34.5"}, {"longitude": "Give the longitude too, or neither coordinate."}),
        ({"geo_precision": "4"}, {"geo_precision": "'4' is not a location precision; use 1 (the town), 2 (near it) or 3 (the region)."}),
        ({"source_accessed_on": "2020-04-31"}, {"source_accessed_on": "'2020-04-31' is not a date: April 2020 has 30 days."}),
        ({"actors": ["Taliban", "Women; Children"]}, {"actors": "The actor name 'Women; Children' holds a ';' or a line break, which separate names."}),
        ({"notes": "x" * 100_001}, {"notes": "The text is 100,001 characters long; the limit is 100,000."}),
        ({"links": [("o1", "supports"), ("o2", "breach"), ("o3", "context")]}, {}),
        ({"links": [("o1", "violates")]}, {"links": "'violates' is not a bearing; use one of supports, breach, context."}),
        ({"links": [("o1", "supports"), ("o1", "breach")]}, {"links": "An obligation is linked twice; keep one link."}),
        ({"metric_id": "m", "figure": "100", "actors": ["Taliban"]}, {}),
        ({"metric_id": "m", "figure": "about 100", "actors": ["Taliban"]}, {"figure": f"'about 100' is not a figure; use a number from {FIGURE_SPAN}."}),
            ({"metric_id": "m", "figure": "1e400", "actors": ["Taliban"]}, {"figure": f"'1e400' is not a figure; use a number from {FIGURE_SPAN}."}),
            ({"metric_id": "m", "figure": "nan", "actors": ["Taliban"]}, {"figure": f"'nan' is not a figure; use a number from {FIGURE_SPAN}."}),
            ({"latitude": "nan", "longitude": "69.2"}, {"latitude": "'nan' is not a latitude; use a number from -90 to 90."}),
            ({"occurred_on": "2300-01-01"}, {"occurred_on": "2300-01-01 is outside the years 1900–2200 the record holds."}),
            ({"occurred_on": "1899-12-31"}, {"occurred_on": "1899-12-31 is outside the years 1900–2200 the record holds."}),
            ({"fatalities": "1000000000"}, {"fatalities": "'1000000000' is not a number of fatalities; use a whole number of 0 or more, or leave it empty when unknown."}),
            ({"notes": "a\x00b"}, {"notes": "The text holds a NUL character at position 2; remove it."}),
            ({"location": "Kabul\ud800"}, {"location": "The text holds a broken character (half of a UTF-16 pair) at position 6; remove it."}),
        ({"metric_id": "m", "actors": ["Taliban"]}, {"figure": "The figure is missing; give the figure, e.g. 100, or clear the metric."}),
        ({"figure": "100", "actors": ["Taliban"]}, {"metric_id": "Choose the metric the figure counts, or clear the figure."}),
        ({"metric_id": "m", "figure": "100"}, {"figure_claimant": "Name the actor who claims the figure."}),
        ({"metric_id": "m", "figure": "100", "figure_claimant": "Taliban", "figure_qualifier": "roughly"}, {"figure_qualifier": "'roughly' is not a qualifier; use one of exact, about, at_least, at_most."}),
    ],
)  # fmt: skip
def test_event_problems(changes, problems):
    assert event_problems(EventForm(**{**VALID, **changes})) == problems


def test_dates_after_today_are_refused_only_when_today_is_given():
    form = EventForm(**{**VALID, "occurred_on": "2030-01-01", "source_accessed_on": "2031-01-01"})
    assert event_problems(form) == {}
    assert event_problems(form, today=date(2025, 1, 1)) == {
        "occurred_on": "2030-01-01 is after today; check the year.",
        "source_accessed_on": "2031-01-01 is after today; check the year.",
    }


def test_a_valid_form_reads_as_typed_fields_and_back():
    form = EventForm(
        **VALID, date_precision="week", actors=[" Taliban ", "Afghan government"], latitude="34.5167",
        longitude="69.1833", fatalities="", reliability="b", credibility="2", links=[("o1", "breach")],
        metric_id="m", figure="100", figure_qualifier="about",
    )  # fmt: skip
    fields = read_event_form(form)
    assert fields.occurred_on == date(2020, 4, 6) and fields.date_precision == "week"
    assert fields.actors == ["Taliban", "Afghan government"]
    assert (fields.latitude, fields.fatalities, fields.reliability) == (34.5167, None, "B")
    assert fields.figure == MetricFigure("m", 100.0, "about", "Taliban", None)
    assert read_event_form(EventForm.from_fields(fields)) == fields


def test_invalid_fields_are_refused_with_every_problem():
    with pytest.raises(RecordError, match=r"Give the date .* Name the source"):
        read_event_form(EventForm(event_type="Battles"))
    with pytest.raises(RecordError, match="'200.0' is not a latitude"):
        check_event_fields(
            EventFields(date(2021, 3, 1), "Battles", "x", source_accessed_on=None, latitude=200.0)
        )


@pytest.mark.parametrize(
    ("actors", "text"),
    [
        ([], ""),
        ([("actor1", "Taliban")], "Taliban"),
        ([("actor1", "Taliban"), ("actor2", "Afghan National Army")], "Taliban → Afghan National Army"),
        ([("actor1", "Taliban"), ("assoc1", "Haqqani Network"), ("actor2", "Police"), ("assoc2", "Militia")],
         "Taliban (with Haqqani Network) → Police (with Militia)"),
        ([("actor2", "Police")], "→ Police"),
        ([("assoc1", "Haqqani Network")], "Haqqani Network"),
        ([("actor1", "United States"), ("witness", "Qatar")], "United States, Qatar"),
    ],
)  # fmt: skip
def test_actors_in_roles(actors, text):
    assert actors_in_roles(actors) == text
