"""Importing events from CSV: ACLED exports (the current and the pre-2023 layout) and Accord Desk's own.

`read_event_file` needs no database. It checks the file (size, UTF-8, header) and every row, so
nothing is written unless the whole file is valid, or, when invalid rows are to be skipped, the
rows it lists are left out. `import_events` then compares the rows with the record by their key,
ACLED's event_id_cnty (kept as Event.external_id) or the event id of Accord Desk's CSV: a new key
is added, a known one is updated when the file says something else, and the events that earlier
imports of the same data brought (the import files of the events this file matches) but this file
lacks are reported and kept. Importing a file twice therefore changes nothing the second time.
Fields an ACLED file does not carry (grade, links, agreement) are the officer's and never touched.

The file is read column by column (EventFile) and written through db/bulk.py: INSERTs compiled by
SQLAlchemy Core, values handed to the driver's executemany (tests/bench_import.py has the figures).

Audit. The import is one action, "Import events FILE". Its ImportFile row and any new actors go
through the ORM and are audited like every change. The added events get ONE entry (insert, table
event, row id the ImportFile's id) listing their ids: each of them points to the ImportFile, whose
SHA-256 identifies the file that holds their content as inserted, so the trail stays complete. An
entry per added row would have doubled the import's time (100,000 JSON documents and audit rows).
Each updated event gets its own entry with the values before and after, actors and links included,
because an update overwrites what no file keeps.

Runs off the UI thread as it is: no module state, and with a Store it opens its own transactions
(reading the file takes no lock). `progress(done, total)` returning False cancels, and nothing is
written.
"""

import codecs
import csv
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, col, select

from db import audit
from db.actors import actor_keys, find_or_create_actors
from db.bulk import bulk_insert
from db.clock import utc_now
from db.errors import ImportCancelled, ImportFileError, UserError
from db.event_csv import COLUMNS as OWN_COLUMNS
from db.event_csv import ROLE_COLUMNS, TEXT_COLUMNS, parse_links, unprotect
from db.event_rules import (
    FIELD_COLUMNS,
    FORM_TEXT_FIELDS,
    EventForm,
    missing_half,
    parse_actor_names,
    parse_date,
    parse_fatalities,
    parse_geo_precision,
    parse_latitude,
    parse_longitude,
    parse_text,
    quoted,
    read_form,
    required,
)
from db.models import Agreement, Event, EventActor, EventObligation, ImportFile, Obligation, new_ids
from db.store import Store
from db.vocabulary import DatePrecision, Origin

MAX_FILE_BYTES = 500 * 2**20
CHUNK_ROWS = 5_000  # rows per Core statement, and how often progress is told
IN_CHUNK = 10_000  # keys per IN (…) lookup, well below SQLite's 32,766 variables
Progress = Callable[[int, int], bool | None]


class FileFormat(StrEnum):
    ACLED = "acled"
    ACLED_PRE_2023 = "acled-pre-2023"
    ACCORD_DESK = "accord-desk"


FORMAT_LABELS = {
    FileFormat.ACLED: "an ACLED export",
    FileFormat.ACLED_PRE_2023: "an ACLED export (pre-2023 layout)",
    FileFormat.ACCORD_DESK: "an Accord Desk event export",
}
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
ACLED_PRE_2023_COLUMNS = (
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "timestamp", "iso3",
)  # fmt: skip
_ACLED_PRECISION = {"1": DatePrecision.DAY, "2": DatePrecision.WEEK, "3": DatePrecision.MONTH}


def _acled_date(text: str):
    return parse_date(text, acled=True)


def _acled_precision(text: str) -> str:
    try:
        return _ACLED_PRECISION[text.strip()]
    except KeyError:
        raise ValueError(
            f"{quoted(text.strip())} is not a time precision; ACLED writes 1 (day), 2 (week) or 3 (month)"
        ) from None


