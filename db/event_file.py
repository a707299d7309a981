"""Reading an event CSV without the database: ACLED exports (current and pre-2023 layouts) and Accord Desk's own.

`read_event_file` checks the file (size, UTF-8, header) and every row, column by column, into an
EventFile, so that db.event_import writes nothing unless the whole file is valid or, when invalid rows
are to be skipped, the rows it lists are left out. Errors name the file, the line and the column.
"""

import codecs
import csv
import hashlib
import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from db.errors import ImportCancelled, ImportFileError
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
from db.vocabulary import DatePrecision

MAX_FILE_BYTES = 500 * 2**20
CHUNK_ROWS = 5_000  # rows per Core statement, and how often progress is told
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
_ACLED_PRECISION = {"1": str(DatePrecision.DAY), "2": str(DatePrecision.WEEK), "3": str(DatePrecision.MONTH)}


def _acled_date(text: str):
    return parse_date(text, acled=True)


def _acled_precision(text: str) -> str:
    try:
        return _ACLED_PRECISION[text.strip()]
    except KeyError:
        raise ValueError(
            f"{quoted(text.strip())} is not a time precision; ACLED writes 1 (day), 2 (week) or 3 (month)"
        ) from None


_NEED_TYPE = required("the cell is empty; every event has a type")
_NEED_SOURCE = required("the cell is empty; every event needs its source")


# (ACLED column, Event column, parser): what an ACLED row sets, and all an update may change.
_ACLED_FIELDS = (
    ("event_date", "occurred_on", _acled_date),
    ("time_precision", "date_precision", _acled_precision),
    ("event_type", "event_type", _NEED_TYPE),
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
    ("source", "source_name", _NEED_SOURCE),
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

    @cached_property
    def names(self) -> list[str]:
        """Every actor name in the file, once, in the order first met."""
        return list(dict.fromkeys(name for groups in self.actors for group in groups for _, name in group))


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class ImportProgress:
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


def _too_large(path: Path) -> ImportFileError:
    return _fail(
        path, "", f"the file is larger than the {MAX_FILE_BYTES // 2**20} MB an import reads; split it, "
        "e.g. by year, and import the parts"
    )  # fmt: skip


class _Hashed(io.RawIOBase):
    """The bytes of a file as they are read: their SHA-256, and a refusal once more than MAX_FILE_BYTES
    came, whatever the file's size said (/dev/zero says 0 and never ends)."""

    def __init__(self, path: Path, handle):
        self.path, self.handle, self.digest, self.size = path, handle, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.size += count
        if self.size > MAX_FILE_BYTES:
            raise _too_large(self.path)
        self.digest.update(memoryview(buffer)[:count])
        return count


def _check_bytes(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and number of lines; refuses a missing, oversized or non-UTF-8 file."""
    try:
        if path.is_dir():
            raise _fail(path, "", "is a folder; choose the CSV file itself")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _too_large(path)
        lines, decoder = 1, codecs.getincrementaldecoder("utf-8")()
        with path.open("rb", buffering=0) as raw, _Hashed(path, raw) as handle:
            while chunk := handle.read(1 << 20):
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
    return handle.digest.hexdigest(), lines


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
    """The cells parsed, each distinct one once; and what is wrong with the ones that fail, by row.

    A text column's parser (a strip) costs less than finding the distinct cells: it runs on every
    cell unless one fails (notes: 27 ms instead of 138 ms for 100,000 rows).
    """
    if parse in _TEXT_PARSERS:
        try:
            return [parse(cell) for cell in cells], {}
        except ValueError:
            pass  # the way below finds every failing cell
    converted, failed = dict.fromkeys(cells), {}  # one hash table: the distinct cells, then their values
    for cell in converted:
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


_TEXT_PARSERS = frozenset((parse_text, _NEED_TYPE, _NEED_SOURCE, _acled_key))


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
        except BadCell as bad:
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
        raise BadCell("id", f"{quoted(key)} is not an event id; keep the ids of the exported file") from None
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
        raise BadCell(*next(iter(found.items())))
    return key, (*(getattr(fields, name) for name in FIELD_COLUMNS), external_id), named, tuple(linked)


class BadCell(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


def _parsed(parse: Callable[[str], Any], cell: dict[str, str], column: str) -> Any:
    try:
        return parse(cell[column])
    except ValueError as error:
        raise BadCell(column, str(error)) from None


def read_event_file(
    path: Path | str, progress: Progress | None = None, checked: EventFile | None = None
) -> EventFile:
    """Check the whole file; ImportFileError for a fault of the file, RowProblem for each bad row.

    `checked`, the same file read before (a dry run's), is returned as it is if the file's bytes
    have not changed since: only its SHA-256 is computed again.
    """
    path = Path(path)
    sha256, lines = _check_bytes(path)
    if checked is not None and checked.path == path and checked.sha256 == sha256:
        return checked
    told = ImportProgress(progress, path, lines)
    records, starts, problems = [], [], []
    # The rows are hashed as they are parsed, so the SHA-256 recorded is that of the bytes imported.
    with path.open("rb", buffering=0) as raw, _Hashed(path, raw) as hashed:
        handle = io.TextIOWrapper(io.BufferedReader(hashed, 1 << 20), encoding="utf-8-sig", newline="")
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
                    records.append(cells)  # as the reader made it: copying cost 10% of the reading
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
        if hashed.digest.hexdigest() != sha256:
            raise _fail(
                path, "", "the file changed while it was being read (another program is writing it); "
                "import it again once it is complete"
            )  # fmt: skip
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


def refusal(path: Path, problems: list[RowProblem]) -> ImportFileError:
    first = problems[0]
    others = f" ({len(problems):,} rows are invalid)" if len(problems) > 1 else ""
    return _fail(
        path,
        first.where,
        f"{first.message}; correct the file and import it again, or skip the invalid rows{others}",
    )
