"""Exchange between desks: a bundle carries the record, is checked whole, and merges by id (db/exchange.py)."""

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlmodel import SQLModel, select

from db import bundle as bundles
from db import desk
from db.backup import Reason, restore, take
from db.bundle import BundleError, export_bundle, read_bundle
from db.dialects import is_sqlite
from db.events import delete_event
from db.exchange import import_bundle
from db.ids import new_id
from db.integrity import check_record
from db.merge_report import KINDS, Choice
from db.models import Assessment, Event, Obligation
from db.obligations import delete_obligation
from db.search import is_index_table
from db.store import Store
from tests.desks import assess, digest, events, obligations, retitle, send
from tests.outside import write_outside
from tests.record_digest import content_digest, table_names

# --- the bundle carries every table ------------------------------------------------------------------------


def test_the_bundle_carries_every_table_of_the_record(empty_store):
    """A table added to the record fails here until the bundle carries it or says why not."""
    with empty_store.reading() as session:
        names = set(table_names(session.connection().connection.driver_connection))
    names = {n for n in names if not is_index_table(n)} | set(SQLModel.metadata.tables)
    accounted = set(bundles.RECORD_TABLES) | set(bundles.CARRIED_OTHERWISE) | set(bundles.NOT_CARRIED)
    assert names - accounted == set()
    assert set(bundles.RECORD_TABLES) == set(SQLModel.metadata.tables) - {"auditentry"}
    assert set(KINDS) == set(bundles.RECORD_TABLES)  # each kind is named in the report
    with empty_store.reading() as session:  # and one agreement's part knows where each table's rows belong
        bundles.agreement_scope(bundles.record_rows(session.connection()), "no agreement")


def test_a_bundle_holds_every_row_of_every_record_table(example_store, tmp_path):
    out = tmp_path / "all.accord"
    sent = export_bundle(example_store, out)
    received = read_bundle(out)
    with example_store.reading() as session:
        connection = session.connection()
        for table in bundles.RECORD_TABLES:
            count = connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar()
            assert len(received.rows[table]) == count == sent.counts[table], table
        entries = connection.exec_driver_sql("SELECT count(*) FROM auditentry").scalar()
    assert received.trail.count(received.desk_id) == entries
    assert received.manifest["who"] == "tester" and received.manifest["version"] == bundles.VERSION


# --- refused whole, nothing changed ------------------------------------------------------------------------


