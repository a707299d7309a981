"""An import holds a chunk of its file at a time (issue 15): what it allocates at its peak follows the chunk,
not the file. Read, checked and written in one pass, it keeps of each row no more than a few bytes: the
keys met are in a private SQLite file (db.bulk.KeysMet), the report's keys as text (db.event_import.Keys)."""

import shutil
import tracemalloc

import pytest

from db import event_file, event_import
from db.event_import import import_events
from db.store import Store
from tests.bench_import import generate

SMALL, LARGE = 2_000, 8_000


@pytest.mark.sqlite_file("copies of the example database's file")
def test_importing_a_file_four_times_longer_takes_about_the_same_memory(example_store, tmp_path, monkeypatch):
    for module in (event_file, event_import):
        monkeypatch.setattr(module, "CHUNK_ROWS", 250)
    example_store.close()
    peaks = {}
    for count in (SMALL, LARGE):
        path = tmp_path / f"desk-{count}.sqlite"
        shutil.copyfile(example_store.path, path)
        desk = Store.open(path, user="bruno")
        try:
            generate(tmp_path / f"events-{count}.csv", count)
            tracemalloc.start()
            try:
                report = import_events(desk, tmp_path / f"events-{count}.csv")
                _, peaks[count] = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert len(report.added) == count
        finally:
            desk.close()
    # A whole-file check kept each row's key, line and actors: 1.6× here (3.7 and 6.0 MiB); now about 1.1×.
    assert peaks[LARGE] < 1.25 * peaks[SMALL], peaks
