"""A few rounds of the crash suite (tests/crash_suite.py; 100 rounds are run by hand)."""

from tests.crash_suite import run


def test_writers_killed_at_random_leave_the_record_whole(tmp_path):
    assert run(kills=4, seed=7, rows=1500, folder=tmp_path) == []