def _altered(path: Path, tmp_path: Path, how: str) -> Path:
    data = bytearray(path.read_bytes())
    bad = tmp_path / f"{how}.accord"
    if how == "one byte":
        data[len(data) // 3] ^= 0x01
    elif how == "truncated":
        data = data[: len(data) - 200]
    bad.write_bytes(bytes(data))
    return bad


def _rewritten(path: Path, tmp_path: Path, name: str, change) -> Path:
    with zipfile.ZipFile(path) as archive:
        manifest, content = archive.read("manifest.json"), archive.read("content.json")
    import hashlib
    import json

    manifest, content = json.loads(manifest), json.loads(content)
    change(manifest, content)
    raw = json.dumps(content).encode()
    manifest["content_sha256"] = hashlib.sha256(raw).hexdigest()
    out = tmp_path / f"{name}.accord"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("content.json", raw)
    return out


def _newer(manifest, _content):
    manifest["version"] = bundles.VERSION + 1


def _dangling(_manifest, content):
    row = content["rows"]["assessment"][0]
    row[3]["obligation_id"] = "00000000-0000-4000-8000-000000000000"


def _forged_entry(_manifest, content):
    chain = next(iter(content["entries"].values()))
    chain[3][2] = "someone else"  # who


@pytest.mark.parametrize(
    "case, message",
    [
        ("one byte", "cannot be received: it is not a whole Accord Desk bundle"),
        ("truncated", "cannot be received: it is not a whole Accord Desk bundle"),
        ("newer", "was written by a newer version of Accord Desk (bundle format 2"),
        ("dangling", "which neither the bundle nor this record holds"),
        ("forged entry", "audit trail in it does not verify (entry 4 does not follow the chain)"),
        ("own", "was sent by this desk itself"),
        ("not a bundle", "cannot be received: it is not a whole Accord Desk bundle"),
    ],
)
def test_a_damaged_or_impossible_bundle_is_refused_in_a_sentence_and_changes_nothing(
    desks, desk_templates, tmp_path, case, message
):
    a, b = desks
    sent = tmp_path / "a.accord"
    export_bundle(a, sent)
    path = {
        "one byte": lambda: _altered(sent, tmp_path, "one byte"),
        "truncated": lambda: _altered(sent, tmp_path, "truncated"),
        "newer": lambda: _rewritten(sent, tmp_path, "newer", _newer),
        "dangling": lambda: _rewritten(sent, tmp_path, "dangling", _dangling),
        "forged entry": lambda: _rewritten(sent, tmp_path, "forged", _forged_entry),
        "not a bundle": lambda: Path(shutil.copyfile(desk_templates[0], tmp_path / "x.accord")),  # a database file
        "own": lambda: sent,
    }[case]()
    target = a if case == "own" else b
    before = _file_digest(target)
    with pytest.raises(BundleError) as refused:
        import_bundle(target, path)
    assert message in str(refused.value)
    assert str(refused.value).count(". ") <= 2 and "\n" not in str(refused.value)
    assert _file_digest(target) == before


def _file_digest(store: Store) -> str:
    from tests.record_digest import store_digest

    return store_digest(store)


def test_a_bundle_since_an_earlier_one_the_receiver_never_had_is_refused(desks, tmp_path):
    a, b = desks
    first = tmp_path / "first.accord"
    export_bundle(a, first)
    retitle(a, obligations(a)[0], "Changed after the first bundle")
    later = tmp_path / "later.accord"
    export_bundle(a, later, since=first)
    before = _file_digest(b)
    with pytest.raises(BundleError, match="holds only what changed after an earlier bundle this desk has not received"):
        import_bundle(b, later)
    assert _file_digest(b) == before
    import_bundle(b, first)
    report = import_bundle(b, later)
    assert report.counts["obligation"]["updated"] == 1
    assert len(read_bundle(later).rows["obligation"]) == 1  # only what changed since


# --- merging -----------------------------------------------------------------------------------------------


def test_two_desks_that_loaded_the_example_hold_the_same_content_after_an_exchange(desks, tmp_path):
    a, b = desks
    assert digest(a) != digest(b)  # recorded by different officers at different times
    _, report = send(a, b, tmp_path)
    assert report.conflicts == [] and not any(c["added"] or c["updated"] for c in report.counts.values())
    send(b, a, tmp_path)
    assert digest(a) == digest(b)


def test_a_change_on_one_desk_is_taken_and_a_deletion_travels(desks, tmp_path):
    a, b = desks
    obligation_id, event_id = obligations(a)[3], events(a)[5]
    retitle(a, obligation_id, "Retitled on desk A")
    with a.writing("Delete event") as session:
        delete_event(session, event_id)
    _, report = send(a, b, tmp_path)
    assert report.counts["obligation"]["updated"] == 1 and report.counts["event"]["deleted"] == 1
    with b.reading() as session:
        assert session.get(Obligation, obligation_id).title == "Retitled on desk A"
        assert session.get(Event, event_id) is None
    _, back = send(b, a, tmp_path)
    assert back.conflicts == [] and not any(c["updated"] or c["deleted"] for c in back.counts.values())
    assert digest(a) == digest(b)
    for store in (a, b):
        assert check_record(store).whole, check_record(store).lines()


def test_events_without_an_external_id_are_never_matched_to_one_another(desks, tmp_path):
    """The event read last from the record, with no external id, deleted on the other desk: the bundle's
    other events (no external id either) stay themselves instead of being renamed to it."""
    a, b = desks
    send(a, b, tmp_path)
    with a.reading() as session:
        connection = session.connection()
        order = "rowid" if is_sqlite(connection) else "ctid"  # the order rows are stored, and read unordered
        last = connection.exec_driver_sql(
            f"SELECT id FROM event WHERE external_id IS NULL ORDER BY {order} DESC LIMIT 1"
        ).scalar_one()
    with b.writing("Delete event") as session:
        delete_event(session, last)
    _, report = send(b, a, tmp_path)
    assert report.conflicts == [] and report.counts["event"]["deleted"] == 1
    assert report.counts["eventactor"]["added"] == 0 and report.counts["eventobligation"]["added"] == 0
    assert events(a) == events(b) and last not in events(a)
    assert digest(a) == digest(b)


def test_an_edit_relayed_through_a_third_desk_is_concurrent_when_it_was_and_newer_when_it_was_not(
    desks, tmp_path, copy_of
):
    a, b = desks
    c = copy_of(a, "carla")  # a copy: a desk of its own, with A's history
    try:
        send(a, b, tmp_path)
        send(b, a, tmp_path)
        send(a, c, tmp_path)
        obligation_id = obligations(a)[6]
        retitle(a, obligation_id, "A's edit")
        send(a, c, tmp_path)  # C now holds A's edit and relays it
        retitle(b, obligation_id, "B's edit, made without seeing A's")
        from_c, relayed = send(c, b, tmp_path, dry_run=True)
        assert [conflict.key for conflict in relayed.conflicts] == [("obligation", obligation_id)]
        import_bundle(b, from_c, prefer=Choice.THEIRS)
        retitle(b, obligation_id, "B's edit, made after seeing A's")
        _, back = send(b, a, tmp_path)
        assert back.conflicts == [] and back.counts["obligation"]["updated"] == 1
        with a.reading() as session:
            assert session.get(Obligation, obligation_id).title == "B's edit, made after seeing A's"
    finally:
        c.close()


def test_both_desks_assessments_are_kept(desks, tmp_path):
    a, b = desks
    obligation_id = obligations(a)[2]
    mine, theirs = assess(a, obligation_id, "Seen from A"), assess(b, obligation_id, "Seen from B")
    send(a, b, tmp_path)
    send(b, a, tmp_path)
    for store in (a, b):
        with store.reading() as session:
            kept = {r.id for r in session.exec(select(Assessment).where(Assessment.obligation_id == obligation_id))}
        assert {mine, theirs} <= kept


def _retitled_on_both(a, b, folder: Path) -> tuple[str, Path]:
    """One obligation retitled on each desk, and A's bundle."""
    obligation_id = obligations(a)[4]
    retitle(a, obligation_id, "A's title")
    retitle(b, obligation_id, "B's title")
    out = folder / "a.accord"
    export_bundle(a, out)
    return obligation_id, out


def test_a_record_changed_on_both_desks_is_a_conflict_and_nothing_is_written_without_a_choice(desks, tmp_path):
    a, b = desks
    obligation_id, out = _retitled_on_both(a, b, tmp_path)
    before = _file_digest(b)
    report = import_bundle(b, out, dry_run=True)
    [conflict] = report.conflicts
    assert conflict.key == ("obligation", obligation_id) and conflict.columns == ("title",)
    assert (conflict.mine["title"], conflict.theirs["title"]) == ("B's title", "A's title")
    assert conflict.text_only and not report.written
    assert import_bundle(b, out).written is False
    assert _file_digest(b) == before
    taken = import_bundle(b, out, prefer=Choice.THEIRS)
    assert taken.written
    with b.reading() as session:
        assert session.get(Obligation, obligation_id).title == "A's title"
    _, back = send(b, a, tmp_path)  # B's choice is newer than both: A takes it without a conflict
    assert back.conflicts == []
    assert digest(a) == digest(b)


def test_both_kept_puts_the_other_desks_text_after_this_ones(desks, tmp_path):
    a, b = desks
    obligation_id, out = _retitled_on_both(a, b, tmp_path)
    import_bundle(b, out, choices={("obligation", obligation_id): Choice.BOTH})
    with b.reading() as session:
        assert session.get(Obligation, obligation_id).title == "B's title\n\n— from the other desk (amina) —\nA's title"


def test_records_held_under_other_ids_before_ids_were_derived_are_matched_by_what_names_them(desks, tmp_path, monkeypatch):
    """Desk B imported the ACLED file as Accord Desk did before (random ids for events, the import file
    and new actors): A's bundle matches them by external id, SHA-256 and name instead of adding them twice."""
    from db import actors, event_import
    from db.ids import new_ids

    a, b = desks
    acled = Path(__file__).parent.parent / "data" / "acled_afghanistan.csv"
    event_import.import_events(a, acled)
    with monkeypatch.context() as older:
        older.setattr(event_import, "event_ids", lambda keys: new_ids(len(keys)))
        older.setattr(event_import, "import_file_id", lambda _sha: new_id())
        older.setattr(actors, "actor_id", lambda _name: new_id())
        event_import.import_events(b, acled)
    assert set(events(a)) != set(events(b))
    out, report = send(a, b, tmp_path)
    assert report.conflicts == [] and report.counts["event"]["added"] == 0
    with b.reading() as session:
        assert len(session.exec(select(Event.id)).all()) == len(events(a))
    _, back = send(b, a, tmp_path)
    assert back.conflicts == [] and back.counts["event"]["added"] == 0
    assert check_record(b).whole and check_record(a).whole


def _deleted_and_assessed(a, b, deleting, folder: Path, why: str) -> tuple[str, str, Path]:
    """One obligation deleted on `deleting` and assessed on the other desk, A's bundle, and its one conflict."""
    obligation_id = obligations(a)[5]
    with deleting.writing("Delete obligation") as session:
        delete_obligation(session, obligation_id)
    assessment_id = assess(b if deleting is a else a, obligation_id, "Assessed while the other desk deleted the clause")
    out = folder / "a.accord"
    export_bundle(a, out)
    report = import_bundle(b, out, dry_run=True)
    assert [(c.key, c.why) for c in report.conflicts] == [(("obligation", obligation_id), why)]
    return obligation_id, assessment_id, out


def test_a_deletion_of_what_this_desk_still_uses_is_a_conflict_and_never_cascades(desks, tmp_path):
    a, b = desks
    obligation_id, kept, out = _deleted_and_assessed(a, b, a, tmp_path, "deleted on the other desk, still used on this one")
    before = _file_digest(b)
    with pytest.raises(BundleError, match="cannot be deleted as the other desk did: this desk's records still use it"):
        import_bundle(b, out, prefer=Choice.THEIRS)
    assert _file_digest(b) == before
    import_bundle(b, out, prefer=Choice.MINE)
    with b.reading() as session:
        assert session.get(Obligation, obligation_id) is not None and session.get(Assessment, kept) is not None
    assert check_record(b).whole


def test_what_this_desk_deleted_and_the_other_still_uses_is_a_conflict_and_kept_deleted_leaves_its_rows_out(desks, tmp_path):
    a, b = desks
    obligation_id, added, out = _deleted_and_assessed(a, b, b, tmp_path, "deleted on this desk, still used on the other")
    kept_out = import_bundle(b, out, prefer=Choice.MINE)
    assert kept_out.not_taken == [f"A row of assessments ({added}): it names a record that stays deleted here"]
    with b.reading() as session:
        assert session.get(Obligation, obligation_id) is None and session.get(Assessment, added) is None
    assert check_record(b).whole


def test_the_other_desks_trail_is_kept_verifiable_and_the_merge_is_one_entry_naming_the_bundle(desks, tmp_path):
    a, b = desks
    retitle(a, obligations(a)[1], "Retitled on A")
    out, report = send(a, b, tmp_path)
    with b.reading() as session:
        connection = session.connection()
        assert bundles.verify_received(connection) == {read_bundle(out).desk_id: None}
        merges = connection.exec_driver_sql(
            "SELECT row_id, action FROM auditentry WHERE operation = 'merge'"
        ).all()
    assert merges == [(report.sha256, f"Receive bundle {report.sha256[:12]}")]
    assert check_record(b).whole


def test_check_finds_a_received_trail_altered_after_it_arrived(desks, tmp_path):
    a, b = desks
    send(a, b, tmp_path)
    lift = "DROP TRIGGER received_entry_no_update; " if b.server is None else ""  # a server's: replica role
    reopened = write_outside(b, f"{lift}UPDATE received_entry SET who = 'someone else' WHERE id = 5")
    try:
        report = check_record(reopened)
    finally:
        reopened.close()
    assert any("does not verify (entry 5 does not follow the chain): it was altered here" in p for p in report.problems)


def test_receiving_the_same_bundle_twice_changes_nothing(desks, tmp_path):
    a, b = desks
    retitle(a, obligations(a)[1], "Retitled on A")
    out, _ = send(a, b, tmp_path)
    before = _file_digest(b)
    again = import_bundle(b, out)
    assert again.conflicts == [] and not again.written
    assert _file_digest(b) == before


# --- the desk's id -----------------------------------------------------------------------------------------


def _desk_id(store: Store) -> str:
    with store.reading() as session:
        return desk.desk_id(session.connection())


@pytest.mark.sqlite_file("a copy of the database file")
def test_a_copied_file_takes_a_new_desk_id_and_the_file_itself_keeps_its_own(example_store, tmp_path):
    original = _desk_id(example_store)
    example_store.close()
    again = Store.open(example_store.path)
    assert _desk_id(again) == original
    again.close()
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(example_store.path, copy)
    copied = Store.open(copy)
    try:
        assert _desk_id(copied) != original
        with copied.reading() as session:
            assert [d for d, _ in desk.identities(session.connection())][-2] == original
    finally:
        copied.close()


@pytest.mark.sqlite_file("a copy of the database file")
def test_a_copy_receives_what_its_original_changed_since_the_copy(example_store, tmp_path):
    """The copy holds the original's trail up to the copy as its own; the original's later entries chain on."""
    example_store.close()
    shutil.copyfile(example_store.path, tmp_path / "copy.sqlite")
    copy = Store.open(tmp_path / "copy.sqlite", user="bruno")
    original = Store.open(example_store.path, user="amina")
    try:
        export_bundle(copy, tmp_path / "copy.accord")
        retitle(original, obligations(original)[3], "Changed after the copy")
        export_bundle(original, tmp_path / "since.accord", since=tmp_path / "copy.accord")
        report = import_bundle(copy, tmp_path / "since.accord")
        assert report.written and report.counts["obligation"]["updated"] == 1
        assert digest(copy) == digest(original)
        assert check_record(copy).whole, check_record(copy).lines()
    finally:
        copy.close()
        original.close()


@pytest.mark.sqlite_file("backups of a file (a server's are pg_dump's)")
def test_a_restore_from_a_backup_takes_a_new_desk_id(example_store):
    made = take(example_store, Reason.MANUAL)
    before = _desk_id(example_store)
    restore(example_store, made.path)
    assert _desk_id(example_store) != before


@pytest.mark.sqlite_file("the digest of a file, as tests/record_digest.py reads it")
def test_content_digest_helper_sees_a_refused_bundle_left_the_file_as_it_was(desks, tmp_path):
    """The file digest of tests/record_digest.py, as the CLI's refusals are checked."""
    a, b = desks
    b.close()
    before = content_digest(b.path)
    bad = tmp_path / "bad.accord"
    bad.write_bytes(b"PK\x03\x04 not really")
    reopened = Store.open(b.path)
    try:
        with pytest.raises(BundleError):
            import_bundle(reopened, bad)
    finally:
        reopened.close()
    assert content_digest(b.path) == before


def test_the_officers_words_travel_and_both_desks_versions_are_kept(desks, tmp_path):
    from db.officer_words import save_words, words_history
    from db.tree import list_agreements

    a, b = desks
    with a.reading() as session:
        agreement_id = list_agreements(session)[0].id
    for store, text in ((a, "Seen from A."), (b, "Seen from B.")):
        with store.writing("Save the officer's assessment in words") as session:
            save_words(session, agreement_id, text, store.user, new_id())
    send(a, b, tmp_path)
    send(b, a, tmp_path)
    for store in (a, b):
        with store.reading() as session:
            assert {v.text for v in words_history(session, agreement_id)} == {"Seen from A.", "Seen from B."}
        assert check_record(store).problems == []


def test_a_trail_that_differs_from_the_one_received_before_or_starts_past_it_is_refused(desks, tmp_path):
    a, b = desks
    send(a, b, tmp_path)
    retitle(a, obligations(a)[2], "Changed after the first bundle")
    retitle(a, obligations(a)[3], "Changed again")
    later = tmp_path / "later.accord"
    export_bundle(a, later)

    def rewrite_one_received(_manifest, content):
        chain = content["entries"][read_bundle(later).desk_id]
        chain[1][-1] = "0" * 64  # an entry B holds already, with another hash

    def drop_the_start(_manifest, content):
        chain = content["entries"][read_bundle(later).desk_id]
        del chain[:-1]  # only the newest entry: the one before it B never received

    before = _file_digest(b)
    with pytest.raises(BundleError, match="audit trail in it differs from the one received before"):
        import_bundle(b, _rewritten(later, tmp_path, "rewritten", rewrite_one_received))
    assert _file_digest(b) == before
    with pytest.raises(BundleError, match=r"does not verify \(entry \d+ was never received\)"):
        import_bundle(b, _rewritten(later, tmp_path, "cut", drop_the_start))
    assert _file_digest(b) == before
