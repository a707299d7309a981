"""Merging two actors: which rows move, which collapse, what is refused, and the undo that puts every row back."""

import re
from datetime import date

import pytest
from sqlmodel import select

from db.actor_merge import merge_actors, unmerge_actors
from db.actor_roster import add_alias, choose_actor, list_actors, remove_alias, rename_actor
from db.errors import RecordError
from db.models import (
    Actor,
    ActorAlias,
    Agreement,
    AuditEntry,
    Event,
    EventActor,
    Metric,
    Obligation,
    ObligationObligor,
    Observation,
    Party,
    PartyMember,
)
from db.parties import party_groups
from db.vocabulary import PartyRole
from tests.record_digest import search_digest, store_digest


def _id(store, name: str) -> str:
    with store.reading() as session:
        return choose_actor(session, name)


def _merge(store, keep: str, other: str, alias_id: str | None = None):
    with store.writing(f"Merge {other} into {keep}") as session:
        return merge_actors(session, _id(store, keep), _id(store, other), alias_id)


def _rows(store, model, **where) -> list[tuple]:
    """The rows of `model` matching `where`, as (the values that matter) tuples, sorted."""
    with store.reading() as session:
        query = select(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return sorted(session.exec(query).all(), key=repr)


def test_merging_ghani_into_the_government_moves_his_names_and_collapses_shared_events(example_store):
    government, ghani = _id(example_store, "Afghan government"), _id(example_store, "Ashraf Ghani")
    with example_store.reading() as session:
        both = set(session.exec(select(EventActor.event_id).where(EventActor.actor_id == ghani)))
        government_events = set(
            session.exec(select(EventActor.event_id).where(EventActor.actor_id == government))
        )
    merged = _merge(example_store, "Afghan government", "Ashraf Ghani")

    with example_store.reading() as session:
        assert session.get(Actor, ghani) is None
        aliases = {a.alias for a in session.exec(select(ActorAlias).where(ActorAlias.actor_id == government))}
        assert {"Ashraf Ghani", "Mohammad Ashraf Ghani", "President Ghani"} <= aliases
        assert choose_actor(session, "president ghani") == government
        linked = set(session.exec(select(EventActor.event_id).where(EventActor.actor_id == government)))
        assert linked == government_events | both
        assert session.exec(select(EventActor).where(EventActor.actor_id == ghani)).first() is None
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == "Merge Ashraf Ghani into Afghan government")
        )
        audited = {(e.operation, e.table_name) for e in entries}
    assert merged.changes.events == both and merged.changes.actors
    assert {
        ("delete", "actor"),
        ("delete", "eventactor"),
        ("update", "actoralias"),
        ("insert", "actoralias"),
    } <= audited


# (what the other actor holds, what the kept one holds on the same row, what the kept one holds after)
LINK_CASES = [
    ("event: other only", EventActor, {"role": "actor2"}, None, [{"role": "actor2"}]),
    ("event: both, one role", EventActor, {"role": "actor1"}, {"role": "actor1"}, [{"role": "actor1"}]),
    (
        "event: both, kept's role stays",
        EventActor,
        {"role": "assoc1"},
        {"role": "actor1"},
        [{"role": "actor1"}],
    ),
    ("obligor: other only", ObligationObligor, {"position": 3}, None, [{"position": 3}]),
    ("obligor: both", ObligationObligor, {"position": 1}, {"position": 0}, [{"position": 0}]),
]


def _built(store) -> tuple[str, str, str, str]:
    """Two fresh actors Keep and Other, an event and an obligation of the example: their ids."""
    with store.writing("Build the case") as session:
        keep, other = Actor(name="Keep"), Actor(name="Other")
        session.add_all([keep, other])
        event = session.exec(select(Event)).first()
        obligation = session.exec(select(Obligation).where(Obligation.parent_id.is_not(None))).first()
        return keep.id, other.id, event.id, obligation.id


@pytest.mark.parametrize(
    ("model", "others", "kepts", "after"), [c[1:] for c in LINK_CASES], ids=[c[0] for c in LINK_CASES]
)
def test_link_rows_move_or_collapse(example_store, model, others, kepts, after):
    keep, other, event_id, obligation_id = _built(example_store)
    record = {"event_id": event_id} if model is EventActor else {"obligation_id": obligation_id}
    with example_store.writing("Link them") as session:
        session.add(model(**record, actor_id=other, **others))
        if kepts is not None:
            session.add(model(**record, actor_id=keep, **kepts))
    with example_store.writing("Merge") as session:
        merge_actors(session, keep, other)
    rows = _rows(example_store, model, **record)
    assert not [r for r in rows if r.actor_id == other]
    mine = [r for r in rows if r.actor_id == keep]
    assert [
        {key: getattr(r, key) for key in expected} for r, expected in zip(mine, after, strict=True)
    ] == after


