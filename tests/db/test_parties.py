"""Parties grouping actors: the example's grouping, which events concern a party, the edits and their refusals."""

from pathlib import Path

import pytest
from sqlmodel import select

from db import ids
from db.actor_roster import choose_actor
from db.agreements import agreement_fields, delete_agreement, restore_agreement, update_agreement
from db.errors import RecordError
from db.event_import import import_events
from db.event_log import Col, EventFilter, count_events, event_rows
from db.models import Actor, AuditEntry, Event, Party, PartyMember
from db.parties import (
    add_party,
    group_under_party,
    party_groups,
    party_role,
    remove_new_party,
    set_party_role,
    take_out_of_party,
)
from db.tree import list_agreements
from tests.record_digest import search_digest, store_digest

DATA = Path(__file__).parent.parent / "data"
ACLED_STATE = (
    "Government of Afghanistan (2014-2021)",
    "Military Forces of Afghanistan (2014-2021)",
    "Police Forces of Afghanistan (2014-2021)",
)


def _doha(store) -> str:
    with store.reading() as session:
        return list_agreements(session)[0].id


def _id(store, name: str) -> str:
    with store.reading() as session:
        return choose_actor(session, name)


def _groups(store) -> dict[str, tuple[str, tuple[str, ...]]]:
    """{party name: (role, names of its members)} of the example."""
    with store.reading() as session:
        return {g.name: (g.role, tuple(name for _id, name in g.members)) for g in party_groups(session, _doha(store))}


def _external(store, wanted: EventFilter) -> list[str]:
    with store.reading() as session:
        rows = event_rows(session, wanted)
        assert count_events(session, wanted) == len(rows)
    return sorted(row[Col.EXTERNAL_ID] for row in rows if row[Col.EXTERNAL_ID])


def test_the_example_groups_acleds_state_actors_under_the_afghan_government(example_store):
    groups = _groups(example_store)
    assert groups["Afghan government"] == ("non_signatory", ACLED_STATE)
    assert all(members == () for name, (_, members) in groups.items() if name != "Afghan government")
    assert list(groups) == ["Taliban", "United States", "Afghan government", "Qatar", "UN Security Council"]


def test_the_log_filtered_by_a_party_shows_its_members_events_each_under_its_own_name(example_store):
    import_events(example_store, DATA / "acled_afghanistan.csv")
    doha, government = _doha(example_store), _id(example_store, "Afghan government")
    military = _id(example_store, "Military Forces of Afghanistan (2014-2021)")
    # AFG40001 and 40006 name the military (40006 the police too), AFG40004 "Government of Afghanistan", an alias
    assert _external(example_store, EventFilter(actor_id=government, agreement_id=doha)) == [
        "AFG40001", "AFG40004", "AFG40006"
    ]  # fmt: skip
    assert _external(example_store, EventFilter(actor_id=government)) == ["AFG40004"]  # no agreement: itself only
    assert _external(example_store, EventFilter(actor_id=military, agreement_id=doha)) == ["AFG40001", "AFG40006"]
    with example_store.reading() as session:
        (row,) = event_rows(session, EventFilter(text="AFG40006"))
    assert row[Col.ACTORS] == "Taliban; Military Forces of Afghanistan (2014-2021); Police Forces of Afghanistan (2014-2021)"


