"""db.bulk: lookups by many keys, and the collector's pause."""

import gc
import threading

import pytest
from sqlalchemy import text

from db.bulk import collection_paused, select_matching
from db.models import Actor


@pytest.mark.parametrize("count", [1, 3, 40_000])  # 40,000: more than SQLite's 32,766 variables
def test_select_matching_finds_exactly_the_given_keys(example_store, count):
    with example_store.reading() as session:
        names = dict(session.connection().execute(text("SELECT name, id FROM actor")).all())
        wanted = ["Taliban", "no such actor", *(f"nobody {n}" for n in range(count - 2))][:count]
        found = select_matching(session.connection(), [Actor.name, Actor.id], Actor.name, wanted)
    assert sorted(found) == sorted((name, names[name]) for name in wanted if name in names)
    assert ("Taliban", names["Taliban"]) in found


def test_select_matching_of_nothing_asks_nothing(example_store):
    with example_store.reading() as session:
        assert select_matching(session.connection(), [Actor.id], Actor.name, []) == []


@pytest.fixture(autouse=True)
def collector_on():
    """These tests start with automatic collection on (the window's background work turns it off)."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_resumes_after_the_last_of_nested_pauses():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_pauses_in_two_threads_end_with_the_collector_running():
    inside, release = threading.Event(), threading.Event()

    def worker():
        with collection_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    with collection_paused():
        release.set()
        thread.join(5)
        assert not gc.isenabled()  # the worker's pause ended, this one has not
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_inside_a_pause_resumes_the_collector():
    with pytest.raises(ValueError), collection_paused():
        raise ValueError("bad row")
    assert gc.isenabled()


def test_select_matching_takes_more_values_than_sqlite_binds_in_one_statement(example_store):
    """On either engine (--engine): one parameter, a JSON array on SQLite and an array on a server."""
    with example_store.reading() as session:
        connection = session.connection()
        wanted = ["Taliban", *(f"nobody {n}" for n in range(300_000))]
        assert select_matching(connection, [Actor.name], Actor.name, wanted) == [("Taliban",)]
