"""Which changes of the record may change what Find anything finds (db.search.concerns_search): a table."""

import pytest

from db.changes import EVERYTHING, Changes
from db.search import concerns_search

SOME = frozenset({"x"})


@pytest.mark.parametrize(
    "changes, searched",
    [
        (EVERYTHING, True),
        (Changes(tree=True), True),
        (Changes(agreements=SOME), True),
        (Changes(obligations=SOME), True),
        (Changes(assessments=SOME), True),
        (Changes(events=SOME, event_log=True), True),
        (Changes(actors=True), True),
        (Changes(evidence=SOME), False),  # links are not searched
        (Changes(metrics=SOME), False),
        (Changes(event_log=True), False),  # a count or a reference the log shows
        (Changes(select="an obligation"), False),
        (Changes(), False),
    ],
)
def test_what_a_search_reads(changes, searched):
    assert concerns_search(changes) is searched
