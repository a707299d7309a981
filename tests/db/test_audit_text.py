"""How the trail writes a big entry (issue 15): an import's one entry names every event it added, so its ids are
kept as JSON text and its hash is computed a slice at a time; the entry and its hash are those the plain way
gives, so trails written before still verify."""

import hashlib
import json
from datetime import UTC, datetime

import pytest

from db import audit

IDS = [f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(12_345)]


def _after(ids) -> dict:
    return {"import_file_id": "f", "file_name": 'a "quoted" name.csv', "sha256": "0" * 64, "event_ids": ids,
            "columns": {"event": ["id", "notes"]}, "chunk": 5_000, "digest": "1" * 64}  # fmt: skip


@pytest.mark.parametrize("parts", [[IDS], [IDS[:5_000], [], IDS[5_000:]], [[]], [IDS[:1]]])
def test_an_id_list_is_written_as_the_list_it_holds(parts):
    ids = audit.IdList()
    for part in parts:
        ids.extend(part)
    whole = [event_id for part in parts for event_id in part]
    assert len(ids) == len(whole)
    assert audit.dump(_after(ids)) == audit.dump(_after(whole)) == json.dumps(_after(whole), ensure_ascii=False, sort_keys=True)


def test_the_hash_of_a_long_entry_is_that_of_its_whole_text(monkeypatch):
    monkeypatch.setattr(audit, "_SLICE", 1_000)  # many slices, one cut inside an escape-worthy stretch
    after = audit.dump(_after(IDS)) + ' "é\\\n\u2028طالبان'
    values = {"id": 7, "at": datetime(2026, 12, 1, 17, 0, tzinfo=UTC), "who": "officer", "action": "Import events x.csv",
              "operation": "insert", "table_name": "event", "row_id": "f", "before": None, "after": after}  # fmt: skip
    text = json.dumps(
        [7, values["at"].isoformat(), "officer", "Import events x.csv", "insert", "event", "f", None, after],
        ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip
    assert audit.entry_hash("a" * 64, values) == hashlib.sha256(f"{'a' * 64}{text}".encode()).hexdigest()


def test_an_id_list_is_handed_over_to_its_one_entry():
    """The entry's text takes the list's (a million ids are 40 MB): a second entry of the same list is refused."""
    ids, also = audit.IdList(), audit.IdList()
    ids.extend(IDS)
    also.extend(IDS[:3])
    assert json.loads(audit.dump({**_after(ids), "also": also})) == {**_after(IDS), "also": IDS[:3]}
    with pytest.raises(RuntimeError):
        audit.dump(_after(ids))