# (the other's party role, the kept one's role in the same agreement or None, the roles after)
PARTY_CASES = [
    ("party: other only moves", "guarantor", None, ["guarantor"]),
    ("party: both, one role collapse", "mediator", "mediator", ["mediator"]),
]


@pytest.mark.parametrize(
    ("others", "kepts", "after"), [c[1:] for c in PARTY_CASES], ids=[c[0] for c in PARTY_CASES]
)
def test_party_rows_move_or_collapse(example_store, others, kepts, after):
    keep, other, _, _ = _built(example_store)
    with example_store.writing("Parties") as session:
        agreement = Agreement(title="Another agreement")
        session.add(agreement)
        session.flush()
        session.add(Party(agreement_id=agreement.id, actor_id=other, role=others))
        if kepts:
            session.add(Party(agreement_id=agreement.id, actor_id=keep, role=kepts))
    with example_store.writing("Merge") as session:
        merged = merge_actors(session, keep, other)
    assert [p.role for p in _rows(example_store, Party, agreement_id=agreement.id, actor_id=keep)] == after
    assert _rows(example_store, Party, actor_id=other) == []
    assert merged.changes.agreements == {agreement.id}


# Groups under parties, in another agreement: (what holds before, as (party, its role or None for a member of
# the party named), what the agreement's parties group after, or the refusal's words)
GROUP_CASES = [
    ("group: other in X moves to keep", [("X", "observer"), ("Other", "X")], {("X", "observer", ("Keep",))}),
    ("group: both in X collapse", [("X", "observer"), ("Other", "X"), ("Keep", "X")], {("X", "observer", ("Keep",))}),
    ("group: other in keep's party goes", [("Keep", "observer"), ("Other", "Keep")], {("Keep", "observer", ())}),
    ("group: keep in other's party becomes it", [("Other", "observer"), ("Keep", "Other")], {("Keep", "observer", ())}),
    ("group: both parties, their groups join", [("Keep", "observer"), ("Other", "observer"), ("X", "Keep"), ("Y", "Other")],
     {("Keep", "observer", ("X", "Y"))}),
    ("group: other's party moves with its group", [("Other", "guarantor"), ("Y", "Other")], {("Keep", "guarantor", ("Y",))}),
    ("group: in two parties, refused", [("X", "observer"), ("Y", "observer"), ("Keep", "X"), ("Other", "Y")],
     "Keep counts as X and Other counts as Y"),
    ("group: a member and another party, refused", [("X", "observer"), ("Other", "observer"), ("Keep", "X")],
     "Keep counts as X and Other is a party"),
]  # fmt: skip


def _grouped_case(store, holds) -> tuple[str, dict[str, str]]:
    """The case's agreement and actors Keep, Other, X, Y: parties first, then their groups."""
    with store.writing("Build the case") as session:
        agreement = Agreement(title="Another agreement")
        actors = {name: Actor(name=name) for name in ("Keep", "Other", "X", "Y")}
        session.add_all([agreement, *actors.values()])
        session.flush()
        parties = {}
        for name, role in holds:
            if role in list(PartyRole):
                parties[name] = Party(agreement_id=agreement.id, actor_id=actors[name].id, role=role)
                session.add(parties[name])
        session.flush()
        for name, party in holds:
            if party in parties:
                session.add(PartyMember(party_id=parties[party].id, actor_id=actors[name].id))
    return agreement.id, {name: actor.id for name, actor in actors.items()}


def _grouping(store, agreement_id: str) -> set[tuple[str, str, tuple[str, ...]]]:
    with store.reading() as session:
        return {(g.name, g.role, tuple(name for _id, name in g.members)) for g in party_groups(session, agreement_id)}