# (ACLED column, Event column, parser): what an ACLED row sets, and all an update may change.
_ACLED_FIELDS = (
    ("event_date", "occurred_on", _acled_date),
    ("time_precision", "date_precision", _acled_precision),
    ("event_type", "event_type", required("the cell is empty; every event has a type")),
    ("sub_event_type", "sub_event_type", parse_text),
    ("actor1", None, None),
    ("assoc_actor_1", None, None),
    ("actor2", None, None),
    ("assoc_actor_2", None, None),
    ("country", "country", parse_text),
    ("admin1", "admin1", parse_text),
    ("admin2", "admin2", parse_text),
    ("admin3", "admin3", parse_text),
    ("location", "location", parse_text),
    ("latitude", "latitude", parse_latitude),
    ("longitude", "longitude", parse_longitude),
    ("geo_precision", "geo_precision", parse_geo_precision),
    ("source", "source_name", required("the cell is empty; every event needs its source")),
    ("notes", "notes", parse_text),
    ("fatalities", "fatalities", parse_fatalities),
)
_ACLED_READ = ("event_id_cnty", *(column for column, _, _ in _ACLED_FIELDS))
# Text first, then the parsed values: the order of an ACLED row's values (see _acled_reader).
_ACLED_SETS = tuple(
    [name for _, name, parse in _ACLED_FIELDS if parse is parse_text]
    + [name for _, name, parse in _ACLED_FIELDS if parse not in (None, parse_text)]
)
_OWN_SETS = (*FIELD_COLUMNS, "external_id")


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None
    message: str  # what is wrong, without a full stop

    @property
    def where(self) -> str:
        return f"line {self.line}" + (f", column {self.column}" if self.column else "")

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class EventFile:
    """A checked file, column by column: the values of its valid rows, and the problems of the others.

    Columns, because a parser then runs once per distinct cell and the rows go to the database
    without a Python object apiece: reading 100,000 rows one by one took three times as long.
    """

    path: Path
    format: FileFormat
    sha256: str
    lines: int  # in the file, for the progress bar
    sets: tuple[str, ...]  # the Event columns the file sets
    starts: list[int]  # the line each valid row begins on
    keys: list[str]  # ACLED's event_id_cnty, or the event id of Accord Desk's CSV
    columns: list[Sequence[Any]]  # one per name in `sets`
    actors: list[tuple]  # each row's actors: per role (ROLE_COLUMNS' order), a tuple of (role, name)
    links: list[tuple[tuple[str, str], ...]] | None  # (clause ref, bearing): Accord Desk's CSV only
    problems: list[RowProblem]

    def __len__(self) -> int:
        return len(self.keys)

    def values(self, row: int) -> tuple:
        return tuple(column[row] for column in self.columns)

    def value(self, row: int, name: str) -> Any:
        return self.columns[self.sets.index(name)][row]

    def names(self) -> list[str]:
        """Every actor name in the file, once, in the order first met."""
        return list(dict.fromkeys(name for groups in self.actors for group in groups for _, name in group))


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
    skipped: list[RowProblem] = field(default_factory=list)
    new_actors: list[str] = field(default_factory=list)
    dry_run: bool = False
    import_file_id: str | None = None

    def lines(self, most: int = 20) -> list[str]:
        """The report as the command line prints it and the window shows it."""

        def some(keys: list[str]) -> str:
            more = f" and {len(keys) - most:,} more" if len(keys) > most else ""
            return ", ".join(keys[:most]) + more

        label = FORMAT_LABELS.get(self.format, self.format)
        lines = [
            f"{self.file} ({label}, SHA-256 {self.sha256[:12]}…): {self.rows:,} valid rows.",
            f"{'Would add' if self.dry_run else 'Added'} {len(self.added):,}, "
            f"{'would update' if self.dry_run else 'updated'} {len(self.updated):,}, "
            f"unchanged {len(self.unchanged):,}.",
        ]
        if self.updated:
            lines.append(f"Updated: {some(self.updated)}.")
        if self.missing:
            lines.append(
                f"Not in this file, kept: {_plural(len(self.missing), 'event')} imported earlier ({some(self.missing)})."
            )
        if self.new_actors:
            lines.append(f"New actors: {some(self.new_actors)}.")
        if self.skipped:
            lines.append(f"Skipped {_plural(len(self.skipped), 'invalid row')}:")
            lines.extend(f"  {problem}" for problem in self.skipped)
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class _Progress:
    """Reading is the first half of the bar, writing the second; False from the callback cancels."""

    def __init__(self, callback: Progress | None, path: Path, lines: int):
        self.callback, self.path, self.half = callback, path, max(lines, 1)

    def tell(self, done: int) -> None:
        if self.callback is not None and self.callback(min(done, 2 * self.half), 2 * self.half) is False:
            raise ImportCancelled(f"The import of {self.path} was cancelled; nothing was written.")

    def wrote(self, done: int, total: int) -> None:
        self.tell(self.half + self.half * done // max(total, 1))


def _fail(path: Path, where: str, message: str) -> ImportFileError:
    return ImportFileError(f"{path}{', ' + where if where else ''}: {message}.")


def _check_bytes(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and number of lines; refuses a missing, oversized or non-UTF-8 file."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _fail(path, "", "is a folder; choose the CSV file itself")
        if size > MAX_FILE_BYTES:
            raise _fail(
                path, "", f"the file is {size / 2**20:,.0f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
                "an import reads; split it, e.g. by year, and import the parts"
            )  # fmt: skip
        digest, lines, decoder = hashlib.sha256(), 1, codecs.getincrementaldecoder("utf-8")()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    line = lines + chunk[: max(error.start, 0)].count(b"\n")
                    bad = error.object[error.start : error.start + 1].hex().upper()
                    raise _fail(
                        path, f"line {line}", f"the file is not UTF-8 (byte 0x{bad} cannot be read); "
                        "save it as UTF-8 (in Excel: CSV UTF-8) and import it again"
                    ) from None  # fmt: skip
                lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _fail(path, f"line {lines}", "the file ends in the middle of a character; it is not UTF-8 "
                        "or was cut short; export it again") from None  # fmt: skip
    except FileNotFoundError:
        raise _fail(path, "", "no such file; check the path") from None
    except OSError as error:
        raise _fail(path, "", f"cannot be read ({error.strerror}); check its permissions") from None
    return digest.hexdigest(), lines


def _format(path: Path, header: list[str]) -> tuple[FileFormat, tuple[str, ...]]:
    names = set(header)
    for name in names:
        if header.count(name) > 1:
            raise _fail(path, "line 1", f"the header names the column {name} twice; export the file again")
    candidates = [
        (len(names & set(_ACLED_READ)), FileFormat.ACLED, _ACLED_READ),
        (len(names & set(OWN_COLUMNS)), FileFormat.ACCORD_DESK, OWN_COLUMNS),
    ]
    found, kind, wanted = max(candidates, key=lambda candidate: candidate[0])
    if found < 3:
        raise _fail(
            path, "line 1", "the header names no columns of an ACLED export (event_id_cnty, event_date, …) "
            "nor of Accord Desk's (id, occurred_on, …); choose an ACLED or Accord Desk CSV with its header row"
        )  # fmt: skip
    if kind == FileFormat.ACLED and names & {"data_id", "event_id_no_cnty", "iso3"}:
        kind = FileFormat.ACLED_PRE_2023
    missing = [name for name in wanted if name not in names]
    if missing:
        raise _fail(
            path, "line 1", f"the header lacks the column{'s' * (len(missing) > 1)} {', '.join(missing)} "
            f"of {FORMAT_LABELS[kind]}; export the file again with all columns"
        )  # fmt: skip
    return kind, wanted


def _column(cells: Sequence[str], parse: Callable[[str], Any]) -> tuple[list, dict[int, str]]:
    """The cells parsed, each distinct one once; and what is wrong with the ones that fail, by row."""
    converted, failed = {}, {}
    for cell in set(cells):
        try:
            converted[cell] = parse(cell)
        except ValueError as error:
            failed[cell] = str(error)
    if not failed:
        return list(map(converted.__getitem__, cells)), {}
    return [converted.get(cell) for cell in cells], {i: failed[c] for i, c in enumerate(cells) if c in failed}


def _acled_key(cell: str) -> str:
    if key := cell.strip():
        return key
    raise ValueError("the cell is empty; every ACLED row has its event id")


def _acled_names(role: str) -> Callable[[str], tuple[tuple[str, str], ...]]:
    role = str(role)  # a plain str, not the enum: tuples of plain values are left alone by the GC

    def names(cell: str) -> tuple[tuple[str, str], ...]:
        return tuple((role, name) for name in map(str.strip, cell.split(";")) if name)

    return names


class _Problems:
    """What is wrong with each row: the first problem in the order of the header's columns."""

    def __init__(self, header: list[str]):
        self.position = {name: index for index, name in enumerate(header)}
        self.found: dict[int, tuple[int, str, str]] = {}

    def add(self, column: str, failures: dict[int, str]) -> None:
        position = self.position.get(column, len(self.position))
        for row, message in failures.items():
            if row not in self.found or position < self.found[row][0]:
                self.found[row] = (position, column, message)

    def rows(self, starts: list[int]) -> list[RowProblem]:
        return [RowProblem(starts[row], column, message) for row, (_, column, message) in self.found.items()]


def _duplicates(keys: list, column: str, starts: list[int], problems: _Problems) -> None:
    first: dict[str, int] = {}
    repeated = {}
    for row, key in enumerate(keys):
        if key is None:
            continue
        if key in first:
            repeated[row] = f"{key} appears again (first on line {starts[first[key]]})"
        else:
            first[key] = row
    problems.add(column, repeated)


def _acled_file(header, records, starts, problems: _Problems) -> tuple:
    """The valid rows' keys, columns and actors, checked column by column."""
    at = {name: index for index, name in enumerate(header)}
    cells = list(zip(*records, strict=True)) if records else [() for _ in header]
    records.clear()  # the columns hold it all now
    keys, failures = _column(cells[at["event_id_cnty"]], _acled_key)
    problems.add("event_id_cnty", failures)
    columns = {}
    for column, name, parse in _ACLED_FIELDS:
        if parse is not None:
            columns[name], failures = _column(cells[at[column]], parse)
            problems.add(column, failures)
    latitude, longitude = columns["latitude"], columns["longitude"]
    half = {
        row: missing_half({"latitude": a, "longitude": b}, "latitude", "longitude")
        for row, (a, b) in enumerate(zip(latitude, longitude, strict=True))
        if (a is None) is not (b is None)
    }
    for name in ("latitude", "longitude"):
        message = f"the {name} is missing; give both coordinates or neither"
        problems.add(name, {row: message for row, missing in half.items() if missing == name})
    by_role = [_column(cells[at[column]], _acled_names(role))[0] for role, column in ROLE_COLUMNS.items()]
    actors = list(zip(*by_role, strict=True))
    _duplicates(keys, "event_id_cnty", starts, problems)
    return keys, [columns[name] for name in _ACLED_SETS], actors, None


def _own_file(header, records, starts, problems: _Problems) -> tuple:
    """The valid rows of Accord Desk's CSV, each checked by the event form's rules."""
    at = {name: header.index(name) for name in OWN_COLUMNS}
    text = frozenset(TEXT_COLUMNS)
    keys, values, actors, links = [], [], [], []
    for row, cells in enumerate(records):
        try:
            key, value, named, linked = _own_row(
                {c: unprotect(cells[i]) if c in text else cells[i] for c, i in at.items()}
            )
        except _Bad as bad:
            problems.add(bad.column, {row: bad.message})
            key, value, named, linked = None, (None,) * len(_OWN_SETS), (), ()
        keys.append(key)
        values.append(value)
        actors.append(named)
        links.append(linked)
    _duplicates(keys, "id", starts, problems)
    return keys, list(zip(*values, strict=True)) or [()] * len(_OWN_SETS), actors, links


def _own_row(cell: dict[str, str]) -> tuple[str, tuple, tuple, tuple]:
    key = cell["id"].strip()
    try:
        uuid.UUID(key)
    except ValueError:
        raise _Bad("id", f"{quoted(key)} is not an event id; keep the ids of the exported file") from None
    named = tuple(
        tuple(
            (str(role), name)
            for name in _parsed(lambda text: parse_actor_names(text.split(";")), cell, column)
        )
        for role, column in ROLE_COLUMNS.items()
    )
    linked = _parsed(parse_links, cell, "links")
    external_id = _parsed(parse_text, cell, "external_id")
    fields, found = read_form(EventForm(**{name: cell[name] for name in FORM_TEXT_FIELDS}, links=linked))
    if found:
        raise _Bad(*next(iter(found.items())))
    return key, (*(getattr(fields, name) for name in FIELD_COLUMNS), external_id), named, tuple(linked)


class _Bad(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


def _parsed(parse: Callable[[str], Any], cell: dict[str, str], column: str) -> Any:
    try:
        return parse(cell[column])
    except ValueError as error:
        raise _Bad(column, str(error)) from None


def read_event_file(path: Path | str, progress: Progress | None = None) -> EventFile:
    """Check the whole file; ImportFileError for a fault of the file, RowProblem for each bad row."""
    path = Path(path)
    sha256, lines = _check_bytes(path)
    told = _Progress(progress, path, lines)
    records, starts, problems = [], [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next((cells for cells in reader if cells), None)
            if header is None:
                raise _fail(path, "", "the file is empty; export the events again")
            header = [name.strip().lower() for name in header]
            kind, _ = _format(path, header)
            line = reader.line_num + 1
            for cells in reader:
                if len(cells) == len(header):
                    records.append(tuple(cells))  # a tuple of str: the GC soon stops walking it
                    starts.append(line)
                    if len(records) % CHUNK_ROWS == 0:
                        told.tell(line)
                elif cells:
                    message = f"the row has {len(cells)} values where the header names {len(header)} columns"
                    problems.append(RowProblem(line, None, message))
                line = reader.line_num + 1
        except csv.Error as error:
            raise _fail(
                path, f"line {reader.line_num}", f"{_csv_problem(error)}; export the file again"
            ) from None
    if not records and not problems:
        raise _fail(path, "", "the file holds a header but no events; check the export's filters")
    found = _Problems(header)
    own = kind == FileFormat.ACCORD_DESK
    keys, columns, actors, links = (_own_file if own else _acled_file)(header, records, starts, found)
    del records
    problems.extend(found.rows(starts))
    if found.found:  # keep the valid rows only
        valid = [row for row in range(len(keys)) if row not in found.found]
        keys, starts, actors = (
            [keys[r] for r in valid],
            [starts[r] for r in valid],
            [actors[r] for r in valid],
        )
        columns = [[column[r] for r in valid] for column in columns]
        links = [links[r] for r in valid] if links is not None else None
    problems.sort(key=lambda problem: problem.line)
    sets = _OWN_SETS if own else _ACLED_SETS
    return EventFile(path, kind, sha256, lines, sets, starts, keys, columns, actors, links, problems)


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"a value is longer than {csv.field_size_limit():,} characters, more than any event holds"
    if "unexpected end of data" in text:
        return "a quoted value is never closed (the file may be cut short)"
    return f"the CSV is malformed ({text})"


def _refuse(path: Path, problems: list[RowProblem]) -> ImportFileError:
    first = problems[0]
    others = f" ({len(problems):,} rows are invalid)" if len(problems) > 1 else ""
    return _fail(
        path,
        first.where,
        f"{first.message}; correct the file and import it again, or skip the invalid rows{others}",
    )


def import_events(
    target: Store | Session, path: Path | str, *, dry_run: bool = False, skip_invalid: bool = False,
    progress: Progress | None = None, agreement_id: str | None = None,
) -> ImportReport:  # fmt: skip
    """Import an event file; with a Store, in its own transaction ("Import events NAME").

    With a Session, the caller's transaction holds the work and must be rolled back on an error.
    `agreement_id` is given to the ACLED events added (Accord Desk's CSV names its own).
    """
    path = Path(path)
    file = read_event_file(path, progress)
    if file.problems and not skip_invalid:
        raise _refuse(path, file.problems)
    told = _Progress(progress, path, file.lines)
    if isinstance(target, Store):
        if dry_run:
            with target.reading() as session:
                return _import(session, file, True, skip_invalid, told, agreement_id)
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


def _chunks(items: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _select_in(session: Session, columns: Iterable, key, values: list) -> Iterator[tuple]:
    connection = session.connection()
    for part in _chunks(values):
        yield from connection.execute(select(*columns).where(col(key).in_(part)))


def _import(session, file: EventFile, dry_run, skip_invalid, told, agreement_id) -> ImportReport:
    if agreement_id is not None and session.get(Agreement, agreement_id) is None:
        raise UserError("The agreement to import the events into is no longer in the record; choose another.")
    plan = _plan(session, file)
    if plan.problems and not skip_invalid:
        raise _refuse(file.path, plan.problems)
    report = ImportReport(
        file=str(file.path), sha256=file.sha256, format=file.format, rows=len(plan.rows),
        added=[file.keys[r] for r in plan.added], updated=[file.keys[r] for r, _ in plan.updated],
        unchanged=[file.keys[r] for r in plan.unchanged], missing=plan.missing,
        skipped=sorted(plan.problems, key=lambda p: p.line), new_actors=list(plan.new_names.values()),
        dry_run=dry_run,
    )  # fmt: skip
    if not dry_run and (plan.added or plan.updated):
        report.import_file_id = _write(session, file, plan, told, agreement_id)
    told.wrote(1, 1)  # the bar full; a cancel now still rolls everything back
    return report


def _plan(session: Session, file: EventFile) -> _Plan:
    plan = _Plan(problems=list(file.problems))
    _resolve_links(session, file, plan)
    own = file.format == FileFormat.ACCORD_DESK
    plan.rows = [row for row in range(len(file)) if not own or row in plan.links]
    existing = _existing(session, file, plan.rows)
    known = actor_keys(session)
    for name in file.names():
        if (key := name.casefold()) not in known:
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
            or _actor_set(file.actors[row], known) != current_actors.get(event_id, frozenset())
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
    for found in _select_in(session, [key], Event.import_file_id, sorted(related)):
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
                raise _Bad(
                    "agreement_id",
                    f"no agreement {agreement_id} is in this record; import the agreement first",
                )
            links = []
            for ref, bearing in refs:
                matches = [o for a, o in by_ref.get(ref, ()) if agreement_id in (None, a)]
                if len(matches) != 1:
                    what = "no obligation" if not matches else "more than one agreement's obligation"
                    raise _Bad(
                        "links",
                        f"{what} has the clause reference {ref}; link the event in the window instead",
                    )
                links.append((matches[0], bearing))
            plan.links[row] = tuple(links)
        except _Bad as bad:
            plan.problems.append(RowProblem(file.starts[row], bad.column, bad.message))


def _existing(session, file: EventFile, rows: list[int]) -> dict:
    """Events the rows match: key (or ("external_id", id)) → (event id, import file id, values)."""
    sets = file.sets
    columns = [Event.id, Event.import_file_id, *(getattr(Event, name) for name in sets)]
    keys = [file.keys[row] for row in rows]
    found = {}
    if file.format == FileFormat.ACCORD_DESK:
        for event_id, import_file_id, *values in _select_in(session, columns, Event.id, keys):
            found[event_id] = (event_id, import_file_id, tuple(values))
        external = [file.value(row, "external_id") for row in rows if file.keys[row] not in found]
        for event_id, import_file_id, *values in _select_in(
            session, columns, Event.external_id, [e for e in external if e]
        ):
            found[("external_id", values[sets.index("external_id")])] = (
                event_id,
                import_file_id,
                tuple(values),
            )
    else:
        for event_id, import_file_id, *values in _select_in(
            session, [*columns, Event.external_id], Event.external_id, keys
        ):
            external_id = values.pop()
            found[external_id] = (event_id, import_file_id, tuple(values))
    return found


def _current_links(session, event_ids: list[str], own: bool) -> tuple[dict, dict]:
    actors, links = defaultdict(set), defaultdict(set)
    for event_id, actor_id, role in _select_in(
        session, [EventActor.event_id, EventActor.actor_id, EventActor.role], EventActor.event_id, event_ids
    ):
        actors[event_id].add((actor_id, role))
    if own:
        for event_id, obligation_id, bearing in _select_in(
            session, [EventObligation.event_id, EventObligation.obligation_id, EventObligation.bearing],
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


def _actor_set(actors: tuple, known: dict[str, str]) -> frozenset:
    """(actor id, role) pairs of a row; an unknown name stands for the actor the import will make."""
    return frozenset(
        _by_actor(actors, lambda name: known.get(name.casefold(), f"new:{name.casefold()}")).items()
    )


def _write(session, file: EventFile, plan: _Plan, told: _Progress, agreement_id: str | None) -> str:
    known = actor_keys(session)
    find_or_create_actors(session, list(plan.new_names.values()), known)
    actor_ids = {name: known[name.casefold()] for name in file.names()}
    who = audit.who(session)
    import_file = session.exec(select(ImportFile).where(ImportFile.sha256 == file.sha256)).first()
    if import_file is None:  # the same content imported again keeps pointing to its first record
        import_file = ImportFile(file_name=file.path.name, sha256=file.sha256, format=file.format,
                                 row_count=len(file), imported_by=who)  # fmt: skip
        session.add(import_file)
        session.flush()
    connection = session.connection()
    own = file.format == FileFormat.ACCORD_DESK
    constants = {
        "source_reference": None, "source_accessed_on": None, "reliability": None, "credibility": None,
        "agreement_id": agreement_id, "origin": str(Origin.IMPORTED), "import_file_id": import_file.id,
        "recorded_at": utc_now(), "recorded_by": who,
    }  # fmt: skip
    for name in file.sets:
        constants.pop(name, None)  # what the file sets, it sets
    rows = plan.added
    everything = len(rows) == len(file)
    columns = {
        name: column if everything else [column[r] for r in rows]
        for name, column in zip(file.sets, file.columns, strict=True)
    }
    # New ids handed out in ascending order: SQLite then appends to the primary-key indexes of the
    # events and of their actor links instead of splitting pages all over them (12% faster).
    ids = [file.keys[r] for r in rows] if own else sorted(new_ids(len(rows)))
    if not own:
        columns["external_id"] = [file.keys[r] for r in rows]
    total = len(rows) + len(plan.updated)
    for start in range(0, len(rows), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, len(rows))
        part = {"id": ids[start:stop], **{name: column[start:stop] for name, column in columns.items()}}
        bulk_insert(connection, Event, part, constants)
        _link(connection, file, plan, ids[start:stop], rows[start:stop], actor_ids)
        told.wrote(stop, total)
    if rows:
        audit.record_many(session, [("insert", "event", import_file.id, None, {
            "import_file_id": import_file.id, "file_name": file.path.name, "sha256": file.sha256, "event_ids": ids,
        })])  # fmt: skip
    done = len(rows)
    for part in _chunks(plan.updated, CHUNK_ROWS):
        _update(session, file, plan, part, actor_ids, import_file.id)
        done += len(part)
        told.wrote(done, total)
    return import_file.id


def _link(connection, file: EventFile, plan: _Plan, event_ids: list[str], rows: list[int], actor_ids) -> None:
    """The actor and obligation links of new or updated events."""
    pairs = list(zip(event_ids, rows, strict=True))
    actors = [
        (e, a, role) for e, r in pairs for a, role in _by_actor(file.actors[r], actor_ids.__getitem__).items()
    ]
    links = [(e, obligation, bearing) for e, r in pairs for obligation, bearing in plan.links.get(r, ())]
    for model, names, values, constants in (
        (EventActor, ("event_id", "actor_id", "role"), actors, {}),
        (EventObligation, ("event_id", "obligation_id", "bearing"), links, {"note": None}),
    ):
        if values:
            bulk_insert(
                connection, model, dict(zip(names, zip(*values, strict=True), strict=True)), constants
            )


def _update(session, file: EventFile, plan: _Plan, part, actor_ids, import_file_id: str) -> None:
    connection = session.connection()
    names = [*file.sets, "import_file_id"]
    statement = (
        update(Event)
        .where(Event.id == bindparam("event_id_"))
        .values({name: bindparam(f"{name}_") for name in names})
    )
    rows, entries = [], []
    for row, before in part:
        event_id = before["event_id"]
        values = {**dict(zip(file.sets, file.values(row), strict=True)), "import_file_id": import_file_id}
        rows.append({"event_id_": event_id, **{f"{name}_": values[name] for name in names}})
        after = {**values, "actors": sorted(_by_actor(file.actors[row], actor_ids.__getitem__).items())}
        if file.links is not None:
            after["links"] = sorted(plan.links[row])
        entries.append(("update", "event", event_id, audit.plain_values(before), audit.plain_values(after)))
    connection.execute(statement, rows)
    ids = [before["event_id"] for _, before in part]
    connection.execute(delete(EventActor).where(col(EventActor.event_id).in_(ids)))
    if file.links is not None:
        connection.execute(delete(EventObligation).where(col(EventObligation.event_id).in_(ids)))
    _link(connection, file, plan, ids, [row for row, _ in part], actor_ids)
    audit.record_many(session, entries)
