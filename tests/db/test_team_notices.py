"""Issue 17: a window learns of other officers' changes from the server's notices (db.team_notices)."""

import json

import pytest

from db import team_notices
from db.changes import EVERYTHING, Changes
from db.team_notices import Notice


def _notice(table, row="r1", **keys):
    return Notice(table=table, row_id=row, who="amina", **keys)


@pytest.mark.parametrize(
    ("notice", "changes"),
    [
        (_notice("agreement", "a1"), Changes(agreements=frozenset({"a1"}))),
        (_notice("obligation", "o1"), Changes(tree=True, obligations=frozenset({"o1"}))),
        (_notice("assessment", obligation="o1"), Changes(assessments=frozenset({"o1"}))),
        (_notice("obligationdependency", obligation="o1"), Changes(obligations=frozenset({"o1"}))),
        (_notice("officerwords", agreement="a1"), Changes(words=frozenset({"a1"}))),
        (_notice("event", "e1"), Changes(events=frozenset({"e1"}), event_log=True)),
        (_notice("eventobligation", event="e1", obligation="o1"),
         Changes(events=frozenset({"e1"}), evidence=frozenset({"o1"}), event_log=True)),
        (_notice("actoralias"), Changes(actors=True, event_log=True)),
        (_notice("observation", metric="m1"), Changes(metrics=frozenset({"m1"}))),
        (Notice("metric", "m1", "amina", operation="insert", agreement="a1"),
         Changes(metrics=frozenset({"m1"}), agreements=frozenset({"a1"}))),
        (Notice("metric", "m1", "amina", operation="update", agreement="a1"), Changes(metrics=frozenset({"m1"}))),
        (_notice("partymember"), EVERYTHING),  # which agreement, the notice does not say
        (_notice("event", None), EVERYTHING),  # too many to name
        (_notice("agreementeditor", None), Changes(rights=True)),  # an assignment: only rights are read again
    ],
)
def test_each_notice_refreshes_what_its_change_touched(notice, changes):
    assert team_notices.changes_of(notice) == changes


def test_notices_of_one_moment_combine():
    combined = team_notices.changes_of_all([_notice("obligation", "o1"), _notice("assessment", obligation="o2")])
    assert combined == Changes(tree=True, obligations=frozenset({"o1"}), assessments=frozenset({"o2"}))


def test_a_payload_of_the_server_is_read_and_anything_else_is_not():
    payload = json.dumps({"table": "assessment", "id": "s1", "who": "amina", "obligation": "o1", "entry": 7})
    assert team_notices.parse(payload) == Notice("assessment", "s1", "amina", obligation="o1")
    assert team_notices.parse("not json") is None
    assert team_notices.parse(json.dumps({"id": "x"})) is None


@pytest.mark.parametrize(
    ("notices", "line"),
    [
        ([_notice("obligation")], "amina changed an obligation."),
        ([_notice("obligation"), _notice("assessment"), _notice("assessment")],
         "amina changed an obligation and 2 assessments."),
        ([_notice("event", None), Notice("actor", "x", "bruno")], "amina changed many events; bruno changed an actor."),
        ([Notice("agreementeditor", None, "dana")], "dana changed who edits which agreement."),
        ([_notice("obligation"), _notice("agreementeditor", None)], "amina changed an obligation and who edits which agreement."),
    ],
)
def test_the_status_bar_says_who_changed_what(notices, line):
    assert team_notices.described(notices) == line
