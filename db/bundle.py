"""A bundle: a desk's record as one file, to send to another desk (`accord-desk export-bundle`).

The file is a ZIP with two members: `manifest.json` (format, version, the sending desk's id, who, when,
counts, what the desk knew of every desk, and the SHA-256 of the content) and `content.json` (every row of
every record table, each with the change it holds; the tombstones of deleted rows; the audit trails, the
desk's own and those it received). `read_bundle` checks the whole file before anything else looks at it.
The hash is a check against damage (a cut-off download, a bad disk), not a signature: whoever can write
the file can write a matching hash.

Each row travels with the change it holds, its dot (db/dots.py); deleted rows travel as tombstones.
"""

import hashlib
import json
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, select, text
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from db import audit, desk
from db.atomic_file import atomic_path
from db.bundle_stream import CHUNK, ENTRY_COLUMNS, Malformed, Trail, content_parts
from db.clock import utc_now
from db.dots import Dot, RowKey, covered, row_dots
from db.errors import ExportCancelled, UserError
from db.models import AuditEntry
from db.team_server import CHAIN_TABLES

FORMAT = "accord-desk/bundle"
VERSION = 1
SUFFIX = ".accord"

# What a bundle carries: the record's tables as rows, parents before children; the audit trail and the
# trails received from other desks as entries; the changes received as the rows' dots and tombstones.
RECORD_TABLES = [t.name for t in SQLModel.metadata.sorted_tables if t.name != AuditEntry.__tablename__]
# The tables whose rows belong to no one agreement: a part bundle carries those its rows name.
NAMED_BY_THE_REST = ("actor", "actoralias", "importfile")
CARRIED_OTHERWISE = {
    "auditentry": "the desk's own audit trail, as entries",
    "received_entry": "the trails received from other desks, as entries by their chain",
    "received_change": "the dots of the rows and the tombstones",
    "desk_knowledge": "the manifest's knowledge",
}
NOT_CARRIED = {
    "alembic_version": "the schema's revision: the manifest's format version says what a bundle holds",
    "desk_identity": "this file's own ids, found again by each desk for itself (db/desk.py)",
    "contentdigest": "the figures of the content digest, kept by each desk from its own rows (db/content.py)",
    "agreementeditor": "a team server's assignments of agreements to its roles (db/team_server.py)",
    **{name: "a team server's state of its audit chain (db/team_server.py)" for name in CHAIN_TABLES},
}
# What differs between two desks that hold the same thing: how often a row was changed here.
DESK_LOCAL_COLUMNS = frozenset({"version"})
# Who recorded a row, when, and from which file: two desks that load the same example or import the same
# events (from one file or from two that overlap) record the same rows at their own time. A pair that differs
# only here is the same content (db.exchange settles it).
CIRCUMSTANCE_COLUMNS = frozenset({"recorded_at", "recorded_by", "imported_at", "imported_by", "import_file_id"})

PART = 2000  # rows written between two looks at `progress`
Progress = Callable[[int, int], bool]  # (done, total) → go on?


class BundleError(UserError):
    """A bundle cannot be read or merged as it is."""


def tables() -> dict[str, Any]:
    return {name: SQLModel.metadata.tables[name] for name in RECORD_TABLES}


def references() -> list[tuple[str, str, str]]:
    """(table, column, table it points to) of every reference between record tables."""
    return [
        (name, column.name, foreign.column.table.name)
        for name, table in tables().items() for column in table.columns for foreign in column.foreign_keys
    ]  # fmt: skip


