"""Importing events from CSV: ACLED exports (current, pre-2023, 2015-era, HDX), UCDP GED and Accord Desk's own.

`read_event_file` (db/event_file.py) needs no database. It checks the file (size, encoding, header) and
every row, so nothing is written unless the whole file is valid, or, when invalid rows are to be
skipped, the rows it lists are left out. `import_events` then compares the rows with the record by their key,
the source's event id (kept as Event.external_id, namespaced by source: db/event_layouts.py) or the event
id of Accord Desk's CSV: a new key
is added, a known one is updated when the file says something else, and the events that earlier
imports of the same data brought (the import files of the events this file matches) but this file
lacks are reported and kept. Importing a file twice therefore changes nothing the second time.
Fields a source's file does not carry (grade, links, agreement) are the officer's and never touched, nor
are the columns a file lacks. Actor names map through db.actors, including ACLED's renamed ranges.

The file is read column by column (EventFile) and written through db/bulk.py: INSERTs compiled by
SQLAlchemy Core, values handed to the driver's executemany (tests/bench_import.py has the figures).

Audit. The import is one action, "Import events FILE". Its ImportFile row and any new actors go
through the ORM and are audited like every change. The added events get ONE entry (insert, table
event, row id the ImportFile's id) listing their ids, with a digest of the rows written (the events
and their links, db.audit.bulk_digest), so the check accounts for them with one hash. An entry per
added row would have doubled the import's time (100,000 JSON documents and audit rows).
Each updated event gets its own entry with the whole row before and after, actors and links included,
because an update overwrites what no file keeps.

Runs off the UI thread as it is: no module state, and with a Store it opens its own transactions
(reading the file takes no lock). `progress(done, total)` returning False cancels, and nothing is
written.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, col, select

from db import audit, backup, search
from db.actors import actor_keys, find_or_create_actors, fold_ranges
from db.bulk import bulk_insert, collection_paused, select_matching
from db.clock import utc_now
from db.duplicates import rows_like_record
from db.errors import UserError
from db.event_file import (
    CHUNK_ROWS,
    FORMAT_LABELS,
    BadCell,
    EventFile,
    FileFormat,
    ImportProgress,
    Progress,
    Reading,
    RowProblem,
    invalid_rows,
    plural,
    read_event_file,
    refusal,
)
from db.ids import event_ids, import_file_id
from db.models import Agreement, Event, EventActor, EventObligation, ImportFile, Obligation
from db.store import Store
from db.vocabulary import Origin


@dataclass
class ImportReport:
    file: str
    sha256: str
    format: str
    rows: int  # valid rows in the file
    added: list[str] = field(default_factory=list)  # keys: event_id_cnty or event id
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # imported earlier, not in this file: kept
    # added rows that look like an event already in the record (db/duplicates.py): (key, that event's label)
    likely_duplicates: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)
    new_actors: list[str] = field(default_factory=list)
    placed: dict[str, int] = field(default_factory=dict)  # added events by the agreement they went under
    how: Reading = field(default_factory=Reading)
    dry_run: bool = False
    import_file_id: str | None = None
    checked: EventFile | None = field(default=None, repr=False, compare=False)  # what was read

    def lines(self, most: int = 20) -> list[str]:
        """The report as the command line prints it and the window shows it."""

        def some(keys: list[str]) -> str:
            more = f" and {len(keys) - most:,} more" if len(keys) > most else ""
            return ", ".join(keys[:most]) + more

        label = FORMAT_LABELS.get(self.format, self.format)
        lines = [
            f"{self.file} ({label}, SHA-256 {self.sha256[:12]}…): {plural(self.rows, 'valid row')}.",
            *self.how.lines(),
            f"{'Would add' if self.dry_run else 'Added'} {len(self.added):,}, "
            f"{'would update' if self.dry_run else 'updated'} {len(self.updated):,}, "
            f"unchanged {len(self.unchanged):,}.",
        ]
        if self.likely_duplicates:
            new = len(self.added) - len(self.likely_duplicates)
            lines.append(
                f"Of the events {'to add' if self.dry_run else 'added'}, {plural(new, 'new event')} and "
                f"{plural(len(self.likely_duplicates), 'likely duplicate')} of events already in the record:"
            )
            lines.extend(f"  {key} looks like {label}" for key, label in self.likely_duplicates[:most])
            if len(self.likely_duplicates) > most:
                lines.append(f"  … and {len(self.likely_duplicates) - most:,} more.")
        for agreement, count in self.placed.items():
            where = f"under {agreement}" if agreement else "under no agreement"
            lines.append(f"{'Would put' if self.dry_run else 'Put'} {plural(count, 'new event')} {where}.")
        if self.updated:
            lines.append(f"Updated: {some(self.updated)}.")
        if self.missing:
            lines.append(
                f"Not in this file, kept: {plural(len(self.missing), 'event')} imported earlier ({some(self.missing)})."
            )
        if self.new_actors:
            lines.append(f"New actors: {some(self.new_actors)}.")
        if self.skipped:
            lines.append(f"Skipped {plural(invalid_rows(self.skipped), 'invalid row')}:")
            lines.extend(f"  {problem}" for problem in self.skipped)
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines


def import_events(
    target: Store | Session, path: Path | str, *, dry_run: bool = False, skip_invalid: bool = False,
    progress: Progress | None = None, agreement_id: str | None = None, checked: EventFile | None = None,
    date_order: str | None = None,
) -> ImportReport:  # fmt: skip
    """Import an event file; with a Store, in its own transaction ("Import events NAME").

    With a Session, the caller's transaction holds the work and must be rolled back on an error.
    `agreement_id` is given to the events added from other sources (Accord Desk's CSV names its own).
    `checked` (a dry run's report.checked) spares reading the file again if its bytes are unchanged.
    `date_order` ("dmy"/"mdy") reads numeric dates when the file cannot tell (db/event_dates.py).
    """
    path = Path(path)
    with collection_paused():
        file = read_event_file(path, progress, checked, date_order)
        if file.problems and not skip_invalid:
            raise refusal(path, file.problems)
        told = ImportProgress(progress, path, file.lines)
        if isinstance(target, Store):
            if dry_run:
                with target.reading() as session:
                    return _import(session, file, True, skip_invalid, told, agreement_id)
            backup.back_up(target, backup.Reason.IMPORT)
            with target.writing(f"Import events {path.name}") as session:
                return _import(session, file, False, skip_invalid, told, agreement_id)
        return _import(target, file, dry_run, skip_invalid, told, agreement_id)


@dataclass
class _Plan:
    """What the file's rows (by index) would change, found before anything is written."""

    added: list[int] = field(default_factory=list)
    updated: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # with the event before
    unchanged: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    new_names: dict[str, str] = field(default_factory=dict)  # casefolded → as first written
    problems: list[RowProblem] = field(default_factory=list)  # the file's, and rows naming what is unknown
    links: dict[int, tuple[tuple[str, str], ...]] = field(
        default_factory=dict
    )  # row → (obligation id, bearing)
    rows: list[int] = field(default_factory=list)  # the rows that can be imported
    folded: dict[str, str] = field(default_factory=dict)  # a name's key → the key of the actor it is


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _import(session, file: EventFile, dry_run, skip_invalid, told, agreement_id) -> ImportReport:
    if agreement_id is not None and session.get(Agreement, agreement_id) is None:
        raise UserError("The agreement to import the events into is no longer in the record; choose another.")
    plan = _plan(session, file)
    if plan.problems and not skip_invalid:
        raise refusal(file.path, plan.problems)
    report = ImportReport(
        file=str(file.path), sha256=file.sha256, format=file.format, rows=len(plan.rows),
        added=[file.keys[r] for r in plan.added], updated=[file.keys[r] for r, _ in plan.updated],
        unchanged=[file.keys[r] for r in plan.unchanged], missing=plan.missing,
        skipped=sorted(plan.problems, key=lambda p: p.line), new_actors=list(plan.new_names.values()),
        placed=_placed(session, file, plan.added, agreement_id), how=file.how, dry_run=dry_run, checked=file,
        likely_duplicates=[(file.keys[row], like.label) for row, like in rows_like_record(session, file, plan.added).items()],
    )  # fmt: skip
    if not dry_run and (plan.added or plan.updated):
        report.import_file_id = _write(session, file, plan, told, agreement_id)
    told.wrote(1, 1)  # the bar full; a cancel now still rolls everything back
    return report


def _placed(session, file: EventFile, added: list[int], agreement_id: str | None) -> dict[str, int]:
    """How many added events go under which agreement (its short title; "" for none)."""
    if file.format == FileFormat.ACCORD_DESK:
        chosen = [file.value(row, "agreement_id") for row in added]
    else:
        chosen = [agreement_id] * len(added)
    titles = {a.id: a.short_title or a.title for a in session.exec(select(Agreement))}
    placed: dict[str, int] = {}
    for agreement in chosen:
        label = titles.get(agreement, "") if agreement else ""
        placed[label] = placed.get(label, 0) + 1
    return placed


def _plan(session: Session, file: EventFile) -> _Plan:
    plan = _Plan(problems=list(file.problems))
    _resolve_links(session, file, plan)
    own = file.format == FileFormat.ACCORD_DESK
    plan.rows = [row for row in range(len(file)) if not own or row in plan.links]
    existing = _existing(session, file, plan.rows)
    known = actor_keys(session)
    plan.folded = fold_ranges(file.names, known)
    _fold(known, plan.folded)
    for name in file.names:
        if (key := name.casefold()) not in known and key not in plan.folded:
            plan.new_names.setdefault(key, name)
    current_actors, current_links = _current_links(session, [event[0] for event in existing.values()], own)
    related, seen_keys = set(), set()
    for row in plan.rows:
        seen_keys.add(file.keys[row])
        found = existing.get(file.keys[row]) or (
            own and existing.get(("external_id", file.value(row, "external_id")))
        )
        if not found:
            plan.added.append(row)
            continue
        event_id, import_file_id, before = found
        related.add(import_file_id)
        links = frozenset(plan.links[row]) if own else None
        if (
            before != file.values(row)
            or _actor_set(file.actors[row], known, plan.folded) != current_actors.get(event_id, frozenset())
            or (links is not None and links != current_links.get(event_id, frozenset()))
        ):
            before_values = dict(zip(file.sets, before, strict=True))
            before_values.update(actors=sorted(current_actors.get(event_id, ())), event_id=event_id)
            if links is not None:
                before_values["links"] = sorted(current_links.get(event_id, ()))
            plan.updated.append((row, before_values))
        else:
            plan.unchanged.append(row)
    related.discard(None)
    key = Event.id if own else Event.external_id
    for found in select_matching(session.connection(), [key], Event.import_file_id, sorted(related)):
        if found[0] not in seen_keys:
            plan.missing.append(found[0])
    plan.missing.sort()
    return plan


def _resolve_links(session, file: EventFile, plan: _Plan) -> None:
    """The obligation ids of each row's clause refs; rows naming unknown ones become problems."""
    if file.links is None:
        return
    agreements = set(session.exec(select(Agreement.id)).all())
    by_ref: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for obligation_id, agreement, ref in session.exec(
        select(Obligation.id, Obligation.agreement_id, Obligation.ref)
    ):
        by_ref[ref].append((agreement, obligation_id))
    for row, refs in enumerate(file.links):
        try:
            agreement_id = file.value(row, "agreement_id")
            if agreement_id is not None and agreement_id not in agreements:
                raise BadCell(
                    "agreement_id",
                    f"no agreement {agreement_id} is in this record; import the agreement first",
                )
            links = []
            for ref, bearing in refs:
                matches = [o for a, o in by_ref.get(ref, ()) if agreement_id in (None, a)]
                if len(matches) != 1:
                    what = "no obligation" if not matches else "more than one agreement's obligation"
                    raise BadCell(
                        "links",
                        f"{what} has the clause reference {ref}; link the event in the window instead",
                    )
                links.append((matches[0], bearing))
            plan.links[row] = tuple(links)
        except BadCell as bad:
            plan.problems.append(RowProblem(file.starts[row], bad.column, bad.message))


def _existing(session, file: EventFile, rows: list[int]) -> dict:
    """Events the rows match: key (or ("external_id", id)) → (event id, import file id, values)."""
    sets = file.sets
    columns = [Event.id, Event.import_file_id, *(getattr(Event, name) for name in sets)]
    keys = [file.keys[row] for row in rows]
    found = {}
    if file.format == FileFormat.ACCORD_DESK:
        for event_id, import_file_id, *values in select_matching(session.connection(), columns, Event.id, keys):
            found[event_id] = (event_id, import_file_id, tuple(values))
        external = [file.value(row, "external_id") for row in rows if file.keys[row] not in found]
        for event_id, import_file_id, *values in select_matching(
            session.connection(), columns, Event.external_id, [e for e in external if e]
        ):
            found[("external_id", values[sets.index("external_id")])] = (
                event_id,
                import_file_id,
                tuple(values),
            )
    else:
        for event_id, import_file_id, *values in select_matching(
            session.connection(), [*columns, Event.external_id], Event.external_id, keys
        ):
            external_id = values.pop()
            found[external_id] = (event_id, import_file_id, tuple(values))
    return found


def _current_links(session, event_ids: list[str], own: bool) -> tuple[dict, dict]:
    actors, links = defaultdict(set), defaultdict(set)
    for event_id, actor_id, role in select_matching(
        session.connection(), [EventActor.event_id, EventActor.actor_id, EventActor.role], EventActor.event_id, event_ids
    ):
        actors[event_id].add((actor_id, role))
    if own:
        for event_id, obligation_id, bearing in select_matching(
            session.connection(), [EventObligation.event_id, EventObligation.obligation_id, EventObligation.bearing],
            EventObligation.event_id, event_ids,
        ):  # fmt: skip
            links[event_id].add((obligation_id, bearing))
    return {k: frozenset(v) for k, v in actors.items()}, {k: frozenset(v) for k, v in links.items()}


def _by_actor(actors: tuple, actor_id: Callable[[str], str]) -> dict[str, str]:
    """Each actor once with its first role: two ACLED names may be one actor's aliases. The groups
    come in role order (ROLE_COLUMNS), so the first is the one that counts."""
    chosen: dict[str, str] = {}
    for group in actors:
        for role, name in group:
            chosen.setdefault(actor_id(name), role)
    return chosen


def _actor_set(actors: tuple, known: dict[str, str], folded: dict[str, str]) -> frozenset:
    """(actor id, role) pairs of a row; an unknown name stands for the actor the import will make."""

    def actor(name: str) -> str:
        key = name.casefold()
        return known.get(key) or f"new:{folded.get(key, key)}"

    return frozenset(_by_actor(actors, actor).items())


def _fold(known: dict[str, str], folded: dict[str, str]) -> None:
    """Names folded into another's actor (db.actors.fold_ranges) find that actor, once it exists."""
    for key, target in folded.items():
        if target in known:
            known[key] = known[target]


def _write(session, file: EventFile, plan: _Plan, told: ImportProgress, agreement_id: str | None) -> str:
    known = actor_keys(session)
    find_or_create_actors(session, list(plan.new_names.values()), known)
    _fold(known, plan.folded)
    roles = _Roles({name: known[name.casefold()] for name in file.names})
    who = audit.who(session)
    import_file = session.exec(select(ImportFile).where(ImportFile.sha256 == file.sha256)).first()
    if import_file is None:  # the same content imported again keeps pointing to its first record
        import_file = ImportFile(id=import_file_id(file.sha256), file_name=file.path.name, sha256=file.sha256, format=file.format,
                                 row_count=len(file), imported_by=who)  # fmt: skip
        session.add(import_file)
        session.flush()
    connection = session.connection()
    constants = {
        "source_reference": None, "source_accessed_on": None, "reliability": None, "credibility": None,
        "agreement_id": agreement_id, "origin": str(Origin.IMPORTED), "import_file_id": import_file.id,
        "recorded_at": utc_now(), "recorded_by": who, "version": 1,
    }  # fmt: skip
    for column in Event.__table__.columns:
        constants.setdefault(column.name, _UNSET.get(column.name))  # a column the file lacks is imported empty
    for name in (*file.sets, "id", "external_id"):
        constants.pop(name, None)  # what the file sets, it sets
    rows = plan.added
    own = file.format == FileFormat.ACCORD_DESK
    # An event's id derives from its source's id (db.ids), the same on every desk that imports it. In
    # ascending order: SQLite then appends to the primary-key indexes of the events and of their actor
    # links instead of splitting pages all over them (12% faster).
    ids = [file.keys[r] for r in rows] if own else event_ids([file.keys[r] for r in rows])
    if not own:
        ids, rows = map(list, zip(*sorted(zip(ids, rows, strict=True)), strict=True)) if rows else ([], [])
    everything = len(rows) == len(file) and rows == list(range(len(file)))
    columns = {
        name: column if everything else [column[r] for r in rows]
        for name, column in zip(file.sets, file.columns, strict=True)
    }
    if not own:
        columns["external_id"] = [file.keys[r] for r in rows]
    total = len(rows) + len(plan.updated)
    digest = audit.BulkDigest(CHUNK_ROWS)
    search.pause_event_index(connection, True)  # indexed a chunk at a time below, not row by row
    for start in range(0, len(rows), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, len(rows))
        part = {"id": ids[start:stop], **{name: column[start:stop] for name, column in columns.items()}}
        digest.add("event", *bulk_insert(connection, Event, part, constants))
        for table, written in _link(connection, file, plan, ids[start:stop], rows[start:stop], roles).items():
            digest.add(table, *written)
        search.index_events(connection, ids[start:stop])
        told.wrote(stop, total)
    search.pause_event_index(connection, False)
    if rows:
        audit.record_many(session, [("insert", "event", import_file.id, None, {
            "import_file_id": import_file.id, "file_name": file.path.name, "sha256": file.sha256, "event_ids": ids,
            **digest.unit(),
        })])  # fmt: skip
    done = len(rows)
    for part in _chunks(plan.updated, CHUNK_ROWS):
        _update(session, file, plan, part, roles, import_file.id)
        done += len(part)
        told.wrote(done, total)
    return import_file.id


_UNSET = {"date_precision": "day"}


class _Roles:
    """A row's (actor id, role) pairs. Rows share few combinations of actors: each is worked out once."""

    def __init__(self, actor_ids: dict[str, str]):
        self.actor_ids, self.seen = actor_ids, {}

    def __call__(self, actors: tuple) -> tuple[tuple[str, str], ...]:
        found = self.seen.get(actors)
        if found is None:
            # by actor id: the order the import's digest and the check read an event's links in
            found = self.seen[actors] = tuple(sorted(_by_actor(actors, self.actor_ids.__getitem__).items()))
        return found


def _link(connection, file: EventFile, plan: _Plan, event_ids: list[str], rows: list[int], roles: _Roles) -> dict:
    """The actor and obligation links of new or updated events; what was written, by table
    (db.audit.BulkDigest), each event's links by actor (obligation), the order the check reads them in."""
    pairs = list(zip(event_ids, rows, strict=True))
    actors = [(e, a, role) for e, r in pairs for a, role in roles(file.actors[r])]
    links = [(e, obligation, bearing) for e, r in pairs for obligation, bearing in sorted(plan.links.get(r, ()))]
    written = {}
    for model, names, values, constants in (
        (EventActor, ("event_id", "actor_id", "role"), actors, {"version": 1}),
        (EventObligation, ("event_id", "obligation_id", "bearing"), links, {"note": None, "version": 1}),
    ):
        written[model.__tablename__] = (
            bulk_insert(connection, model, dict(zip(names, zip(*values, strict=True), strict=True)), constants)
            if values
            else ([], [])
        )
    return written


def _update(session, file: EventFile, plan: _Plan, part, roles: _Roles, import_file_id: str) -> None:
    connection = session.connection()
    names = [*file.sets, "import_file_id"]
    statement = (
        update(Event)
        .where(Event.id == bindparam("event_id_"))
        .values({**{name: bindparam(f"{name}_") for name in names}, "version": Event.version + 1})
    )
    # The whole row before, so the trail says what the event was in every column (db.integrity).
    whole = {
        found.id: dict(found._mapping)
        for found in select_matching(connection, Event.__table__.columns, Event.id, [b["event_id"] for _, b in part])
    }
    rows, entries = [], []
    for row, before in part:
        event_id = before["event_id"]
        before = {**whole[event_id], **before}
        values = {**dict(zip(file.sets, file.values(row), strict=True)), "import_file_id": import_file_id}
        rows.append({"event_id_": event_id, **{f"{name}_": values[name] for name in names}})
        after = {**before, **values, "version": before["version"] + 1, "actors": sorted(roles(file.actors[row]))}
        if file.links is not None:
            after["links"] = sorted(plan.links[row])
        entries.append(("update", "event", event_id, audit.plain_values(before), audit.plain_values(after)))
    connection.execute(statement, rows)
    ids = [before["event_id"] for _, before in part]
    connection.execute(delete(EventActor).where(col(EventActor.event_id).in_(ids)))
    if file.links is not None:
        connection.execute(delete(EventObligation).where(col(EventObligation.event_id).in_(ids)))
    _link(connection, file, plan, ids, [row for row, _ in part], roles)
    audit.record_many(session, entries)
