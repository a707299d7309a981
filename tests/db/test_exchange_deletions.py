"""Deletions travel between desks: links an import's update removed, and a record deleted here that the
officer brings back by taking the other desk's version (db/exchange.py)."""

from pathlib import Path

from sqlmodel import select

from db import event_import
from db.bundle import export_bundle
from db.events import delete_event
from db.exchange import import_bundle
from db.ids import event_ids
from db.integrity import check_record
from db.merge_report import Choice
from db.models import Event, EventActor, EventObligation
from tests.desks import digest, events, send

ACLED = Path(__file__).parent.parent / "data" / "acled_afghanistan.csv"


def _links(store, event_id: str) -> set[tuple[str, str]]:
    with store.reading() as session:
        return set(session.exec(select(EventActor.actor_id, EventActor.role).where(EventActor.event_id == event_id)).all())


def _without_second_actor(folder: Path) -> Path:
    """The ACLED file again, AFG40001's actor2 (and its inter code) left blank, as a later edition of the file."""
    lines = ACLED.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    first = lines[1].split(",")
    assert first[0] == "AFG40001"
    for column in ("actor2", "inter2", "interaction"):
        first[header.index(column)] = ""
    revised = folder / "acled_revised.csv"
    revised.write_text("".join([lines[0], ",".join(first), *lines[2:]]), encoding="utf-8")
    return revised


def test_links_an_imports_update_removed_travel_as_deletions_both_ways(desks, tmp_path):
    a, b = desks
    event_import.import_events(a, ACLED)
    send(a, b, tmp_path)
    [event_id] = event_ids(["AFG40001"])
    linked = _links(a, event_id)
    assert len(linked) == 2 and _links(b, event_id) == linked
    report = event_import.import_events(a, _without_second_actor(tmp_path))
    assert report.updated == ["AFG40001"]
    left = _links(a, event_id)
    assert len(left) == 1 and left < linked
    _, there = send(a, b, tmp_path)
    assert there.conflicts == [] and there.counts["eventactor"]["deleted"] == 1
    assert _links(b, event_id) == left
    _, back = send(b, a, tmp_path)
    assert back.conflicts == [] and back.counts["eventactor"]["added"] == 0
    assert _links(a, event_id) == left
    assert digest(a) == digest(b)
    for store in (a, b):
        assert check_record(store).whole, check_record(store).lines()


def _event_links(store, event_id: str) -> tuple[set, set]:
    with store.reading() as session:
        actors = set(session.exec(select(EventActor.actor_id, EventActor.role).where(EventActor.event_id == event_id)).all())
        obligations = set(
            session.exec(select(EventObligation.obligation_id, EventObligation.bearing).where(EventObligation.event_id == event_id)).all()
        )
    return actors, obligations


def test_taking_the_other_desks_version_brings_back_a_record_deleted_here_whole(desks, tmp_path):
    from tests.desks import note

    a, b = desks
    send(a, b, tmp_path)
    send(b, a, tmp_path)  # the desks hold the same rows, with the same changes
    with a.reading() as session:  # an event with actors and a link to an obligation
        event_id = session.connection().exec_driver_sql(
            "SELECT event_id FROM eventobligation WHERE event_id IN (SELECT event_id FROM eventactor) LIMIT 1"
        ).scalar_one()
    held = _event_links(a, event_id)
    assert all(held)
    with b.writing("Delete event") as session:
        delete_event(session, event_id)
    note(a, event_id, "Confirmed by a second source on desk A")
    out = tmp_path / "a.accord"
    export_bundle(a, out)
    dry = import_bundle(b, out, dry_run=True)
    assert [(c.key, c.why) for c in dry.conflicts] == [(("event", event_id), "deleted on this desk, changed on the other")]
    import_bundle(b, out, choices={("event", event_id): Choice.THEIRS})
    with b.reading() as session:
        assert session.get(Event, event_id).notes == "Confirmed by a second source on desk A"
    assert _event_links(b, event_id) == held
    assert check_record(b).whole, check_record(b).lines()
    _, back = send(b, a, tmp_path)
    assert back.conflicts == []
    assert event_id in events(a) and _event_links(a, event_id) == held
    assert digest(a) == digest(b)
