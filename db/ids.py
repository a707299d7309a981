"""Identifiers of the record: UUIDs, so records made on different desks can later be merged.

A record that has a name outside Accord Desk gets the same id on every desk (`derived_id`, a version 5
UUID of what names it): an event by its source's external id, an import file by its SHA-256, an actor by
its name, an alias by its key, an agreement document's rows by the document's content. Two desks that
import the same ACLED file or load the same example then hold the same rows, and an exchange between
them matches them by id (db/exchange.py). Everything else gets a random (version 4) UUID.
"""

import hashlib
import os
from uuid import NAMESPACE_URL, UUID

# The namespace of every derived id: fixed forever, or the same thing gets another id after an update.
NAMESPACE = UUID(bytes=hashlib.sha1(NAMESPACE_URL.bytes + b"https://accord-desk.example/record").digest()[:16])


def random_bytes(count: int) -> bytes:
    """Where every random id comes from (a test seeds it, so a failing run can be run again)."""
    return os.urandom(count)


def new_id() -> str:
    return new_ids(1)[0]


def new_ids(count: int) -> list[str]:
    """`count` random (version 4) UUIDs at once, five times faster than str(uuid4()) each, for imports."""
    digits = random_bytes(16 * count).hex()
    return [_formatted(digits[start : start + 32], "4") for start in range(0, 32 * count, 32)]


def _formatted(h: str, version: str) -> str:
    variant = "89ab"[int(h[16], 16) & 3]  # RFC 4122: the two top bits of octet 8 are 10
    return f"{h[:8]}-{h[8:12]}-{version}{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def derived_id(kind: str, *names: str) -> str:
    """The version 5 UUID of a record of this kind named so (uuid.uuid5 over NAMESPACE, computed in bulk
    by `derived_ids`); the names joined by a unit separator, which no name holds."""
    return derived_ids(kind, ["\x1f".join(names)])[0]


def derived_ids(kind: str, names: list[str]) -> list[str]:
    """`derived_id(kind, name)` for each name; as uuid.uuid5, without its per-call overhead (an import
    derives a million)."""
    prefix = NAMESPACE.bytes + f"{kind}\x1e".encode()
    sha1 = hashlib.sha1
    return [_formatted(sha1(prefix + name.encode()).hexdigest(), "5") for name in names]


def event_ids(external_ids: list[str]) -> list[str]:
    """Imported events' ids: their source's event ids (db/event_layouts.py namespaces them by source,
    "ucdp-ged:…"; ACLED's event_id_cnty never holds a colon)."""
    return derived_ids("event", external_ids)


def import_file_id(sha256: str) -> str:
    return derived_id("importfile", sha256)


def actor_id(name: str) -> str:
    """An actor made for a name nobody knew: the name as lookups compare it (casefolded)."""
    return derived_id("actor", name.strip().casefold())


def alias_id(alias_key: str) -> str:
    return derived_id("actoralias", alias_key)


def free_id(session, model, wanted: str) -> str:
    """`wanted` unless a row of `model` already has it (an actor renamed away from the name its id was
    derived from, and a new actor of that name), then a random id."""
    return wanted if session.get(model, wanted) is None else new_id()
