"""An agreement renamed, its parties edited, and deleted with everything it holds — and put back."""

import hashlib

import pytest
from sqlmodel import select

from db.agreements import (
    AgreementFields,
    agreement_extent,
    agreement_fields,
    agreement_problems,
    delete_agreement,
    restore_agreement,
    update_agreement,
)
from db.errors import RecordError
from db.models import Actor, AuditEntry, Event, Obligation
from db.search import is_index_table
from db.team_server import CHAIN_TABLES
from db.tree import list_agreements
from tests.record_digest import search_digest, table_names


def _doha(store) -> str:
    with store.reading() as session:
        return list_agreements(session)[0].id


def _record(store) -> str:
    """Every table but the audit trail (which an undo extends; on a server with its chain's head row) and the
    search index (whose row numbers follow each write; search_digest compares its text), in a stable order."""
    connection = store.engine.raw_connection()
    try:
        digest = hashlib.sha256()
        for table in table_names(connection.driver_connection):
            if table == "auditentry" or table in CHAIN_TABLES or is_index_table(table):
                continue
            rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()
            digest.update(f"{table}{sorted(map(repr, rows))}".encode())
        return digest.hexdigest()
    finally:
        connection.close()


def test_rename_and_edit_the_parties(example_store):
    doha = _doha(example_store)
    with example_store.reading() as session:
        fields = agreement_fields(session, doha)
        qatar = session.exec(select(Actor.id).where(Actor.name == "Qatar")).one()
        council = session.exec(select(Actor.id).where(Actor.name == "UN Security Council")).one()
    assert (qatar, "mediator") in fields.parties and len(fields.parties) == 5
    fields.title, fields.short_title = "Doha Agreement", "Doha"
    # Qatar becomes a guarantor; the Security Council is no longer named a party
    fields.parties = [(a, "guarantor" if a == qatar else r) for a, r in fields.parties if a != council]
    with example_store.writing("Edit agreement Doha") as session:
        update_agreement(session, doha, fields)
    with example_store.reading() as session:
        again = agreement_fields(session, doha)
        (summary,) = list_agreements(session)
    assert (again.title, summary.label) == ("Doha Agreement", "Doha")
    assert sorted(again.parties) == sorted(fields.parties)
    assert (qatar, "guarantor") in again.parties and council not in dict(again.parties)
    assert [name for name, _role in summary.parties] == ["Taliban", "United States", "Afghan government", "Qatar"]


@pytest.mark.parametrize(
    ("parties", "says"),
    [([("a", "signatory"), ("a", "observer")], "Name each party once"), ([("a", "sponsor")], "not a party's role")],
)
def test_parties_are_checked(parties, says):
    assert says in agreement_problems(AgreementFields("T", parties=parties))["parties"]
    with pytest.raises(RecordError):
        update_agreement(None, "x", AgreementFields(""))


def test_delete_takes_everything_and_undo_puts_it_back(example_store):
    doha = _doha(example_store)
    before, index = _record(example_store), search_digest(example_store)
    with example_store.reading() as session:
        extent = agreement_extent(session, doha)
    assert (extent.obligations, extent.assessments, extent.events, extent.metrics) == (25, 7, 23, 3)
    with example_store.writing("Delete agreement US–Taliban agreement") as session:
        deleted = delete_agreement(session, doha)
    with example_store.reading() as session:
        assert list_agreements(session) == []
        assert session.exec(select(Obligation.id)).all() == [] and session.exec(select(Event.id)).all() == []
        audited = session.exec(
            select(AuditEntry.operation).where(AuditEntry.action == "Delete agreement US–Taliban agreement")
        ).all()
    assert set(audited) == {"delete"} and len(audited) > 23 + 19
    with example_store.writing("Undo: Delete agreement US–Taliban agreement") as session:
        restore_agreement(session, deleted)
    assert _record(example_store) == before and search_digest(example_store) == index
