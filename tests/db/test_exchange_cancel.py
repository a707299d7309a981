"""Cancel while sending or receiving a bundle (the window's Cancel, gui/exchange_dialog.py): wherever the
work stops, no bundle file is left and the record is exactly as it was (db.bundle.export_bundle and
db.exchange.import_bundle with `progress`)."""

import pytest

from db.bundle import export_bundle
from db.errors import ExportCancelled, ImportCancelled
from db.exchange import import_bundle
from tests.desks import digest, obligations, retitle
from tests.record_digest import store_digest


class StopAt:
    """A progress callback that says stop at its `stop`-th call, counting the calls."""

    def __init__(self, stop: int):
        self.stop, self.calls = stop, 0

    def __call__(self, done: int, total: int) -> bool:
        assert 0 <= done <= total
        self.calls += 1
        return self.calls < self.stop


def test_sending_tells_its_progress_and_a_cancel_at_any_point_leaves_no_file(desks, tmp_path):
    a, _ = desks
    counted = StopAt(10**6)
    export_bundle(a, tmp_path / "whole.accord", progress=counted)
    assert counted.calls > 10  # each table read and each part written
    for stop in range(1, counted.calls + 1):
        out = tmp_path / f"cancelled-{stop}.accord"
        with pytest.raises(ExportCancelled, match=f"Sending was cancelled; {out.name} was not written"):
            export_bundle(a, out, progress=StopAt(stop))
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.glob("*.accord")) == ["whole.accord"]  # no part file either


def test_receiving_tells_its_progress_and_a_cancel_at_any_point_leaves_the_record_as_it_was(desks, tmp_path, copy_of):
    a, b = desks
    for index in (1, 3, 5):
        retitle(a, obligations(a)[index], f"Retitled {index} on desk A")
    out = tmp_path / "a.accord"
    export_bundle(a, out)
    whole, kept = store_digest(b), digest(b)
    counted = StopAt(10**6)
    receiver = copy_of(b, "bruno")
    try:
        import_bundle(receiver, out, progress=counted)
    finally:
        receiver.close()
    assert counted.calls >= 3  # the plan, the writing, the end (the plan holds: the record did not change)
    for stop in range(1, counted.calls + 1):
        with pytest.raises(ImportCancelled, match="Receiving a.accord was cancelled; nothing was changed"):
            import_bundle(b, out, progress=StopAt(stop))
        assert store_digest(b) == whole and digest(b) == kept, stop
    assert import_bundle(b, out).counts["obligation"]["updated"] == 3  # and received in full once not cancelled


def test_a_plan_holds_until_the_record_changes(desks, tmp_path):
    """import_bundle writes the plan it made before the backup unless the record changed in between."""
    from db.bundle import read_bundle
    from db.merge_plan import plan, planned_as_of

    a, b = desks
    out = tmp_path / "a.accord"
    export_bundle(a, out)
    with b.reading() as session:
        merge = plan(session, read_bundle(out))
        assert planned_as_of(session.connection()) == merge.as_of
    retitle(b, obligations(b)[0], "Edited after the plan")
    with b.reading() as session:
        assert planned_as_of(session.connection()) != merge.as_of
