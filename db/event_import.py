"""Importing events from CSV: ACLED exports (current, pre-2023, 2015-era, HDX), UCDP GED and Accord Desk's own.

`read_event_file` (db/event_file.py) needs no database: it checks the file's bytes and header, and its
chunks' rows as it reads them. `import_events` reads the file once, a chunk at a time, inside its one
transaction: each chunk is checked, compared with the record and written, and a file with an invalid row
anywhere is refused and rolled back (unless invalid rows are to be skipped: then the rows it lists are left
out). Each row is compared with the record by its key,
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

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, col, select

from db import audit, backup, content, search
from db.actor_roster import add_alias
from db.actors import actor_keys, find_or_create_actors, fold_ranges
from db.bulk import KeysMet, bulk_insert, collection_paused, select_matching
from db.clock import utc_now
from db.duplicates import last_rowid, record_places, rows_like_record
from db.errors import UserError
from db.event_file import (
    CHUNK_ROWS,
    FORMAT_LABELS,
    BadCell,
    Chunk,
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
from db.ids import alias_id, event_ids, free_id, import_file_id
from db.models import Actor, ActorAlias, Agreement, Event, EventActor, EventObligation, ImportFile, Obligation
from db.store import Store
from db.vocabulary import Origin


class Keys(Sequence[str]):
    """Keys as a report lists them, a chunk's as one JSON text (like audit.IdList): a million str objects in
    a list took 66 MB, as text 13. A list's behaviour for reading: len, iteration, indexing, ==."""

    def __init__(self, keys: Iterable[str] = ()):
        self.parts: list[str] = []
        self.count = 0
        self.extend(list(keys))

    def extend(self, keys: list[str]) -> None:
        if keys:
            self.parts.append(json.dumps(keys, ensure_ascii=False))
            self.count += len(keys)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        for part in self.parts:
            yield from json.loads(part)

    def __getitem__(self, index):
        if isinstance(index, slice) and index.step is None and min(index.start or 0, index.stop or 0) >= 0:
            return list(islice(self, index.start, index.stop))  # a report's first few, without the rest
        return list(self)[index]

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