@pytest.mark.parametrize(("holds", "after"), [c[1:] for c in GROUP_CASES], ids=[c[0] for c in GROUP_CASES])
def test_groups_under_parties_move_collapse_or_are_refused_and_undo_puts_them_back(example_store, holds, after):
    agreement_id, ids = _grouped_case(example_store, holds)
    before = store_digest(example_store, record_only=True)
    if isinstance(after, str):
        with pytest.raises(RecordError, match=after), example_store.writing("Merge") as session:
            merge_actors(session, ids["Keep"], ids["Other"])
        assert store_digest(example_store, record_only=True) == before
        return
    with example_store.writing("Merge") as session:
        merged = merge_actors(session, ids["Keep"], ids["Other"])
    assert _grouping(example_store, agreement_id) == after
    assert agreement_id in merged.changes.agreements
    with example_store.writing("Undo merge") as session:
        unmerge_actors(session, merged)
    assert store_digest(example_store, record_only=True) == before


def test_merged_event_links_are_audited_row_by_row_and_the_record_stays_whole(example_store):
    """Event links move in bulk (tests/bench_merge.py), each still with its audit entries, so `check` accounts for them."""
    from db.integrity import check_record

    keep, other, _, _ = _built(example_store)
    with example_store.writing("Link them") as session:
        events = session.exec(select(Event.id).order_by(Event.id)).all()[:6]
        session.add_all(EventActor(event_id=e, actor_id=other, role="actor2") for e in events)
        session.add_all(EventActor(event_id=e, actor_id=keep, role="actor1") for e in events[:2])
    with example_store.writing("Merge Other into Keep") as session:
        merged = merge_actors(session, keep, other)
    with example_store.reading() as session:
        entries = session.exec(
            select(AuditEntry.operation, AuditEntry.row_id).where(
                AuditEntry.action == "Merge Other into Keep", AuditEntry.table_name == "eventactor"
            )
        ).all()
        roles = dict(session.exec(select(EventActor.event_id, EventActor.role).where(EventActor.actor_id == keep)).all())
    assert sorted(entries) == sorted(
        [("delete", f"{e}/{other}") for e in events] + [("insert", f"{e}/{keep}") for e in events[2:]]
    )
    assert roles == {e: "actor1" if e in events[:2] else "actor2" for e in events}
    assert merged.changes.events == set(events)
    assert check_record(example_store).problems == []
    with example_store.writing("Undo") as session:
        unmerge_actors(session, merged)
    assert check_record(example_store).problems == []


def test_parties_with_different_roles_are_refused_and_nothing_changes(example_store):
    before = store_digest(example_store)
    with pytest.raises(RecordError, match="United States is a signatory and Qatar a mediator of"):
        _merge(example_store, "United States", "Qatar")
    assert store_digest(example_store) == before


def test_beneficiary_claimant_and_an_alias_of_the_kept_name_follow(example_store):
    keep, other, _, obligation_id = _built(example_store)
    with example_store.writing("Name Other") as session:
        session.get(Obligation, obligation_id).beneficiary_id = other
        metric = session.exec(select(Metric)).first()
        claim = Observation(metric_id=metric.id, observed_on=date(2020, 5, 1), value=1.0, claimant_id=other)
        session.add_all([claim, ActorAlias(actor_id=other, alias="KEEP", alias_key="keep")])
    with example_store.writing("Merge") as session:
        merged = merge_actors(session, keep, other)
        assert session.get(Obligation, obligation_id).beneficiary_id == keep
        assert session.get(Observation, claim.id).claimant_id == keep
        assert [a.alias for a in session.exec(select(ActorAlias).where(ActorAlias.actor_id == keep))] == [
            "Other"
        ]
    assert merged.changes.obligations == {obligation_id} and merged.changes.metrics == {metric.id}


def test_an_actor_is_not_merged_into_itself(example_store):
    with pytest.raises(RecordError, match="cannot be merged into itself"):
        _merge(example_store, "Taliban", "taleban")


def test_undo_puts_every_row_back_and_redo_merges_again(example_store):
    """The Taliban merged into the United States touches every kind of row: both signatories (a party
    collapse), both obligors of some clauses, beneficiaries, claimants, aliases and event links."""
    before, index_before = store_digest(example_store, record_only=True), search_digest(example_store)
    merged = _merge(example_store, "United States", "Taliban", alias_id="the-name-as-alias")
    after_merge = store_digest(example_store, record_only=True)
    assert after_merge != before
    with example_store.writing("Undo: merge") as session:
        unmerge_actors(session, merged)
    assert store_digest(example_store, record_only=True) == before
    assert search_digest(example_store) == index_before  # the United States is no longer found as "Taleban"
    _merge(example_store, "United States", "Taliban", alias_id="the-name-as-alias")
    assert store_digest(example_store, record_only=True) == after_merge


