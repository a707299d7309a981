"""Same thing, same id, on both desks: a record two desks hold under different ids (matched by what names it,
db/natural_keys.py) ends up under one id on both after they exchange, the smaller of the two."""

from pathlib import Path

from sqlmodel import select

from db import actors, event_import
from db.bundle import present_keys
from db.dots import row_dots
from db.ids import new_id, new_ids
from db.integrity import check_record
from db.models import Actor, Event, EventActor, ImportFile
from tests.desks import digest, send, two_desks

ACLED = Path(__file__).parent.parent / "data" / "acled_afghanistan.csv"


def _ids(store) -> dict[str, dict[str, str]]:
    """Each record's id by what names it: events by external id, actors by name, import files by SHA-256."""
    with store.reading() as session:
        return {
            "events": dict(session.exec(select(Event.external_id, Event.id).where(Event.external_id.is_not(None))).all()),
            "actors": dict(session.exec(select(Actor.name, Actor.id)).all()),
            "import files": dict(session.exec(select(ImportFile.sha256, ImportFile.id)).all()),
        }


def _links(store) -> set[tuple[str, str, str]]:
    with store.reading() as session:
        return set(session.exec(select(EventActor.event_id, EventActor.actor_id, EventActor.role)).all())


def _imported_as_before_ids_were_derived(store, monkeypatch) -> None:
    """The ACLED file imported as Accord Desk did before db.ids: random ids for events, the file and new actors."""
    with monkeypatch.context() as older:
        older.setattr(event_import, "event_ids", lambda keys: new_ids(len(keys)))
        older.setattr(event_import, "import_file_id", lambda _sha: new_id())
        older.setattr(actors, "actor_id", lambda _name: new_id())
        event_import.import_events(store, ACLED)


def _dots(store) -> dict:
    """Which change (desk, counter) each row holds, tombstones left out."""
    with store.reading() as session:
        connection = session.connection()
        return {key: dot[:2] for key, dot in row_dots(connection, present_keys(connection)).items() if not dot[2]}


def test_a_record_that_takes_the_other_desks_id_keeps_the_change_it_held(desk_templates, monkeypatch):
    """A new id is no new content: the desk that renamed the rows holds them with the change they held, as
    the other desk does. (As its own change, the other desk's next edit of a row, an import replacing an
    event's actor links, was reported as a conflict: tests/db/test_exchange_natural_keys.py RELINKED. And
    an import file's new id lost its events the import's change.) The seed: both desks rename some."""
    with two_desks(desk_templates, seed=0) as (a, b, folder):
        _imported_as_before_ids_were_derived(a, monkeypatch)
        _imported_as_before_ids_were_derived(b, monkeypatch)
        _, there = send(a, b, folder)
        _, back = send(b, a, folder)
        assert there.renamed and back.renamed
        assert _dots(a) == _dots(b)


def test_records_matched_by_what_names_them_end_under_the_smaller_id_on_both_desks(desks, tmp_path, monkeypatch):
    a, b = desks
    _imported_as_before_ids_were_derived(a, monkeypatch)
    _imported_as_before_ids_were_derived(b, monkeypatch)
    before_a, before_b = _ids(a), _ids(b)
    assert before_a["events"] != before_b["events"]
    _, there = send(a, b, tmp_path)
    assert there.conflicts == [] and there.counts["event"]["added"] == 0
    assert any("takes the id" in line for line in there.lines())
    _, back = send(b, a, tmp_path)
    assert back.conflicts == [] and back.counts["event"]["added"] == 0
    after = _ids(a)
    assert after == _ids(b) and _links(a) == _links(b)
    for kind, named in after.items():  # of the two ids each record had, the smaller
        for name, record_id in named.items():
            assert record_id == min(before_a[kind].get(name, record_id), before_b[kind].get(name, record_id)), (kind, name)
    assert digest(a) == digest(b)
    for store in (a, b):
        assert check_record(store).whole, check_record(store).lines()
    _, third = send(a, b, tmp_path)  # from now on they match by id: nothing to add or rename
    assert not any(c["added"] or c["updated"] or c["deleted"] for c in third.counts.values())
    assert not any("takes the id" in line for line in third.lines())