@dataclass
class ImportReport:
    file: str
    sha256: str
    format: str
    rows: int  # valid rows in the file
    added: Keys = field(default_factory=Keys)  # keys: event_id_cnty or event id
    updated: Keys = field(default_factory=Keys)
    unchanged: Keys = field(default_factory=Keys)
    missing: list[str] = field(default_factory=list)  # imported earlier, not in this file: kept
    # added rows that look like an event already in the record (db/duplicates.py): (key, that event's label)
    likely_duplicates: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)
    new_actors: list[str] = field(default_factory=list)
    new_aliases: list[tuple[str, str]] = field(default_factory=list)  # (a folded name, the actor it names)
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
        if self.new_aliases:
            aliases = [f"'{alias}' of {actor}" for alias, actor in self.new_aliases]
            lines.append(f"{'Would save' if self.dry_run else 'Saved'} as aliases: {some(aliases)}.")
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
    `checked` (a dry run's report.checked) keeps the day/month order its rows decided if its bytes are
    unchanged. `date_order` ("dmy"/"mdy") reads numeric dates when the file cannot tell (db/event_dates.py).
    """
    path = Path(path)
    with collection_paused():
        file = read_event_file(path, checked, date_order)
        told = ImportProgress(progress, path, file.lines)
        if isinstance(target, Store):
            if dry_run:
                with target.reading() as session:
                    return _import(session, file, True, skip_invalid, told, agreement_id)
            backup.back_up(target, backup.Reason.IMPORT)
            with target.writing(f"Import events {path.name}") as session:
                return _import(session, file, False, skip_invalid, told, agreement_id)
        return _import(target, file, dry_run, skip_invalid, told, agreement_id)


def _import(session, file: EventFile, dry_run, skip_invalid, told, agreement_id) -> ImportReport:
    """One pass over the file: each chunk read, checked, compared with the record and written. A problem
    that refuses the file (invalid rows not skipped) stops the writing; the rest of the file is read for
    its problems, and the refusal rolls back what the chunks before it wrote."""
    if agreement_id is not None and session.get(Agreement, agreement_id) is None:
        raise UserError("The agreement to import the events into is no longer in the record; choose another.")
    with KeysMet() as met:
        work = _Import(session, file, dry_run, skip_invalid, agreement_id, met)
        for chunk in file.chunks():
            work.chunk(chunk)
            told.tell(chunk.starts[-1] if chunk.starts else 0)
        work.finish(told.full)  # Cancel is heard between its long statements
    problems = sorted(file.problems + work.problems, key=lambda p: p.line)
    if problems and not skip_invalid:
        raise refusal(file.path, problems)
    told.full()  # a cancel now still rolls everything back
    return ImportReport(
        file=str(file.path), sha256=file.sha256, format=file.format, rows=work.rows, added=work.added,
        updated=work.updated, unchanged=work.unchanged, missing=work.missing, skipped=problems,
        new_actors=list(work.new_names.values()), new_aliases=list(work.aliases.values()),
        placed=work.placed, how=file.how, dry_run=dry_run, checked=file, likely_duplicates=work.likely_duplicates,
        import_file_id=work.import_file.id if work.import_file is not None else None,
    )  # fmt: skip


class _Import:
    """One import's work, a chunk of the file at a time: what the chunk's rows change, found against the
    record before any of them is written, and (unless a dry run) the writing. Rows are compared with the
    record by their key; what earlier imports of the same data brought and this file lacks is found last.
    Once a row of the file is invalid and invalid rows are not skipped, nothing more is written and the
    import ends in a refusal (its transaction rolled back)."""

    def __init__(self, session, file: EventFile, dry_run: bool, skip_invalid: bool, agreement_id: str | None,
                 met: KeysMet):  # fmt: skip
        self.session, self.file, self.agreement_id, self.met = session, file, agreement_id, met
        self.writing, self.skip_invalid = not dry_run, skip_invalid
        self.own = file.format == FileFormat.ACCORD_DESK
        self.problems: list[RowProblem] = []  # besides the file's own (file.problems)
        self.added, self.updated, self.unchanged, self.missing = Keys(), Keys(), Keys(), []
        self.likely_duplicates: list[tuple[str, str]] = []  # (key, the label of the event it looks like)
        self.rows = 0  # the rows that can be imported
        self.last_before = last_rowid(session)  # the record's events before the import (db.duplicates)
        self.places = record_places(session)  # and their places
        self.related: set[str] = set()  # the import files of the events this file matches
        self.known = actor_keys(session)  # casefolded name or alias → actor id, learning the names made
        self.folded: dict[str, str] = {}  # a name's key → the key of the actor it is (db.actors.fold_ranges)
        self.new_names: dict[str, str] = {}  # casefolded → as first written, in the order met
        self.aliases: dict[str, tuple[str, str]] = {}  # folded key → (alias as written, the actor's name)
        self.unmade: list[str] = []  # new names (and folded keys) met since the writer last made actors
        self.titles = {a.id: a.short_title or a.title for a in session.exec(select(Agreement))}
        self.placed: dict[str, int] = {}  # added events by the agreement they go under ("" for none)
        self.by_ref: dict[str, list[tuple[str, str]]] = defaultdict(
            list
        )  # clause ref → (agreement, obligation)
        if self.own:
            for obligation_id, agreement, ref in session.exec(
                select(Obligation.id, Obligation.agreement_id, Obligation.ref)
            ):
                self.by_ref[ref].append((agreement, obligation_id))
        self.import_file: ImportFile | None = None  # made when the first row is written
        self.pending = _Pending()

    def _meet(self, chunk: Chunk) -> None:
        """The actor names of the chunk's rows that no row before named: which fold into another's actor
        (ACLED's renamed ranges, against the record and the names met before) and which are new."""
        written: dict[str, str] = {}
        for groups in dict.fromkeys(chunk.actors):
            for group in groups:
                for _, name in group:
                    key = name.casefold()
                    if key not in self.known and key not in self.new_names and key not in self.folded:
                        written.setdefault(key, name)
        if not written:
            return
        met = {**self.known, **{key: f"new:{key}" for key in self.new_names}}
        folded = fold_ranges(written.values(), met)
        for key, target in folded.items():
            self.folded[key] = target
            actor = self.new_names.get(target) or written.get(target)
            if actor is None:  # an actor of the record: its rows compare with the record's as that actor's
                self.known[key] = met[target]
                actor = self.session.get(Actor, met[target]).name
            self.aliases[key] = (written[key], actor)
        for key, name in written.items():
            if key not in folded:
                self.new_names[key] = name
        self.unmade += written

    def chunk(self, chunk: Chunk) -> None:
        file, session = self.file, self.session
        self._meet(chunk)
        rows, first = [], self.met.first_lines(chunk.keys)  # a key met again makes an invalid row
        fresh = {}
        for row, key, line in zip(chunk.rows, chunk.keys, chunk.starts, strict=True):
            if (met := first.get(key) or fresh.get(key)) is not None:
                self.problems.append(RowProblem(line, file.key, f"{key} appears again (first on line {met})"))
            else:
                fresh[key] = line
                rows.append(row)
        self.met.add(fresh.items())
        if self.own:
            links = self._resolve_links(chunk, rows)
            rows = [row for row in rows if row in links]
        else:
            links = {}
        self.rows += len(rows)
        existing = _existing(session, file, chunk, rows)
        current_actors, current_links = _current_links(
            session, [event[0] for event in existing.values()], self.own
        )
        added, updated, unchanged = [], [], []
        for row in rows:
            key = chunk.key(row)
            found = existing.get(key) or (
                self.own and existing.get(("external_id", chunk.value(row, "external_id")))
            )
            if not found:
                added.append(row)
                chosen = chunk.value(row, "agreement_id") if self.own else self.agreement_id
                label = self.titles.get(chosen, "") if chosen else ""
                self.placed[label] = self.placed.get(label, 0) + 1
                continue
            event_id, import_file_id, before = found
            self.related.add(import_file_id)
            linked = frozenset(links[row]) if self.own else None
            if (
                before != chunk.values(row)
                or _actor_set(chunk.row_actors(row), self.known, self.folded)
                != current_actors.get(event_id, frozenset())
                or (linked is not None and linked != current_links.get(event_id, frozenset()))
            ):
                before_values = dict(zip(file.sets, before, strict=True))
                before_values.update(actors=sorted(current_actors.get(event_id, ())), event_id=event_id)
                if linked is not None:
                    before_values["links"] = sorted(current_links.get(event_id, ()))
                updated.append((row, before_values))
            else:
                unchanged.append(key)
        self.added.extend([chunk.key(row) for row in added])
        self.updated.extend([chunk.key(row) for row, _ in updated])
        self.unchanged.extend(unchanged)
        # Against the record as it was: not the events this import wrote from earlier chunks.
        for row, like in rows_like_record(session, chunk, added, self.last_before, self.places).items():
            self.likely_duplicates.append((chunk.key(row), like.label))
        if (file.problems or self.problems) and not self.skip_invalid:
            self.writing = False  # the import will be refused: only the rest of its problems are looked for
        if not self.writing or not (added or updated):
            return
        writer = self._writer()
        writer.meet()
        self.pending.add(chunk, added, links)
        while len(self.pending) >= CHUNK_ROWS:
            writer.add(self.pending.take(CHUNK_ROWS))
        if updated:
            writer.update(chunk, updated, links)

    def _writer(self) -> "_Writer":
        if self.import_file is None:
            self.writer = _Writer(self)
            self.import_file = self.writer.import_file
        return self.writer

    def finish(self, between: Callable[[], None]) -> None:
        if self.import_file is not None and self.writing:
            if len(self.pending):
                self.writer.add(self.pending.take(len(self.pending)))
            self.writer.finish(between)
        self.related.discard(None)
        if not self.related:
            return
        key = Event.id if self.own else Event.external_id
        found = [k for (k,) in select_matching(self.session.connection(), [key], Event.import_file_id, sorted(self.related))]
        for start in range(0, len(found), CHUNK_ROWS):
            some = found[start : start + CHUNK_ROWS]
            met = self.met.first_lines(some)
            self.missing += [k for k in some if k not in met]
        self.missing.sort()

    def _resolve_links(self, chunk: Chunk, rows: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
        """The obligation ids of each row's clause refs; rows naming unknown ones become problems."""
        resolved = {}
        for row in rows:
            try:
                agreement_id = chunk.value(row, "agreement_id")
                if agreement_id is not None and agreement_id not in self.titles:
                    raise BadCell(
                        "agreement_id",
                        f"no agreement {agreement_id} is in this record; import the agreement first",
                    )
                links = []
                for ref, bearing in chunk.row_links(row):
                    matches = [o for a, o in self.by_ref.get(ref, ()) if agreement_id in (None, a)]
                    if len(matches) != 1:
                        what = "no obligation" if not matches else "more than one agreement's obligation"
                        raise BadCell(
                            "links",
                            f"{what} has the clause reference {ref}; link the event in the window instead",
                        )
                    links.append((matches[0], bearing))
                resolved[row] = tuple(links)
            except BadCell as bad:
                self.problems.append(RowProblem(chunk.line(row), bad.column, bad.message))
        return resolved


class _Pending:
    """Added rows waiting to be written: they are written CHUNK_ROWS at a time, whatever the chunks of the
    file they came from held, so the audit entry's digest reads them back in the same chunks."""

    def __init__(self):
        self.keys, self.columns, self.actors, self.links = [], None, [], []

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, chunk: Chunk, rows: list[int], links: dict) -> None:
        if self.columns is None:
            self.columns = [[] for _ in chunk.columns]
        at = [row - chunk.rows.start for row in rows]  # picked in C (a generator per column was 4% of an import)
        for column, values in zip(self.columns, chunk.columns, strict=True):
            column.extend(map(values.__getitem__, at))
        self.keys.extend(map(chunk.keys.__getitem__, at))
        self.actors.extend(map(chunk.actors.__getitem__, at))
        self.links.extend(links.get(r, ()) for r in rows)

    def order_by(self, ids: list[str]) -> None:
        """The rows in the order of their event ids: SQLite then appends to the primary-key indexes of the
        events and of their actor links instead of splitting pages all over them (12% faster)."""
        order = sorted(range(len(ids)), key=ids.__getitem__)
        self.keys = [self.keys[i] for i in order]
        self.columns = [[column[i] for i in order] for column in self.columns]
        self.actors = [self.actors[i] for i in order]
        self.links = [self.links[i] for i in order]

    def take(self, count: int) -> "_Pending":
        taken = _Pending()
        taken.keys, self.keys = self.keys[:count], self.keys[count:]
        taken.columns = [column[:count] for column in self.columns]
        self.columns = [column[count:] for column in self.columns]
        taken.actors, self.actors = self.actors[:count], self.actors[count:]
        taken.links, self.links = self.links[:count], self.links[count:]
        return taken


def _existing(session, file: EventFile, chunk: Chunk, rows: list[int]) -> dict:
    """Events the rows match: key (or ("external_id", id)) → (event id, import file id, values)."""
    sets = file.sets
    columns = [Event.id, Event.import_file_id, *(getattr(Event, name) for name in sets)]
    keys = [chunk.key(row) for row in rows]
    found = {}
    if file.format == FileFormat.ACCORD_DESK:
        for event_id, import_file_id, *values in select_matching(
            session.connection(), columns, Event.id, keys
        ):
            found[event_id] = (event_id, import_file_id, tuple(values))
        external = [chunk.value(row, "external_id") for row in rows if chunk.key(row) not in found]
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
        session.connection(),
        [EventActor.event_id, EventActor.actor_id, EventActor.role],
        EventActor.event_id,
        event_ids,
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


class _Writer:
    """Writes an import's rows: its ImportFile and new actors first, then the added events CHUNK_ROWS at a
    time (with their actor and obligation links), the updated ones as they come, and last the added events'
    search index rows and their one audit entry."""

    def __init__(self, work: _Import):
        self.work, session, file = work, work.session, work.file
        known = work.known
        self.roles = _Roles(lambda name: known[name.casefold()])
        who = audit.who(session)
        import_file = session.exec(select(ImportFile).where(ImportFile.sha256 == file.sha256)).first()
        if import_file is None:  # the same content imported again keeps pointing to its first record
            import_file = ImportFile(id=import_file_id(file.sha256), file_name=file.path.name, sha256=file.sha256,
                                     format=file.format, imported_by=who)  # fmt: skip
            session.add(import_file)
            session.flush()
            self.counted = import_file  # its rows are counted once the file is read
        else:
            self.counted = None
        self.import_file = import_file
        self.connection = session.connection()
        self.constants = {
            "source_reference": None, "source_accessed_on": None, "reliability": None, "credibility": None,
            "agreement_id": work.agreement_id, "origin": str(Origin.IMPORTED), "import_file_id": import_file.id,
            "recorded_at": utc_now(), "recorded_by": who, "version": 1,
        }  # fmt: skip
        for column in Event.__table__.columns:
            self.constants.setdefault(
                column.name, _UNSET.get(column.name)
            )  # a column the file lacks is imported empty
        for name in (*file.sets, "id", "external_id"):
            self.constants.pop(name, None)  # what the file sets, it sets
        self.ids = audit.IdList()  # of the added events, in the order written
        self.digest = audit.BulkDigest(CHUNK_ROWS)
        self.deferred = _defer_indexes(self.connection, file.lines) + search.hold_trigger(self.connection, search.EVENT_INSERT)
        # The updated events' audit entries, recorded after the added events' one entry, as the trail has
        # always had them (an event's history finds its import's entry by the import file it names now).
        self.updates: list[tuple] = []

    def meet(self) -> None:
        """Make the actors of the new names met since, and the aliases of the names folded into another's
        actor (audited as part of the import), so the next import finds them without folding them again;
        an alias gets one id on every desk (db.ids)."""
        work, session = self.work, self.work.session
        made = [work.new_names[key] for key in work.unmade if key in work.new_names]
        find_or_create_actors(session, made, work.known)
        for key in work.unmade:
            if key in work.folded:
                work.known[key] = work.known[work.folded[key]]
                add_alias(session, work.known[key], work.aliases[key][0], free_id(session, ActorAlias, alias_id(key)))
        work.unmade = []

    def add(self, pending: _Pending) -> None:
        file, connection = self.work.file, self.connection
        keys = pending.keys
        ids = keys if self.work.own else event_ids(keys)
        if not self.work.own:
            pending.order_by(ids)
            ids, keys = sorted(ids), pending.keys
        part = {"id": ids, **dict(zip(file.sets, pending.columns, strict=True))}
        if not self.work.own:
            part["external_id"] = keys
        search.pause_event_index(connection, True)  # indexed once all are in (finish), not row by row
        self.digest.add("event", *bulk_insert(connection, Event, part, self.constants))
        for table, written in _link(connection, ids, pending.actors, pending.links, self.roles).items():
            self.digest.add(table, *written)
        search.pause_event_index(connection, False)  # an update's own trigger indexes the event again
        self.ids.extend(ids)

    def update(self, chunk: Chunk, part: list[tuple[int, dict]], links: dict) -> None:
        self.updates += _update(self.work.session, self.work.file, chunk, part, self.roles, self.import_file.id, links)

    def finish(self, between: Callable[[], None]) -> None:
        if self.counted is not None:
            self.counted.row_count = self.work.rows
            self.work.session.flush()
        for create in self.deferred:
            between()
            self.connection.exec_driver_sql(create)
        if self.ids:
            between()
            search.pause_event_index(self.connection, True)  # the one statement below, not a row's trigger
            search.index_new_events(self.connection, self.work.last_before)
            search.pause_event_index(self.connection, False)
            between()
            file, import_file = self.work.file, self.import_file
            audit.record_many(self.work.session, [("insert", "event", import_file.id, None, {
                "import_file_id": import_file.id, "file_name": file.path.name, "sha256": file.sha256,
                "event_ids": self.ids, **self.digest.unit(),
            })])  # fmt: skip
        if self.updates:
            audit.record_many(self.work.session, self.updates)


# Kept through a bulk load: the import's own lookups use them (ids and external ids are the primary and
# unique keys; the likely duplicates are found by place and date).
_KEPT_INDEXES = ("ix_event_location_occurred_on",)


def _defer_indexes(connection, adding: int) -> list[str]:
    """Drop the other indexes of the events and their actor links for a load that more than doubles the
    events, returning the statements that make them again once the rows are in: SQLite builds an index
    from all its rows, sorted, far faster than it grows one a row at a time. Inside the import's
    transaction, so a refusal or a cancel puts them back with the rest."""
    if connection.dialect.name != "sqlite" or adding <= connection.exec_driver_sql("SELECT count(*) FROM event").scalar():
        return []
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('event', 'eventactor') "
        "AND sql IS NOT NULL"  # the primary and unique keys' own indexes have none
    ).all()
    deferred = [(name, create) for name, create in found if name not in _KEPT_INDEXES]
    for name, _create in deferred:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [create for _name, create in deferred]


_UNSET = {"date_precision": "day"}


class _Roles:
    """A row's (actor id, role) pairs. Rows share few combinations of actors: each is worked out once while
    it is kept. The combinations met grow with the file (7,350 in 100,000 generated rows, about 3,500 in a
    chunk of 5,000), so a chunk's worth at most are kept."""

    def __init__(self, actor_id: Callable[[str], str]):
        self.actor_id, self.seen = actor_id, {}

    def __call__(self, actors: tuple) -> tuple[tuple[str, str], ...]:
        if len(self.seen) > CHUNK_ROWS:
            self.seen.clear()
        found = self.seen.get(actors)
        if found is None:
            # by actor id: the order the import's digest and the check read an event's links in
            found = self.seen[actors] = tuple(sorted(_by_actor(actors, self.actor_id).items()))
        return found


def _link(connection, event_ids: list[str], actors: list[tuple], links: list[tuple], roles: _Roles) -> dict:
    """The actor and obligation links of new or updated events; what was written, by table
    (db.audit.BulkDigest), each event's links by actor (obligation), the order the check reads them in."""
    actor_rows = [
        (e, a, role) for e, named in zip(event_ids, actors, strict=True) for a, role in roles(named)
    ]
    link_rows = [
        (e, obligation, bearing)
        for e, linked in zip(event_ids, links, strict=True)
        for obligation, bearing in sorted(linked)
    ]
    written = {}
    for model, names, values, constants in (
        (EventActor, ("event_id", "actor_id", "role"), actor_rows, {"version": 1}),
        (EventObligation, ("event_id", "obligation_id", "bearing"), link_rows, {"note": None, "version": 1}),
    ):
        written[model.__tablename__] = (
            bulk_insert(
                connection, model, dict(zip(names, zip(*values, strict=True), strict=True)), constants
            )
            if values
            else ([], [])
        )
    return written


def _update(
    session, file: EventFile, chunk: Chunk, part, roles: _Roles, import_file_id: str, links: dict
) -> list:
    """Write the updated events and their links; their audit entries, for the caller to record."""
    connection = session.connection()
    names = [*file.sets, "import_file_id"]
    own = file.format == FileFormat.ACCORD_DESK
    statement = (
        update(Event)
        .where(Event.id == bindparam("event_id_"))
        .values({**{name: bindparam(f"{name}_") for name in names}, "version": Event.version + 1})
    )
    # The whole row before, so the trail says what the event was in every column (db.integrity).
    whole = {
        found.id: dict(found._mapping)
        for found in select_matching(
            connection, Event.__table__.columns, Event.id, [b["event_id"] for _, b in part]
        )
    }
    rows, entries = [], []
    for row, before in part:
        event_id = before["event_id"]
        before = {**whole[event_id], **before}
        values = {**dict(zip(file.sets, chunk.values(row), strict=True)), "import_file_id": import_file_id}
        rows.append({"event_id_": event_id, **{f"{name}_": values[name] for name in names}})
        after = {
            **before,
            **values,
            "version": before["version"] + 1,
            "actors": sorted(roles(chunk.row_actors(row))),
        }
        if own:
            after["links"] = sorted(links[row])
        entries.append(("update", "event", event_id, audit.plain_values(before), audit.plain_values(after)))
    ids = [before["event_id"] for _, before in part]
    with content.rows_changing(connection, "event", "id", ids):
        connection.execute(statement, rows)
    with content.rows_changing(connection, "eventactor", "event_id", ids):
        connection.execute(delete(EventActor).where(col(EventActor.event_id).in_(ids)))
    if own:
        with content.rows_changing(connection, "eventobligation", "event_id", ids):
            connection.execute(delete(EventObligation).where(col(EventObligation.event_id).in_(ids)))
    updated = [row for row, _ in part]
    # The links' inserts count themselves in the content digest (db.bulk).
    _link(connection, ids, [chunk.row_actors(r) for r in updated], [links.get(r, ()) for r in updated], roles)
    return entries