def test_the_roster_counts_events_obligations_and_roles(example_store):
    roster = {a.name: a for a in _roster(example_store)}
    taliban = roster["Taliban"]
    assert (taliban.events, taliban.obligations, taliban.roles_text()) == (
        12,
        12,
        "US–Taliban agreement: signatory",
    )
    assert "Taleban" in taliban.aliases
    assert roster["International Committee of the Red Cross"].roles == ()


def _roster(store):
    with store.reading() as session:
        return list_actors(session)


CHOICES = [
    ("taliban", "Taliban"),
    ("Islamic Emirate of Afghanistan", "Taliban"),
    ("  qatar ", "Qatar"),
]


@pytest.mark.parametrize(("wanted", "name"), CHOICES)
def test_an_actor_is_chosen_by_name_or_alias(example_store, wanted, name):
    with example_store.reading() as session:
        assert session.get(Actor, choose_actor(session, wanted)).name == name


def test_an_actor_is_chosen_by_its_id_prefix_and_refused_when_none_or_several(example_store):
    qatar = _id(example_store, "Qatar")
    assert _id(example_store, qatar[:8]) == qatar
    with pytest.raises(RecordError, match="'Kabul' names no actor"):
        _id(example_store, "Kabul")
    with example_store.writing("A second Qatar") as session:
        session.add(Actor(name="QATAR"))
    with pytest.raises(RecordError, match="'Qatar' names several actors"):
        _id(example_store, "Qatar")


def test_rename_and_aliases_refuse_a_name_already_known(example_store):
    qatar = _id(example_store, "Qatar")
    with example_store.writing("Rename") as session:
        rename_actor(session, qatar, "State of Qatar ")  # its own alias may become its name
        add_alias(session, qatar, "Doha mediators")
        with pytest.raises(RecordError, match="already names another actor"):
            rename_actor(session, qatar, "Taleban")
        with pytest.raises(RecordError, match="already names this actor"):
            add_alias(session, qatar, "doha MEDIATORS")
        remove_alias(session, qatar, "Doha mediators")
        with pytest.raises(RecordError, match="is not an alias"):
            remove_alias(session, qatar, "Doha mediators")
    roster = {a.id: a for a in _roster(example_store)}
    assert roster[qatar].name == "State of Qatar" and roster[qatar].aliases == ("State of Qatar",)


def test_the_obligor_picker_lists_the_agreements_parties_first(example_store):
    from db.tree import list_actors as picker_actors
    from db.tree import list_agreements

    with example_store.reading() as session:
        doha = list_agreements(session)[0].id
        names = [name for _, name in picker_actors(session, parties_of=doha)]
        everyone = [name for _, name in picker_actors(session)]
    parties = ["Afghan government", "Qatar", "Taliban", "UN Security Council", "United States"]
    assert names[:5] == parties and sorted(names[5:]) == names[5:] and "Ashraf Ghani" in names[5:]
    assert everyone[:3] == ["Afghan government", "Afghan sides", "Ashraf Ghani"]


def test_a_rename_names_the_obligations_and_agreements_that_show_the_name(example_store):
    taliban = _id(example_store, "Taliban")
    with example_store.writing("Rename") as session:
        changes = rename_actor(session, taliban, "Taliban (Islamic Emirate)")
        obligors = set(session.exec(select(ObligationObligor.obligation_id).where(ObligationObligor.actor_id == taliban)))
        benefiting = set(session.exec(select(Obligation.id).where(Obligation.beneficiary_id == taliban)))
    assert changes.obligations == obligors | benefiting and len(changes.obligations) == 12
    assert len(changes.agreements) == 1 and changes.actors


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("Qatar\nDoha", "holds a ';' or a line break"),
        ("Qatar; Doha", "holds a ';' or a line break"),
        ("Qatar\x07", "holds a control character (U+0007) at position 6"),
        ("Qa\ttar", "holds a control character (U+0009) at position 3"),
        ("Qatar\x00", "holds a NUL character"),
    ],
)
def test_a_name_typed_for_an_actor_is_checked_as_an_imported_one(example_store, typed, refusal):
    """A rename or an alias holding what separates names in a file (or a control character) would not
    come back out of an export as one name; both are refused as an import refuses them."""
    qatar = _id(example_store, "Qatar")
    before = _roster(example_store)
    for edit in (rename_actor, add_alias):
        with example_store.writing("Typed") as session, pytest.raises(RecordError, match=re.escape(refusal)):
            edit(session, qatar, typed)
    assert _roster(example_store) == before
