"""Two desks that each loaded the example on their own (not copies of one file), and edits made on them."""

import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from db import content, ids
from db.bundle import export_bundle
from db.events import edit_event
from db.exchange import import_bundle
from db.ids import new_id
from db.models import Event, Obligation
from db.obligations import add_assessment, obligation_fields, update_obligation
from db.store import Store


def desks_at(templates, folder: Path) -> tuple[Store, Store]:
    stores = []
    for template in templates:
        path = folder / template.name
        shutil.copyfile(template, path)
        stores.append(Store.open(path, user=template.stem))
    return tuple(stores)


@contextmanager
def seeded_ids(seed: int | str) -> Iterator[None]:
    """Every random id made meanwhile comes from `seed` (db.ids.random_bytes)."""
    with pytest.MonkeyPatch.context() as seeded:
        seeded.setattr(ids, "random_bytes", random.Random(seed).randbytes)
        yield


@contextmanager
def two_desks(templates, seed: int) -> Iterator[tuple[Store, Store, Path]]:
    """Desks A and B in a folder of their own, closed (and the folder removed) afterwards. Every random id
    made meanwhile (the desks' ids, records, bundles' names) comes from `seed`, and the templates' from their
    names (conftest.desk_templates): a property test that draws the seed runs a failing example again exactly."""
    with seeded_ids(seed), tempfile.TemporaryDirectory() as folder:
        a, b = desks_at(templates, Path(folder))
        try:
            yield a, b, Path(folder)
        finally:
            a.close()
            b.close()


def send(sender: Store, receiver: Store, folder: Path, **options):
    out = folder / f"{sender.user}-{new_id()[:8]}.accord"
    export_bundle(sender, out)
    return out, import_bundle(receiver, out, **options)


def digest(store: Store) -> str:
    """The record's content digest as the database keeps it (db.content), checked against a recomputation:
    an exchange that writes a row without counting it fails here."""
    with store.reading() as session:
        connection = session.connection()
        assert content.kept(connection) == content.fresh(connection)
        return content.content_digest(connection)


def events(store: Store) -> list[str]:
    with store.reading() as session:
        return sorted(session.exec(select(Event.id)).all())


def obligations(store: Store) -> list[str]:
    with store.reading() as session:
        return sorted(session.exec(select(Obligation.id)).all())


def retitle(store: Store, obligation_id: str, title: str) -> None:
    with store.writing("Edit obligation") as session:
        fields = obligation_fields(session, obligation_id)
        fields.title = title
        update_obligation(session, obligation_id, fields)


def note(store: Store, event_id: str, notes: str) -> None:
    with store.writing("Edit event") as session:
        edit_event(session, event_id, {"notes": notes})


def assess(store: Store, obligation_id: str, rationale: str) -> str:
    assessment_id = new_id()
    with store.writing("Add assessment") as session:
        add_assessment(session, obligation_id, date(2020, 6, 1), "on_track", 2, "medium", rationale, store.user, assessment_id)
    return assessment_id
