"""Receiving a bundle reads of this record only what the bundle names (db/local_rows.py, db/dots.py): its
memory follows the bundle, not the record it is received into."""

import tracemalloc

from db.bundle import export_bundle
from db.event_import import import_events
from db.exchange import import_bundle
from tests.bench_import import generate
from tests.desks import obligations, retitle

SMALL, LARGE = 1_000, 10_000


def _peak_receiving(bundle, desk) -> int:
    """Peak bytes Python allocated while `desk` received `bundle` (planned and written)."""
    tracemalloc.start()
    try:
        report = import_bundle(desk, bundle)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.written and report.counts["obligation"]["updated"] == 1
    return peak


def test_receiving_a_change_takes_no_more_memory_in_a_desk_ten_times_larger(desks, tmp_path, copy_of):
    sender, template = desks  # each loaded the example on its own
    retitle(sender, obligations(sender)[3], "Withdrawal of foreign forces, as amended")
    bundle = tmp_path / "change.accord"
    export_bundle(sender, bundle)
    template.close()
    peaks = {}
    for count in (SMALL, LARGE):
        desk = copy_of(template, f"desk_{count}")  # the same desk at two sizes (a copy takes a desk id of its own)
        try:
            generate(tmp_path / f"events-{count}.csv", count)
            import_events(desk, tmp_path / f"events-{count}.csv")
            peaks[count] = _peak_receiving(bundle, desk)
        finally:
            desk.close()
    # Reading the whole record, as receive once did, grew with it: about 8× here.
    assert peaks[LARGE] < 1.5 * peaks[SMALL], peaks