def test_taken_out_of_the_party_an_actor_no_longer_counts_as_it_and_grouping_again_puts_the_row_back(example_store):
    import_events(example_store, DATA / "acled_afghanistan.csv")
    doha, government = _doha(example_store), _id(example_store, "Afghan government")
    police = _id(example_store, "Police Forces of Afghanistan (2014-2021)")
    military = _id(example_store, "Military Forces of Afghanistan (2014-2021)")
    before, index = store_digest(example_store, record_only=True), search_digest(example_store)
    for actor in (police, military):
        with example_store.writing("Take out of party") as session:
            changes = take_out_of_party(session, doha, actor)
    assert changes.agreements == {doha} and changes.log and changes.actors
    assert _external(example_store, EventFilter(actor_id=government, agreement_id=doha)) == ["AFG40004"]
    for actor in (military, police):
        with example_store.writing("Group under party") as session:
            group_under_party(session, doha, government, actor)
    assert store_digest(example_store, record_only=True) == before and search_digest(example_store) == index
    with example_store.reading() as session:
        audited = session.exec(
            select(AuditEntry.operation, AuditEntry.table_name).where(AuditEntry.action.in_(("Take out of party", "Group under party")))
        ).all()
    assert sorted(audited) == [("delete", "partymember")] * 2 + [("insert", "partymember")] * 2


# (what is asked, the actor grouped, under which party, what the refusal says)
GROUP_REFUSALS = [
    ("a party itself", "Taliban", "Afghan government", "Taliban is itself a party of US–Taliban agreement"),
    ("the party under itself", "Afghan government", "Afghan government", "is itself a party"),
    ("already in another party", "Police Forces of Afghanistan (2014-2021)", "United States",
     "already counts as Afghan government for US–Taliban agreement; take it out of that party first"),
    ("already in this party", "Police Forces of Afghanistan (2014-2021)", "Afghan government", "already counts as"),
    ("under an actor that is no party", "Civilians (Afghanistan)", "Ashraf Ghani", "not a party of US–Taliban agreement"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "actor", "party", "says"), GROUP_REFUSALS, ids=[c[0] for c in GROUP_REFUSALS])
def test_grouping_is_refused_in_one_sentence_and_changes_nothing(example_store, case, actor, party, says):
    import_events(example_store, DATA / "acled_afghanistan.csv")  # brings "Civilians (Afghanistan)"
    doha, actor_id, party_id = _doha(example_store), _id(example_store, actor), _id(example_store, party)
    before = store_digest(example_store)
    with pytest.raises(RecordError) as refused, example_store.writing("Group") as session:
        group_under_party(session, doha, party_id, actor_id)
    assert says in str(refused.value) and "\n" not in str(refused.value)
    assert store_digest(example_store) == before


def test_taking_out_an_actor_that_counts_as_no_party_is_refused(example_store):
    with pytest.raises(RecordError, match="counts as no party"), example_store.writing("Take out") as session:
        take_out_of_party(session, _doha(example_store), _id(example_store, "Ashraf Ghani"))


# (the actor, the role asked (None: no party), the role it has after, or the refusal's words)
ROLE_CASES = [
    ("Ashraf Ghani", "observer", "observer"),  # made a party
    ("Qatar", "guarantor", "guarantor"),  # its role changed
    ("UN Security Council", None, None),  # no longer a party
    ("Qatar", "mediator", "mediator"),  # the same role: nothing to change
    ("Afghan government", None, "groups Government of Afghanistan (2014-2021), Military Forces"),
    ("Qatar", "sponsor", "'sponsor' is not a party's role"),
    ("Police Forces of Afghanistan (2014-2021)", "observer", "counts as Afghan government"),
]


@pytest.mark.parametrize(("actor", "role", "after"), ROLE_CASES)
def test_set_party_role(example_store, actor, role, after):
    doha, actor_id = _doha(example_store), _id(example_store, actor)
    refused = after is not None and " " in after
    before = store_digest(example_store)
    if refused:
        with pytest.raises(RecordError) as error, example_store.writing("Set role") as session:
            set_party_role(session, doha, actor_id, role)
        assert after in str(error.value) and store_digest(example_store) == before
        return
    with example_store.writing("Set role") as session:
        set_party_role(session, doha, actor_id, role)
    with example_store.reading() as session:
        found = party_role(session, doha, actor_id)
    assert (found[1] if found else None) == after