@cache
def key_columns(table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


def key_of(table, values: dict[str, Any]) -> str:
    return "/".join(str(values[name]) for name in key_columns(table))


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def typed(table, values: dict[str, Any]) -> dict[str, Any]:
    """A bundle's plain values back in their column's types (dates from ISO text)."""
    out = {}
    for name, value in values.items():
        column_type = table.c[name].type
        if value is not None and isinstance(column_type, DateTime | UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Date):
            value = date.fromisoformat(value)
        out[name] = value
    return out


def table_rows(connection, table, ordered: bool = False, where=None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each row of a record table (`where`: those it holds) as (row id, plain values), read as the cursor
    goes (`ordered`: by key)."""
    names = table.c.keys()
    key = [names.index(column) for column in key_columns(table)]
    dated = [i for i, column in enumerate(table.columns) if isinstance(column.type, Date | DateTime | UTCDateTime)]
    statement = table.select().order_by(*table.primary_key.columns) if ordered else table.select()
    if where is not None:
        statement = statement.where(where)
    for row in connection.execute(statement):
        values = list(row)
        for i in dated:
            values[i] = plain(values[i])
        yield "/".join(str(values[i]) for i in key), dict(zip(names, values, strict=True))


def record_rows(connection) -> dict[str, dict[str, dict[str, Any]]]:
    """Every row of every record table as plain values: {table: {row id: values}}."""
    return {name: dict(table_rows(connection, table)) for name, table in tables().items()}


def present_keys(connection) -> set[RowKey]:
    """The key of every row of the record."""
    return {
        (name, "/".join(map(str, row)))
        for name, table in tables().items()
        for row in connection.execute(table.select().with_only_columns(*table.primary_key.columns))
    }


@dataclass
class Bundle:
    path: Path
    manifest: dict[str, Any]
    rows: dict[str, dict[str, dict[str, Any]]]  # table → row id → values
    dots: dict[RowKey, Dot]
    tombstones: dict[RowKey, Dot]
    trail: Trail  # the audit entries it carries, by chain (the desk whose trail it is)
    content_sha256: str = ""
    renamed: dict[RowKey, str] | None = None  # the rows renamed to this desk's ids (db.natural_keys), once matched

    def close(self) -> None:
        self.trail.close()

    def __enter__(self) -> "Bundle":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def desk_id(self) -> str:
        return self.manifest["desk"]

    @property
    def knowledge(self) -> dict[str, int]:
        return self.manifest["knowledge"]

    @property
    def since(self) -> dict[str, int] | None:
        return self.manifest.get("since")

    @property
    def partial(self) -> bool:
        """One agreement's record only: what the sender knew of the rest is not in it."""
        return self.manifest.get("agreement") is not None


@dataclass
class Sent:
    path: Path
    manifest: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)


def agreement_scope(found: dict[str, dict[str, dict]], agreement_id: str) -> set[RowKey]:
    """The rows of one agreement's record: the agreement, its parties (with the actors they group), the officer's words on it, obligations
    and their assessments, obligors and dependencies, its metrics with their points, its events (db.event_log's rule: put under it,
    under none, or linked to its obligations) with their actors and links to its obligations; then every
    row those name (actors, aliases, import files, an observation's event), so the bundle is whole."""
    obligations = {r for r, v in found["obligation"].items() if v["agreement_id"] == agreement_id}
    metrics = {r for r, v in found["metric"].items() if v["agreement_id"] == agreement_id}
    parties = {r for r, v in found["party"].items() if v["agreement_id"] == agreement_id}
    linked = {v["event_id"] for v in found["eventobligation"].values() if v["obligation_id"] in obligations}
    events = {r for r, v in found["event"].items() if v["agreement_id"] in (None, agreement_id) or r in linked}
    belongs = {
        "agreement": lambda r, v: r == agreement_id, "party": lambda r, v: r in parties,
        "partymember": lambda r, v: v["party_id"] in parties,
        "obligation": lambda r, v: r in obligations, "metric": lambda r, v: r in metrics,
        "obligationobligor": lambda r, v: v["obligation_id"] in obligations,
        "obligationdependency": lambda r, v: v["obligation_id"] in obligations and v["depends_on_id"] in obligations,
        "assessment": lambda r, v: v["obligation_id"] in obligations,
        "metricobligation": lambda r, v: v["metric_id"] in metrics,
        "targetpoint": lambda r, v: v["metric_id"] in metrics, "observation": lambda r, v: v["metric_id"] in metrics,
        "event": lambda r, v: r in events, "eventactor": lambda r, v: v["event_id"] in events,
        "eventobligation": lambda r, v: v["event_id"] in events and v["obligation_id"] in obligations,
        "officerwords": lambda r, v: v["agreement_id"] == agreement_id,
    }  # fmt: skip
    missing = set(RECORD_TABLES) - set(belongs) - set(NAMED_BY_THE_REST)
    if missing:  # a table added to the record: say here where its rows belong (the tests fail until then)
        raise RuntimeError(f"agreement_scope does not know the tables {sorted(missing)}")
    scope = {(t, r) for t, test in belongs.items() for r, v in found[t].items() if test(r, v)}
    pending = list(scope)
    while pending:  # what the rows name, and what that names in turn
        table, row_id = pending.pop()
        values = found[table][row_id]
        for child, column, parent in references():
            target = (parent, values[column]) if child == table and values[column] is not None else None
            if target is not None and target not in scope:
                scope.add(target)
                pending.append(target)
    actors = {r for t, r in scope if t == "actor"}
    scope |= {("actoralias", r) for r, v in found["actoralias"].items() if v["actor_id"] in actors}
    return scope


def going_on(progress: Progress | None, done: int, total: int, cancelled: UserError) -> None:
    """Tell `progress` how far the work is; `cancelled` is raised once it says stop (returns False)."""
    if progress is not None and not progress(done, total):
        raise cancelled


def export_bundle(
    store, out: Path, since: Path | None = None, agreement_id: str | None = None, progress: Progress | None = None
) -> Sent:
    """Write the store's record as a bundle at `out` (atomically); with `since`, only what changed after
    that earlier bundle between the same desks (the receiver must hold what it held); with `agreement_id`,
    only that agreement's record (`agreement_scope`): a receiver learns no knowledge from such a part.

    The content is written as it is read, table by table in parts of PART rows, and hashed on the way;
    what is held whole is each row's dot (and, for one agreement's part, the record it is chosen from).
    `progress(done, total)` is told each part; once it returns False, ExportCancelled is raised and no
    file is left behind."""
    cancelled = ExportCancelled(f"Sending was cancelled; {out.name} was not written.")
    base = None
    if since is not None:
        with read_bundle(since) as earlier:
            base = earlier.knowledge
    with store.reading() as session:
        connection = session.connection()
        me = desk.claimed(connection, store.location)
        if me is None:  # open read-only beside the window, or a copy never opened for writing
            raise BundleError(
                f"{store.location} is a copy that has no desk id of its own yet; open it once in Accord Desk "
                "(with write access), then send it."
            )
        knowledge = desk.knowledge(connection)
        owners = desk.identities(connection)
        dots = row_dots(connection, present_keys(connection))
        scope = None
        if agreement_id is not None:
            found = record_rows(connection)
            if agreement_id not in found["agreement"]:
                raise BundleError(f"There is no agreement with the id {agreement_id}; 'accord-desk status' lists them.")
            scope = agreement_scope(found, agreement_id)
            del found

        def wanted(dot: Dot) -> bool:
            return base is None or not covered(base, dot)

        tombstones = sorted([t, r, d, c] for (t, r), (d, c, deleted) in dots.items() if deleted and wanted((d, c)))
        total = len(dots) + _entry_count(connection)
        counts: dict[str, int] = {}
        written = [0]  # rows and entries so far, for `progress`
        digest = hashlib.sha256()
        with atomic_path(out) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            with archive.open("content.json", "w", force_zip64=True) as member:

                def put(text: str) -> None:
                    data = text.encode()
                    digest.update(data)
                    member.write(data)

                def put_list(items: Iterator[list]) -> int:
                    """A JSON array written PART items at a time; how many."""
                    put("[")
                    count = 0
                    while part := list(islice(items, PART)):
                        going_on(progress, min(written[0], total), total, cancelled)
                        put(("," if count else "") + _dumps(part)[1:-1])
                        count += len(part)
                        written[0] += len(part)
                    put("]")
                    return count

                put('{"rows":{')
                for index, (name, table) in enumerate(tables().items()):
                    put(("," if index else "") + _dumps(name) + ":")
                    counts[name] = put_list(
                        [row_id, *dots[(name, row_id)][:2], values]
                        for row_id, values in table_rows(connection, table, ordered=True)
                        if wanted(dots[(name, row_id)][:2]) and (scope is None or (name, row_id) in scope)
                    )
                put(f'}},"tombstones":{_dumps(tombstones)},"entries":{{')
                trail = AuditEntry.__table__
                own = (
                    [plain(v) for v in entry]  # typed: the time as the hash covers it (aware, ISO 8601)
                    for entry in connection.execute(select(*(trail.c[c] for c in ENTRY_COLUMNS)).order_by(trail.c.id))
                    if base is None or entry[0] > base.get(desk.owner_of(owners, entry[0]), 0)
                )
                put(_dumps(me) + ":")
                entries = put_list(own)
                for chain in _received_chains(connection, me):
                    put("," + _dumps(chain) + ":")
                    entries += put_list(
                        list(entry)
                        for entry in connection.execute(text(
                            f"SELECT {', '.join(ENTRY_COLUMNS)} FROM received_entry WHERE chain = :chain ORDER BY id"
                        ), {"chain": chain})
                        if base is None or entry[0] > base.get(chain, 0)
                    )
                put("}}")
            counts["tombstones"] = len(tombstones)
            counts["audit entries"] = entries
            manifest = {
                "format": FORMAT, "version": VERSION, "desk": me, "who": store.user, "made_at": utc_now().isoformat(),
                "knowledge": knowledge, "since": base, "agreement": agreement_id, "counts": counts,
                "content_sha256": digest.hexdigest(),
            }  # fmt: skip
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return Sent(out, manifest, counts)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _entry_count(connection) -> int:
    return connection.exec_driver_sql(
        "SELECT (SELECT count(*) FROM auditentry) + (SELECT count(*) FROM received_entry)"
    ).scalar_one()


def _received_chains(connection, me: str) -> list[str]:
    return [c for (c,) in connection.exec_driver_sql("SELECT DISTINCT chain FROM received_entry ORDER BY chain") if c != me]


def _refused(path: Path, why: str) -> BundleError:
    return BundleError(f"{path} cannot be received: {why}; nothing was changed. Ask the sending desk for the bundle again.")


def read_bundle(path: Path) -> Bundle:
    """The bundle at `path`, checked whole: format, version, hash, and the shape of every part; its
    content read as it is unzipped (db/bundle_stream.py), its trails kept on disk. BundleError in one
    sentence otherwise."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise _refused(path, "it is not an Accord Desk bundle (its manifest names another format)")
            if type(manifest.get("version")) is not int or manifest["version"] > VERSION:
                raise BundleError(
                    f"{path} was written by a newer version of Accord Desk (bundle format {manifest.get('version')}, "
                    f"this one reads {VERSION}); update Accord Desk to receive it. Nothing was changed."
                )
            digest = hashlib.sha256()
            with archive.open("content.json") as member:
                bundle = _read(path, manifest, member, digest)
    except FileNotFoundError:
        raise BundleError(f"{path}: no such file; check the path.") from None
    except IsADirectoryError:
        raise BundleError(f"{path} is a folder; name the bundle file ({SUFFIX}) itself.") from None
    except OSError as error:
        raise BundleError(f"{path} cannot be read ({error.strerror}); check the path and its permissions.") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError, ValueError, zlib.error):
        # a cut-off or altered file: a missing member (KeyError), a bad CRC or deflate stream, not JSON
        raise _refused(path, "it is not a whole Accord Desk bundle (cut off, damaged or another kind of file)") from None
    return bundle


def _read(path: Path, manifest: dict, member, digest) -> Bundle:
    """The content as it streams from `member`; the hash is told first (a damaged file is read to its
    end before its layout is judged), then the layout."""
    trail = Trail()
    try:
        try:
            rows, dots, tombstones = _parsed(path, content_parts(member, digest), trail)
            malformed = None
        except (BundleError, Malformed, KeyError, TypeError, ValueError, IndexError) as error:
            malformed = error
            while data := member.read(CHUNK):  # the rest, for the hash
                digest.update(data)
        sha = digest.hexdigest()
        if sha != manifest.get("content_sha256"):
            raise _refused(path, "its content does not match the SHA-256 its manifest records (altered or damaged)")
        if isinstance(malformed, BundleError):
            raise malformed
        if malformed is not None:
            raise _refused(path, "its content is not laid out as this version of Accord Desk writes bundles")
        for field_name in ("desk", "who", "made_at"):
            if not isinstance(manifest.get(field_name), str):
                raise _refused(path, f"its manifest lacks the {field_name.replace('_', ' ')}")
        if not isinstance(manifest.get("knowledge"), dict):
            raise _refused(path, "its manifest lacks what the sending desk knew")
    except BaseException:
        trail.close()
        raise
    return Bundle(path, manifest, rows, dots, tombstones, trail, sha)


def _parsed(path: Path, parts, trail: Trail):
    known = tables()
    columns = {name: set(table.c.keys()) for name, table in known.items()}
    rows: dict[str, dict[str, dict]] = {}
    dots: dict[RowKey, Dot] = {}
    tombstones: dict[RowKey, Dot] = {}
    for kind, name, item in parts:
        if kind == "entry":
            trail.add(str(name), item)
        elif kind == "tombstone":
            t, r, d, c = item
            tombstones[(t, r)] = (str(d), int(c))
        elif kind == "table":
            if name not in known:
                raise _refused(path, f"it holds a table this version does not know ({name})")
            rows[name] = {}
        else:
            table = known[name]
            row_id, desk_id, counter, values = item
            if not isinstance(values, dict) or values.keys() != columns[name] or key_of(table, values) != row_id:
                raise _refused(path, f"its {name} row {row_id} does not have that table's columns")
            rows[name][row_id] = values
            dots[(name, row_id)] = (str(desk_id), int(counter))
    trail.done()
    return rows, dots, tombstones


def chain_problem(entries: Iterable[dict[str, Any]], previous: tuple[int, str]) -> str | None:
    """Why a received trail does not chain on from `previous` (id, hash), None if it does."""
    previous_id, previous_hash = previous
    for entry in entries:
        if entry["id"] != previous_id + 1:
            return f"entry {previous_id + 1} is missing before entry {entry['id']}"
        values = {**entry, "at": datetime.fromisoformat(entry["at"])}
        if audit.entry_hash(previous_hash, values) != entry["hash"]:
            return f"entry {entry['id']} does not follow the chain"
        previous_id, previous_hash = entry["id"], entry["hash"]
    return None


def received_trails(connection) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for chain, *entry in connection.exec_driver_sql(
        f"SELECT chain, {', '.join(ENTRY_COLUMNS)} FROM received_entry ORDER BY chain, id"
    ):
        found[chain].append(dict(zip(ENTRY_COLUMNS, entry, strict=True)))
    return found


def verify_received(connection) -> dict[str, str | None]:
    """Each received trail checked from its first entry: {chain: None if whole, else why not}. A trail
    first received part-way (relayed by a desk that held only its later part) is checked from there."""
    found = {}
    for chain, entries in received_trails(connection).items():
        first = entries[0]
        start = (0, audit.GENESIS) if first["id"] == 1 else (first["id"], first["hash"])
        found[chain] = chain_problem(entries if first["id"] == 1 else entries[1:], start)
    return found
