"""The Proof of issue 16: random edits on two desks that start from the same example, then exchanges.

- edits that do not conflict, A→B then B→A: both desks hold identical content (db.content.content_digest,
  kept incrementally, every record row without the desk-local version column);
- receiving the same bundle twice changes nothing (the file's digest, tests/record_digest.py);
- no acknowledged edit is lost: every title, note, deletion and assessment either desk made is on both;
- edits of the same records on both desks: each conflicting record is reported once.
"""

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from db.bundle import export_bundle
from db.events import delete_event
from db.exchange import import_bundle
from db.models import Assessment, Event, Obligation
from tests.desks import assess, digest, events, note, obligations, retitle, send, two_desks
from tests.record_digest import store_digest

EDIT = st.tuples(
    st.sampled_from(["title", "note", "delete", "assess"]),
    st.integers(min_value=0, max_value=40),
    st.text(alphabet="abcdefghij klmnop—é", max_size=12).map(lambda text: f"T{text}"),  # a title is never blank
)
ROUND = st.tuples(st.lists(EDIT, max_size=6), st.lists(EDIT, max_size=6))
# Each example makes two desks and exchanges between them (seconds on a shared machine): few examples, and
# no shrinking, which took over five minutes for one failure; the failing example is printed as found.
SETTINGS = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)  # fmt: skip
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)  # of the random ids (tests/desks.py two_desks)


def _edit(store, side: int, edit, expected: dict) -> None:
    """An edit of this desk's half of the record (even or odd positions), so the desks never conflict."""
    kind, index, text = edit
    if kind in ("title", "assess"):
        mine = [o for i, o in enumerate(obligations(store)) if i % 2 == side]
        obligation_id = mine[index % len(mine)]
        if kind == "title":
            retitle(store, obligation_id, text)
            with store.reading() as session:  # what the desk acknowledged (the form trims a title)
                expected["titles"][obligation_id] = session.get(Obligation, obligation_id).title
        else:
            expected["assessments"].add(assess(store, obligation_id, text))
        return
    present = [e for i, e in enumerate(expected["events"]) if i % 2 == side and e not in expected["deleted"]]
    if not present:
        return
    event_id = present[index % len(present)]
    if kind == "note":
        note(store, event_id, text)
        with store.reading() as session:
            expected["notes"][event_id] = session.get(Event, event_id).notes
    else:
        with store.writing("Delete event") as session:
            delete_event(session, event_id)
        expected["deleted"].add(event_id)


def _holds(store, expected: dict) -> None:
    with store.reading() as session:
        for obligation_id, title in expected["titles"].items():
            assert session.get(Obligation, obligation_id).title == title
        for event_id, text in expected["notes"].items():
            if event_id not in expected["deleted"]:
                assert session.get(Event, event_id).notes == text
        held = set(session.exec(select(Event.id)).all())
        assert not held & expected["deleted"]
        assert expected["assessments"] <= set(session.exec(select(Assessment.id)).all())


# Found by this test on main: typed-in events have no external id, and the match by natural keys once
# matched them all by that missing key (db.natural_keys.match_natural_keys), renaming the other desk's events.
FOUND = [
    ([("assess", 24, "Ta"), ("assess", 7, "Tm"), ("delete", 23, "Te"), ("title", 5, "Tc"), ("title", 15, "Th"), ("title", 10, "Tk")], []),
    ([("delete", 39, "Tp"), ("title", 31, "T—k a"), ("note", 6, "Tj"), ("title", 34, "Tnk")],
     [("delete", 14, "Td"), ("assess", 32, "Ti"), ("note", 31, "Tdl"), ("delete", 19, "Ti"), ("delete", 20, "Tj"), ("delete", 24, "Tg")]),
]  # fmt: skip


@SETTINGS
@example(rounds=FOUND, seed=0)
@given(rounds=st.lists(ROUND, min_size=1, max_size=2), seed=SEEDS)
def test_edits_that_do_not_conflict_end_in_identical_content_on_both_desks(desk_templates, rounds, seed):
    with two_desks(desk_templates, seed) as (a, b, folder):
        expected = {"titles": {}, "notes": {}, "deleted": set(), "assessments": set(), "events": events(a)}
        for on_a, on_b in rounds:
            for edit in on_a:
                _edit(a, 0, edit, expected)
            for edit in on_b:
                _edit(b, 1, edit, expected)
            out, there = send(a, b, folder)
            assert there.conflicts == []
            _, back = send(b, a, folder)
            assert back.conflicts == []
            assert digest(a) == digest(b)
            before = store_digest(b)
            again = import_bundle(b, out)
            assert not again.written and store_digest(b) == before
        for store in (a, b):
            _holds(store, expected)


@SETTINGS
@given(
    picked=st.sets(st.integers(min_value=0, max_value=30), min_size=1, max_size=5),
    shared=st.booleans(),
    seed=SEEDS,
)
def test_each_record_changed_on_both_desks_is_reported_once(desk_templates, picked, shared, seed):
    with two_desks(desk_templates, seed) as (a, b, folder):
        if shared:  # the desks exchanged once before they both edited
            send(a, b, folder)
            send(b, a, folder)
        ids = obligations(a)
        chosen = {ids[i % len(ids)] for i in picked}
        for obligation_id in chosen:
            retitle(a, obligation_id, "as desk A sees it")
            retitle(b, obligation_id, "as desk B sees it")
        out = folder / "a.accord"
        export_bundle(a, out)
        report = import_bundle(b, out, dry_run=True)
        keys = [conflict.key for conflict in report.conflicts]
        assert sorted(keys) == sorted(("obligation", i) for i in chosen)
