"""A bundle's content is read as it is unzipped (db/bundle_stream.py): the same whatever its JSON layout and
wherever a chunk ends; a layout that is not a bundle's refused in a sentence; its trails kept on disk."""

import hashlib
import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from db import bundle_stream
from db.bundle import BundleError, export_bundle, read_bundle
from db.bundle_stream import ENTRY_COLUMNS
from db.events import delete_event
from db.obligations import obligation_fields, update_obligation
from tests.desks import events, obligations


def _content(path: Path) -> tuple[dict, dict]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json")), json.loads(archive.read("content.json"))


def _written(path: Path, manifest: dict, text: str) -> Path:
    """A bundle of `manifest` and the content `text`, its hash made to match (as its sender would)."""
    raw = text.encode()
    manifest = {**manifest, "content_sha256": hashlib.sha256(raw).hexdigest()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("content.json", raw)
    return path


def _as_read(path: Path) -> dict:
    with read_bundle(path) as bundle:
        return {
            "rows": bundle.rows, "dots": bundle.dots, "tombstones": bundle.tombstones,
            "entries": {chain: list(bundle.trail.entries(chain)) for chain in bundle.trail.chains()},
        }  # fmt: skip


def _expected(content: dict) -> dict:
    return {
        "rows": {t: {r: v for r, _, _, v in listed} for t, listed in content["rows"].items()},
        "dots": {(t, r): (d, c) for t, listed in content["rows"].items() for r, d, c, _ in listed},
        "tombstones": {(t, r): (d, c) for t, r, d, c in content["tombstones"]},
        "entries": {chain: [dict(zip(ENTRY_COLUMNS, e, strict=True)) for e in listed] for chain, listed in content["entries"].items()},
    }  # fmt: skip


@pytest.fixture
def sent(example_store, tmp_path) -> Path:
    with example_store.writing("Edit") as session:  # text beyond ASCII, and a tombstone
        fields = obligation_fields(session, obligations(example_store)[1])
        fields.title = "Retitled « so » — on one desk"
        update_obligation(session, obligations(example_store)[1], fields)
        delete_event(session, events(example_store)[0])
    out = tmp_path / "sent.accord"
    export_bundle(example_store, out)
    return out


@pytest.mark.parametrize("chunk", [7, 1000, bundle_stream.CHUNK])
def test_a_bundle_reads_the_same_wherever_a_chunk_ends(sent, monkeypatch, chunk):
    expected = _expected(_content(sent)[1])
    monkeypatch.setattr(bundle_stream, "CHUNK", chunk)
    assert _as_read(sent) == expected


def test_every_token_cut_by_a_chunk_end_reads_whole(monkeypatch):
    """Escapes, numbers, literals and characters of two bytes, each cut at every place."""
    text = '{"rows": {"a": [["x", -1.5e3, 12345, {"k": "caf\\u00e9 é", "n": null, "t": true, "f": false}]]}, "tombstones": [], "entries": {}}'
    expected = [("table", "a", []), ("row", "a", ["x", -1500.0, 12345, {"k": "café é", "n": None, "t": True, "f": False}])]
    for chunk in range(1, len(text.encode()) + 1):
        monkeypatch.setattr(bundle_stream, "CHUNK", chunk)
        assert list(bundle_stream.content_parts(io.BytesIO(text.encode()), hashlib.sha256())) == expected, chunk


@pytest.mark.parametrize("layout", [{"indent": 1}, {"separators": (",", ":")}, {"indent": "\t", "ensure_ascii": False}])
def test_a_bundle_reads_the_same_however_its_json_is_laid_out(sent, tmp_path, layout):
    manifest, content = _content(sent)
    again = _written(tmp_path / "again.accord", manifest, json.dumps(content, **layout))
    assert _as_read(again) == _expected(content)


LAYOUTS = {
    "a part missing": '{"rows": {}, "tombstones": []}',
    "a part twice": '{"rows": {}, "tombstones": [], "entries": {}, "tombstones": []}',
    "a part it does not know": '{"rows": {}, "tombstones": [], "entries": {}, "notes": []}',
    "more after it": '{"rows": {}, "tombstones": [], "entries": {}} []',
    "a number for a row": '{"rows": {"agreement": [3]}, "tombstones": [], "entries": {}}',
    "an entry of three values": '{"rows": {}, "tombstones": [], "entries": {"d": [[1, 2, 3]]}}',
    "not JSON": '{"rows": {"agreement": [[}, "tombstones": [], "entries": {}}',
    "a list, not an object": "[]",
}


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_content_not_laid_out_as_a_bundle_is_refused_in_a_sentence(sent, tmp_path, text):
    bad = _written(tmp_path / "bad.accord", _content(sent)[0], text)
    with pytest.raises(BundleError, match="its content is not laid out as this version of Accord Desk writes bundles"):
        read_bundle(bad)


def test_reading_a_bundle_holds_its_rows_not_its_trail(example_store, tmp_path):
    """Each entry holds a row twice (before, after): a trail grown by a thousand edits of one obligation
    takes hardly more memory to read (parsed whole, it took 4.5 times as much: 5.6 against 1.2 MB)."""
    obligation_id = obligations(example_store)[0]
    peaks = {}
    for edits in (1, 1000):
        with example_store.writing("Edit obligation") as session:
            for n in range(edits):
                fields = obligation_fields(session, obligation_id)
                fields.title = f"Retitled {n} times"
                update_obligation(session, obligation_id, fields)
                session.flush()
        out = tmp_path / f"after-{edits}.accord"
        export_bundle(example_store, out)
        tracemalloc.start()
        try:
            with read_bundle(out) as bundle:
                _, peaks[edits] = tracemalloc.get_traced_memory()
                assert bundle.trail.count(bundle.desk_id) > edits
        finally:
            tracemalloc.stop()
    assert peaks[1000] < 1.5 * peaks[1], peaks
