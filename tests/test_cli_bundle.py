"""`accord-desk export-bundle` and `import-bundle`: conflicts listed, exit 1 and nothing written unless --prefer."""

import shutil
import sqlite3

import pytest

from db.bundle import BundleError, export_bundle
from db.store import Access
from tests.desks import desks_at, obligations, retitle
from tests.record_digest import content_digest
from tests.test_cli import run


def _title(path, obligation_id) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT title FROM obligation WHERE id = ?", (obligation_id,)).fetchone()[0]
    finally:
        connection.close()


def test_a_conflict_is_listed_exits_1_and_writes_nothing_until_a_preference_is_given(capsys, desk_templates, tmp_path):
    a, b = desks_at(desk_templates, tmp_path)
    obligation_id = obligations(a)[4]
    retitle(a, obligation_id, "A's title")
    retitle(b, obligation_id, "B's title")
    a.close()
    b.close()
    sent = tmp_path / "from-a.accord"
    code, out, err = run(capsys, "export-bundle", "--db", str(a.path), "-o", str(sent))
    assert (code, err) == (0, "") and out.startswith(f"Wrote {sent}: ")
    before = content_digest(b.path)
    for extra in ([], ["--dry-run"]):
        code, out, err = run(capsys, "import-bundle", str(sent), "--db", str(b.path), *extra)
        assert code == 1 and "Traceback" not in err
        assert err.startswith("accord-desk: 1 record was changed on both desks; nothing was written.")
        [listed] = [line for line in out.splitlines() if line.strip().startswith("Conflict:")]
        assert "changed on both desks (title)" in listed and "obligations: 24 unchanged, 1 conflict\n" in out
        assert content_digest(b.path) == before
    code, out, err = run(capsys, "import-bundle", str(sent), "--db", str(b.path), "--prefer", "mine")
    assert (code, err) == (0, "") and out.startswith("Received from-a.accord")
    assert _title(b.path, obligation_id) == "B's title"
    back = tmp_path / "from-b.accord"
    run(capsys, "export-bundle", "--db", str(b.path), "-o", str(back))
    code, out, err = run(capsys, "import-bundle", str(back), "--db", str(a.path))
    assert (code, err) == (0, "") and "obligations: 1 updated" in out  # B's choice is newer than both
    assert _title(a.path, obligation_id) == "B's title"


def test_a_refused_bundle_is_one_sentence_on_stderr(capsys, desk_templates, tmp_path):
    a, b = desks_at(desk_templates, tmp_path)
    a.close()
    b.close()
    bad = tmp_path / "bad.accord"
    bad.write_bytes(b"not a bundle at all")
    before = content_digest(b.path)
    code, out, err = run(capsys, "import-bundle", str(bad), "--db", str(b.path))
    assert (code, out) == (1, "") and "Traceback" not in err
    assert err == f"accord-desk: {bad} cannot be received: it is not a whole Accord Desk bundle (cut off, damaged or another kind of file); nothing was changed. Ask the sending desk for the bundle again.\n"
    assert content_digest(b.path) == before


def test_one_agreements_record_travels_whole_and_teaches_the_receiver_nothing_of_the_rest(capsys, desk_templates, tmp_path):
    from db.agreement_document import parse_document
    from db.agreement_load import import_document
    from tests.desks import digest

    a, b = desks_at(desk_templates, tmp_path)
    with a.writing("Add agreement") as session:  # a second agreement on A only, with an actor of its own
        second = import_document(session, parse_document({
            "format": "accord-desk/agreement", "version": 1,
            "agreement": {"title": "Ceasefire of 2026", "short_title": "Ceasefire"},
            "actors": [{"key": "m", "name": "Monitoring mission", "kind": "other"}],
            "parties": [{"actor": "m", "role": "observer"}],
            "obligations": [{"ref": "C1", "title": "Stop firing", "obligors": ["m"]}],
        }))
    a.close()
    b.close()
    sent = tmp_path / "ceasefire.accord"
    code, out, err = run(capsys, "export-bundle", "--db", str(a.path), "--agreement", "Ceasefire", "-o", str(sent))
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "import-bundle", str(sent), "--db", str(b.path))
    assert (code, err) == (0, "") and "agreements: 1 added" in out and "obligations: 1 added" in out
    connection = sqlite3.connect(b.path)
    assert connection.execute("SELECT title FROM agreement WHERE id = ?", (second,)).fetchone() == ("Ceasefire of 2026",)
    assert connection.execute("SELECT count(*) FROM actor WHERE name = 'Monitoring mission'").fetchone() == (1,)
    assert connection.execute("SELECT count(*) FROM desk_knowledge").fetchone() == (0,)  # a part teaches nothing
    connection.close()
    whole = tmp_path / "whole.accord"
    run(capsys, "export-bundle", "--db", str(a.path), "-o", str(whole))
    code, out, err = run(capsys, "import-bundle", str(whole), "--db", str(b.path))
    assert (code, err) == (0, "")
    back = tmp_path / "back.accord"  # each desk keeps the smaller dot's recording of the example: both ways
    run(capsys, "export-bundle", "--db", str(b.path), "-o", str(back))
    code, out, err = run(capsys, "import-bundle", str(back), "--db", str(a.path))
    assert (code, err) == (0, "")
    from db.store import Store

    stores = [Store.open(path) for path in (a.path, b.path)]
    try:
        assert digest(stores[0]) == digest(stores[1])
    finally:
        for store in stores:
            store.close()


def test_a_bundle_is_sent_beside_the_window_that_holds_the_database(capsys, desk_templates, tmp_path):
    from db.store import Store

    a, b = desks_at(desk_templates, tmp_path)
    b.close()
    try:  # A stays open for writing, as a window holds it
        sent = tmp_path / "beside.accord"
        code, out, err = run(capsys, "export-bundle", "--db", str(a.path), "-o", str(sent))
        assert (code, err) == (0, "") and out.startswith(f"Wrote {sent}")
    finally:
        a.close()
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(a.path, copy)
    reader = Store.open(copy, access=Access.READ)  # a copy never opened for writing has no id of its own
    try:
        with pytest.raises(BundleError, match="is a copy that has no desk id of its own yet"):
            export_bundle(reader, tmp_path / "copy.accord")
    finally:
        reader.close()
    assert not (tmp_path / "copy.accord").exists()