def test_a_party_removed_and_put_back_with_its_row_id_is_the_row_it_was(example_store):
    doha, council = _doha(example_store), _id(example_store, "UN Security Council")
    before = store_digest(example_store, record_only=True)
    with example_store.reading() as session:
        party_id, role, represented_by = party_role(session, doha, council)
    with example_store.writing("No party") as session:
        set_party_role(session, doha, council, None)
    with example_store.writing("Undo") as session:
        set_party_role(session, doha, council, role, party_id, represented_by)
    assert store_digest(example_store, record_only=True) == before


def test_the_agreement_form_cannot_drop_a_party_that_groups_actors(example_store):
    doha, government = _doha(example_store), _id(example_store, "Afghan government")
    with example_store.reading() as session:
        fields = agreement_fields(session, doha)
    fields.parties = [(actor, role) for actor, role in fields.parties if actor != government]
    before = store_digest(example_store)
    refused = "take them out of the party on the Actors screen first"
    with pytest.raises(RecordError, match=refused), example_store.writing("Edit agreement") as session:
        update_agreement(session, doha, fields)
    assert store_digest(example_store) == before


def test_deleting_the_agreement_takes_its_groups_and_undo_brings_them_back(example_store):
    doha = _doha(example_store)
    before = store_digest(example_store, record_only=True)
    with example_store.writing("Delete agreement") as session:
        deleted = delete_agreement(session, doha)
    with example_store.reading() as session:
        assert session.exec(select(PartyMember)).all() == []
    with example_store.writing("Undo") as session:
        restore_agreement(session, deleted)
    assert store_digest(example_store, record_only=True) == before


# (the name typed, the role, whether a new actor is made, the refusal's words or None)
NEW_PARTY_CASES = [
    ("NATO", "guarantor", True, None),
    ("  Resolute Support Mission ", "observer", False, None),  # an alias of "US allies and coalition partners"
    ("qatar", "observer", False, "already a party of US–Taliban agreement"),
    ("   ", "observer", False, "A party needs a name"),
    ("Police Forces of Afghanistan (2014-2021)", "observer", False, "counts as Afghan government"),
]


@pytest.mark.parametrize(("name", "role", "new", "says"), NEW_PARTY_CASES)
def test_a_new_party_from_the_obligation_form_and_its_undo(example_store, name, role, new, says):
    doha = _doha(example_store)
    before, index = store_digest(example_store, record_only=True), search_digest(example_store)
    if says:
        with pytest.raises(RecordError, match=says), example_store.writing("New party") as session:
            add_party(session, doha, name, role, None, "a-new-party")
        assert store_digest(example_store, record_only=True) == before
        return
    with example_store.writing("New party") as session:
        actor_id, created, changes = add_party(session, doha, name, role, None, "a-new-party")
    assert created is new and (actor_id == ids.actor_id(name)) is new and changes.actors and changes.agreements == {doha}
    with example_store.reading() as session:
        party = session.get(Party, "a-new-party")
        assert (party.agreement_id, party.actor_id, party.role) == (doha, actor_id, role)
        assert session.get(Actor, actor_id).name == (name.strip() if new else "US allies and coalition partners")
    with example_store.writing("Undo new party") as session:
        remove_new_party(session, doha, actor_id, created)
    assert store_digest(example_store, record_only=True) == before and search_digest(example_store) == index


def test_the_search_finds_a_partys_events_through_its_group_within_the_agreement(example_store):
    from db.search import search

    import_events(example_store, DATA / "acled_afghanistan.csv")
    with example_store.reading() as session:
        external = dict(session.exec(select(Event.id, Event.external_id)).all())
        within = {external[h.record_id]: h.snippet for h in search(session, "Afghan government", _doha(example_store)) if h.kind == "event"}
        everywhere = {external[h.record_id] for h in search(session, "Afghan government") if h.kind == "event"}
    assert within["AFG40001"] == "actor: Military Forces of Afghanistan (2014-2021)"
    assert {"AFG40001", "AFG40004", "AFG40006"} <= set(within)
    assert "AFG40001" not in everywhere  # outside an agreement, an actor stands for itself only
