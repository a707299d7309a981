"""Duplicate events (db/duplicates.py): a table of true and false cases, the threshold's error rates
measured on it, and the parts of the rule one by one."""

from dataclasses import replace
from datetime import date

import pytest

from db.duplicates import THRESHOLD, EventSketch, likely_duplicates, likeness

AMBUSH = EventSketch(
    date(2020, 4, 7), "day", "Battles", "Sholgara", "Balkh", "Sholgara", frozenset({"taliban", "police forces of afghanistan (2014-2021)"}),
    "Taliban militants ambushed a police checkpoint in Sholgara district, killing 4 policemen.",
)  # fmt: skip


def _(base: EventSketch = AMBUSH, **changes) -> EventSketch:
    return replace(base, **changes)


# (the event typed or imported, the one in the record, the same happening?, why)
CASES = [
    (_(notes="Taliban fighters ambushed a police checkpoint in Sholgara, 4 police killed."), AMBUSH, True, "reworded"),
    (_(notes="On 7 April, Taliban militants ambushed a police checkpoint in Sholgara district of Balkh province, "
             "killing 4 policemen and wounding 2. The Taliban claimed responsibility."), AMBUSH, True, "fuller report"),
    (_(notes="taliban militants ambushed a police checkpoint in sholgara district killing 4 policemen"), AMBUSH, True, "case and punctuation"),
    (_(date_precision="week", occurred_on=date(2020, 4, 6), notes="Police checkpoint ambushed by Taliban in Sholgara; 4 killed."),
     AMBUSH, True, "a week-dated report of the day"),
    (_(occurred_on=date(2020, 4, 1), date_precision="month", notes="Taliban ambushed police in Sholgara district, killing four."),
     AMBUSH, True, "a month-dated summary"),
    (_(location="", notes="Taliban militants ambushed a police checkpoint, killing 4 policemen."), AMBUSH, True, "no location, same district"),
    (_(actors=frozenset(), notes="Militants ambushed a police checkpoint in Sholgara district, killing 4 policemen."), AMBUSH, True, "no actors named"),
    (_(actors=frozenset({"taliban"}), notes="Taliban ambushed a checkpoint in Sholgara; four policemen killed."), AMBUSH, True, "one actor in common"),
    (_(notes=""), _(notes=""), True, "both without notes"),
    (_(event_type="battles", notes="Taliban militants ambushed a police checkpoint in Sholgara district."), AMBUSH, True, "type's case"),
    (_(occurred_on=date(2020, 4, 8), notes="Taliban militants ambushed a police checkpoint in Sholgara district, killing 4 policemen."),
     AMBUSH, False, "the next day, both dated to the day"),
    (_(event_type="Explosions/Remote violence", notes="A roadside bomb hit a police vehicle in Sholgara, killing 4 policemen."),
     AMBUSH, False, "another type"),
    (_(location="Chimtal", admin2="Chimtal", notes="Taliban militants ambushed a police checkpoint in Chimtal district, killing 4 policemen."),
     AMBUSH, False, "another district"),
    (_(location="", admin1="Kunduz", admin2="", notes="Taliban militants ambushed a police checkpoint, killing 4 policemen."),
     AMBUSH, False, "another province"),
    (_(actors=frozenset({"islamic state (afghanistan)", "military forces of afghanistan (2014-2021)"}),
       notes="IS-K fighters attacked an army post in Sholgara; 3 soldiers killed."), AMBUSH, False, "other actors"),
    (_(notes="Afghan forces conducted a clearing operation in Sholgara district; 6 Taliban killed."), AMBUSH, False, "another clash, same day and place"),
    (_(notes="Taliban attacked a police checkpoint at night; 2 attackers killed, no police casualties."), AMBUSH, False, "another attack on police"),
    (_(notes="Clashes between Taliban and police in Sholgara, casualties unknown."), AMBUSH, False, "a vague second clash"),
    (_(notes="Taliban and Afghan forces clashed near the district centre; 1 civilian injured by crossfire."), AMBUSH, False, "crossfire report"),
    (_(occurred_on=date(2020, 3, 7), date_precision="week", notes="Taliban militants ambushed a police checkpoint in Sholgara district, killing 4 policemen."),
     AMBUSH, False, "a month before, week-dated"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "recorded", "same", "why"), CASES, ids=[case[3] for case in CASES])
def test_a_table_of_true_and_false_cases(typed, recorded, same, why):
    assert bool(likely_duplicates(typed, [recorded])) is same, (why, likeness(typed, recorded))


def error_rates(threshold: float) -> tuple[float, float]:
    """(false positives among the different happenings, false negatives among the same) on CASES."""
    same = [c for c in CASES if c[2]]
    different = [c for c in CASES if not c[2]]
    fp = sum(bool(likely_duplicates(a, [b], threshold)) for a, b, _, _ in different) / len(different)
    fn = sum(not likely_duplicates(a, [b], threshold) for a, b, _, _ in same) / len(same)
    return fp, fn


def test_the_threshold_errs_on_neither_side_of_the_table():
    assert error_rates(THRESHOLD) == (0.0, 0.0)
    assert error_rates(20)[0] > 0  # the table can tell: a low threshold takes other clashes for this one
    assert error_rates(95)[1] > 0  # and a high one misses reworded reports


def test_the_most_alike_comes_first_and_an_event_is_not_its_own_duplicate():
    close = _(id="a", notes="Taliban militants ambushed a police checkpoint in Sholgara district, killing 4 policemen.")
    looser = _(id="b", notes="Taliban ambushed a checkpoint in Sholgara; four policemen killed.")
    assert [e.id for e in likely_duplicates(_(id="new"), [looser, close])] == ["a", "b"]
    assert likely_duplicates(close, [close]) == []
