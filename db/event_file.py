"""Reading an event CSV without the database: the layouts of db/event_layouts.py (ACLED's current,
pre-2023 and 2015-era exports, HDX editions, UCDP GED) and Accord Desk's own.

`read_event_file` checks the file (size, encoding, header) and every row, column by column, into an
EventFile, so that db.event_import writes nothing unless the whole file is valid or, when invalid rows
are to be skipped, the rows it lists are left out. Errors name the file, the line and the column, and
every problem of a row is listed, not only the first.

Files as they arrive: UTF-8 (with or without a byte-order mark) or else Windows-1252; ',' or ';' or tab
between values; CRLF line ends; a row of HXL hashtags under the header (HDX); extra columns (ignored and
reported); absent optional columns (imported empty and reported); missing values as R, pandas or Stata
write them (db/event_text.py); garbled text repaired by ftfy and counted; dates in the forms spreadsheets
write, with the file's day/month order (db/event_dates.py); a last record cut off mid-field is an invalid
row, never half an event.
"""

import codecs
import csv
import hashlib
import io
import itertools
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from db.errors import DateOrderUnknown, ImportCancelled, ImportFileError
from db.event_csv import COLUMNS as OWN_COLUMNS
from db.event_csv import OPTIONAL as OWN_OPTIONAL
from db.event_csv import ROLE_COLUMNS, TEXT_COLUMNS, parse_links, unprotect
from db.event_dates import DateColumnError, read_dates
from db.event_layouts import LAYOUTS, TEXT, Layout, choose_layout
from db.event_rules import (
    FIELD_COLUMNS,
    FORM_TEXT_FIELDS,
    EventForm,
    missing_half,
    parse_actor_names,
    parse_text,
    quoted,
    range_end,
    read_form,
)
from db.event_text import MISSING, Repairs, blank_missing, repair_text, separator
from db.phrasing import plural
from db.values import all_storable
from db.vocabulary import DatePrecision

# What an import holds at once, not the size of the file it reads (a 1M-row ACLED export is 440 MB, ACLED's
# global history three times that): the bytes of one chunk of rows, or of one line.
MAX_HELD_BYTES = 500 * 2**20
CHUNK_ROWS = 5_000  # rows read, checked and written at a time; how often progress is told
Progress = Callable[[int, int], bool | None]


class FileFormat(StrEnum):
    ACLED = "acled"
    ACLED_PRE_2023 = "acled-pre-2023"
    ACLED_2015 = "acled-2015"
    UCDP = "ucdp-ged"
    ACCORD_DESK = "accord-desk"


FORMAT_LABELS = {
    **{FileFormat(layout.format): layout.label for layout in LAYOUTS},
    FileFormat.ACCORD_DESK: "an Accord Desk event export",
}
_OWN_SETS = (*FIELD_COLUMNS, "external_id", "same_happening_as")
WINDOWS_1252 = "cp1252"


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
class Reading:
    """How a file was read: what the report says besides the rows."""

    encoding: str = "utf-8"
    separator: str = ","
    hashtag_line: int | None = None  # HDX's row of HXL hashtags, skipped
    absent: tuple[str, ...] = ()  # columns of the layout the file lacks: imported empty
    ignored: tuple[str, ...] = ()  # columns the layout does not know: not imported
    repaired: int = 0  # distinct values whose garbled encoding ftfy repaired
    date_order: str | None = None  # the day/month order numeric dates were read in
    order_given: str | None = None  # the order the officer gave, if any

    def lines(self) -> list[str]:
        said = []
        if self.encoding == WINDOWS_1252:
            said.append("Read as Windows-1252 (the file is not UTF-8).")
        if self.separator != ",":
            said.append(
                f"Values separated by {'tabs' if self.separator == chr(9) else repr(self.separator)}."
            )
        if self.hashtag_line:
            said.append(f"Line {self.hashtag_line} holds HXL hashtags (an HDX edition): skipped.")
        if self.date_order:
            how = "as given" if self.order_given else "as the file's unambiguous dates tell"
            said.append(f"Dates read {'day' if self.date_order == 'dmy' else 'month'} first, {how}.")
        if self.absent:
            said.append(f"Columns absent, imported empty: {', '.join(self.absent)}.")
        if self.ignored:
            said.append(f"Columns not in the layout, ignored: {', '.join(self.ignored)}.")
        if self.repaired:
            said.append(f"Repaired garbled text (mojibake) in {plural(self.repaired, 'distinct value')}.")
        return said


@dataclass
class EventFile:
    """A checked file: what the check keeps of every valid row (key, line, actors) and the problems of the
    others; the rows' values are read again, a chunk at a time, by `chunks()`.

    The check reads the file in chunks too and keeps no cell it does not need, so memory stays flat
    however long the file is. Within a chunk it works column by column, because a parser then runs once
    per distinct cell: reading 100,000 rows one by one took three times as long.
    """

    path: Path
    format: FileFormat
    sha256: str
    lines: int  # in the file, for the progress bar
    sets: tuple[str, ...]  # the Event columns the file sets
    starts: Sequence[int]  # the line each valid row begins on (`_lines`)
    keys: list[str]  # ACLED's event_id_cnty, or the event id of Accord Desk's CSV
    actors: list[tuple]  # each row's actors: per role (ROLE_COLUMNS' order), a tuple of (role, name)
    problems: list[RowProblem]
    invalid: frozenset[int]  # the rows (counted among all the file's rows) the problems leave out
    how: Reading = field(default_factory=Reading)  # how the file was read, for the report

    def __len__(self) -> int:
        return len(self.keys)

    @cached_property
    def names(self) -> list[str]:
        """Every actor name in the file, once, in the order first met."""
        return list(
            dict.fromkeys(
                name for groups in dict.fromkeys(self.actors) for group in groups for _, name in group
            )
        )

    def chunks(self) -> "Iterator[Chunk]":
        """The valid rows' values, CHUNK_ROWS rows of the file at a time, read as the check read them.

        ImportFileError at the end if the file's bytes are no longer those checked."""
        how = replace(self.how)
        repairs, done = Repairs(), 0
        with _Rows(self.path, how.encoding, self.sha256) as rows:
            for offset, records, starts in rows.chunks():
                keep = [i for i in range(len(records)) if offset + i not in self.invalid]
                unused = _Problems(rows.header)
                _keys, _sets, columns, actors, links = (
                    _own_file(rows.header, records, unused)
                    if rows.layout is None
                    else _source_file(rows.layout, rows.header, records, starts, unused, how, repairs)
                )
                if len(keep) < len(starts):
                    columns = [[column[i] for i in keep] for column in columns]
                    actors = [actors[i] for i in keep]
                    links = [links[i] for i in keep] if links is not None else None
                yield Chunk(range(done, done + len(keep)), columns, actors, links, self.sets)
                done += len(keep)


@dataclass
class Chunk:
    """Some of a checked file's valid rows (`rows`, numbered as in the EventFile), column by column."""

    rows: range
    columns: list[Sequence[Any]]  # one per name in `sets`
    actors: list[tuple]
    links: list[tuple[tuple[str, str], ...]] | None  # (clause ref, bearing): Accord Desk's CSV only
    sets: tuple[str, ...]

    def values(self, row: int) -> tuple:
        return tuple(column[row - self.rows.start] for column in self.columns)

    def value(self, row: int, name: str) -> Any:
        return self.columns[self.sets.index(name)][row - self.rows.start]

    def row_actors(self, row: int) -> tuple:
        return self.actors[row - self.rows.start]

    def row_links(self, row: int) -> tuple:
        return self.links[row - self.rows.start]


def invalid_rows(problems: list[RowProblem]) -> int:
    """How many rows the problems concern (a row may have several)."""
    return len({problem.line for problem in problems})


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


def _held_too_much(path: Path) -> ImportFileError:
    return _fail(
        path, "", f"more than {MAX_HELD_BYTES / 2**20:g} MB come without a line break or within {CHUNK_ROWS:,} rows, "
        "more than an import holds at once; check that this is an event CSV"
    )  # fmt: skip


def _block() -> int:
    """How much is read at a time: well under what may be held."""
    return min(1 << 20, MAX_HELD_BYTES // 4)


class _Hashed(io.RawIOBase):
    """The bytes of a file as they are read: their SHA-256, and a refusal once more than MAX_HELD_BYTES
    came since the reader last let go of what it holds (`release`), whatever the file's size."""

    def __init__(self, path: Path, handle):
        self.path, self.handle, self.digest, self.held = path, handle, hashlib.sha256(), 0
        self.last = b""  # the last byte read

    def readable(self) -> bool:
        return True

    def release(self) -> None:
        self.held = 0

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.held += count
        if self.held > MAX_HELD_BYTES + _block():  # the block read ahead is not held yet
            raise _held_too_much(self.path)
        self.digest.update(memoryview(buffer)[:count])
        if count:
            self.last = bytes(buffer[count - 1 : count])
        return count


def _check_bytes(path: Path) -> tuple[str, int, str]:
    """The file's SHA-256, number of lines and encoding (UTF-8, or else Windows-1252 as Excel saves a
    CSV); refuses a missing file, one that is neither, or one whose lines never end (/dev/zero)."""
    try:
        if path.is_dir():
            raise _fail(path, "", "is a folder; choose the CSV file itself")
        lines, decoder, not_utf8 = 1, codecs.getincrementaldecoder("utf-8")(), None
        unended = 0  # bytes since the last line break
        with path.open("rb", buffering=0) as raw, _Hashed(path, raw) as handle:
            while chunk := handle.read(_block()):
                if lines == 1 and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise _fail(path, "line 1", "the file is UTF-16 (Excel's Unicode Text), not UTF-8; save it "
                                "as CSV UTF-8 and import it again")  # fmt: skip
                if not_utf8 is None:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as error:
                        not_utf8 = lines + chunk[: max(error.start, 0)].count(b"\n")
                breaks = chunk.count(b"\n")
                lines += breaks
                unended = len(chunk) - chunk.rfind(b"\n") - 1 if breaks else unended + len(chunk)
                if unended > MAX_HELD_BYTES:
                    raise _held_too_much(path)
                handle.release()  # nothing is held here but the unended line
        if not_utf8 is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise _fail(path, f"line {lines}", "the file ends in the middle of a character; it is not UTF-8 "
                            "or was cut short; export it again") from None  # fmt: skip
            return handle.digest.hexdigest(), lines, "utf-8-sig"
        _check_windows_1252(path, not_utf8)
    except FileNotFoundError:
        raise _fail(path, "", "no such file; check the path") from None
    except OSError as error:
        raise _fail(path, "", f"cannot be read ({error.strerror}); check its permissions") from None
    return handle.digest.hexdigest(), lines, WINDOWS_1252


def _check_windows_1252(path: Path, not_utf8: int) -> None:
    """Refuses a file that is not Windows-1252 either (five bytes have no character there)."""
    lines, decoder = 1, codecs.getincrementaldecoder(WINDOWS_1252)()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                if (nul := chunk.find(b"\0")) >= 0:  # a character in Windows-1252, but in no CSV of events
                    raise UnicodeDecodeError(WINDOWS_1252, chunk, nul, nul + 1, "NUL")
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line = lines + chunk[: max(error.start, 0)].count(b"\n")
                bad = error.object[error.start : error.start + 1].hex().upper()
                raise _fail(
                    path, f"line {not_utf8}", f"the file is neither UTF-8 nor Windows-1252 (byte 0x{bad} on line "
                    f"{line} cannot be read); save it as UTF-8 (in Excel: CSV UTF-8) and import it again"
                ) from None  # fmt: skip
            lines += chunk.count(b"\n")


def _layout(path: Path, header: list[str]) -> tuple[FileFormat, Layout | None, list[str], Reading]:
    """The file's format (its layout, None for Accord Desk's CSV), its header in the layout's names, and
    which columns it lacks or has beyond the layout."""
    names = set(header)
    layout, found = choose_layout(names)
    if len(names & set(OWN_COLUMNS)) > found:
        layout, found = None, len(names & set(OWN_COLUMNS))
    if found < 3:
        raise _fail(
            path, "line 1", "the header names no columns of an ACLED export (event_id_cnty, event_date, …), "
            "a UCDP GED file (id, date_start, side_a, …) nor Accord Desk's (id, occurred_on, …); choose such "
            "a CSV with its header row"
        )  # fmt: skip
    if layout is not None:
        header = [layout.aliases.get(name, name) for name in header]
    for name in header:
        if header.count(name) > 1:
            raise _fail(path, "line 1", f"the header names the column {name} twice; export the file again")
    kind = FileFormat(layout.format) if layout else FileFormat.ACCORD_DESK
    needed = layout.required if layout else [name for name in OWN_COLUMNS if name not in OWN_OPTIONAL]
    if missing := [name for name in needed if name not in header]:
        raise _fail(
            path, "line 1", f"the header lacks the column{'s' * (len(missing) > 1)} {', '.join(missing)}, "
            f"without which {FORMAT_LABELS[kind]} cannot be read; export the file again with "
            f"{'them' if len(missing) > 1 else 'it'}"
        )  # fmt: skip
    if layout is None:
        return kind, None, header, Reading()
    absent = tuple(name for name in layout.read if name not in names and name not in header)
    ignored = tuple(name for name in header if name not in layout.known and name)
    return kind, layout, header, Reading(absent=absent, ignored=ignored)


def _column(
    cells: Sequence[str], parse: Callable[[str], Any], repairs: Repairs | None = None, labels: bool = False
) -> tuple[list, dict[int, str]]:
    """The cells parsed, each distinct one once; and what is wrong with the ones that fail, by row.

    With `repairs` (the files of other sources), missing-value markers count as empty cells and
    garbled text is repaired first. A text column's parser (a strip) costs less than finding the
    distinct cells: it runs on every cell unless one fails (notes: 27 ms instead of 138 ms for
    100,000 rows); the markers and the non-ASCII cells are looked for in C first.
    """
    if parse in TEXT:
        if repairs is not None:
            # Both in C, without a set of the column's cells (building it cost 35 ms a column):
            replace = dict.fromkeys(MISSING.intersection(cells), "")
            if not "".join(cells).isascii():  # most columns are ASCII throughout
                replace.update(repairs.mapping({cell for cell in cells if not cell.isascii()}, labels))
            if replace:
                cells = [replace.get(cell, cell) for cell in cells]
        if parse is parse_text:  # what it does, a column at a time
            trimmed = list(map(str.strip, cells))
            if all_storable(trimmed):
                return [text or None for text in trimmed], {}
        try:
            return [parse(cell) for cell in cells], {}
        except ValueError:
            pass  # the way below finds every failing cell
    converted, failed = dict.fromkeys(cells), {}  # one hash table: the distinct cells, then their values
    for cell in converted:
        try:
            converted[cell] = parse(blank_missing(cell) if repairs is not None else cell)
        except ValueError as error:
            failed[cell] = str(error)
    if not failed:
        return list(map(converted.__getitem__, cells)), {}
    return [converted.get(cell) for cell in cells], {i: failed[c] for i, c in enumerate(cells) if c in failed}


def _actor_names(role: str, repairs: Repairs) -> Callable[[str], tuple[tuple[str, str], ...]]:
    role = str(role)  # a plain str, not the enum: tuples of plain values are left alone by the GC

    def names(cell: str) -> tuple[tuple[str, str], ...]:
        found = [name for name in map(str.strip, cell.split(";")) if name and name not in MISSING]
        fixed = repairs.mapping(found, labels=True)
        return tuple((role, fixed.get(name, name)) for name in found)

    return names


class _Problems:
    """What is wrong with each row: every problem, in the order of the header's columns."""

    def __init__(self, header: list[str]):
        self.position = {name: index for index, name in enumerate(header)}
        self.found: dict[int, list[tuple[int, str | None, str]]] = {}
        self.offset = 0  # the rows before the chunk being checked

    def add(self, column: str | None, failures: dict[int, str]) -> None:
        position = self.position.get(column, len(self.position))
        for row, message in failures.items():
            self.found.setdefault(self.offset + row, []).append((position, column, message))

    def rows(self, starts: list[int]) -> list[RowProblem]:
        return [
            RowProblem(starts[row], column, message)
            for row, found in self.found.items()
            for _, column, message in sorted(found, key=lambda problem: problem[0])
        ]


def _duplicates(keys: list, column: str, starts: Sequence[int], problems: _Problems) -> None:
    """Each key seen again: a set of the keys, then the first rows of the few repeated (a dict of every
    key's row held a million int objects)."""
    seen: set[str] = set()
    again = [row for row, key in enumerate(keys) if key is not None and (key in seen or seen.add(key))]
    if not again:
        return
    del seen
    repeated_keys = {keys[row] for row in again}
    first: dict[str, int] = {}
    for row, key in enumerate(keys):
        if key in repeated_keys:
            first.setdefault(key, row)
    problems.add(
        column,
        {row: f"{keys[row]} appears again (first on line {starts[first[keys[row]]]})" for row in again},
    )


def _decimal_comma(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A coordinate as Excel writes it where ',' is the decimal mark (files separated by ';')."""

    def parse_comma(text: str):
        return parse(text.replace(",", "."))

    return parse_comma


def _precision_of_range(start, until) -> str:
    """The precision a range of days amounts to when the file does not say (UCDP without date_prec)."""
    if until is None:
        return str(DatePrecision.DAY)
    if (until - start).days <= 6:
        return str(DatePrecision.WEEK)
    if (until.year, until.month) == (start.year, start.month):
        return str(DatePrecision.MONTH)
    return str(DatePrecision.YEAR)


def _date_columns(
    layout: Layout, cells: dict[str, Sequence[str]], starts, problems: _Problems, how: Reading
) -> dict:
    """occurred_on (and occurred_until) read from the layout's date columns, with the file's day/month order."""
    # UCDP's date_start and date_end decide the day/month order together: one file, one order
    dates, failures, how.date_order = read_dates(
        {column: cells[column] for column in layout.dates}, starts, how.order_given
    )
    columns = {}
    for column, name in zip(layout.dates, ("occurred_on", "occurred_until"), strict=False):
        columns[name] = dates[column]
        problems.add(column, failures[column])
    if "occurred_until" in columns:  # a range: None when it is one day
        until, wrong = [], {}
        for row, (start, end) in enumerate(
            zip(columns["occurred_on"], columns["occurred_until"], strict=True)
        ):
            try:
                until.append(end if start is None else range_end(start, end))
            except ValueError as error:
                wrong[row] = str(error)
                until.append(None)
        problems.add(layout.dates[1], wrong)
        columns["occurred_until"] = until
    return columns


def _source_file(
    layout: Layout, header, records, starts, problems: _Problems, how: Reading, repairs: Repairs,
    dates: dict[str, list] | None = None, combinations: dict[tuple, tuple] | None = None,
) -> tuple:  # fmt: skip
    """The rows' keys, the Event columns set, their values and the actors, checked column by column.

    With `dates`, the date columns' cells are added to it instead of being read: the check reads them for
    the whole file at once (`_date_columns`), as the file's day/month order is decided by all its rows."""
    at = {name: index for index, name in enumerate(header)}
    cells = list(zip(*records, strict=True)) if records else [() for _ in header]
    records.clear()  # the columns hold it all now
    blank = ("",) * len(starts)

    def of(column: str):
        return cells[at[column]] if column in at else blank

    keys, failures = _column(of(layout.key), layout.parse_key)
    problems.add(layout.key, failures)
    columns = {}
    if dates is None:
        columns = _date_columns(
            layout, {column: of(column) for column in layout.dates}, starts, problems, how
        )
    else:
        for column in layout.dates:  # the same few thousand dates again and again: each kept once
            same = dates.setdefault("", {})
            dates.setdefault(column, []).extend([same.setdefault(cell, cell) for cell in of(column)])
    separated_by_semicolons = how.separator == ";"
    for column, name, parse in layout.fields:
        if column not in at:
            continue
        if separated_by_semicolons and name in ("latitude", "longitude"):
            parse = _decimal_comma(parse)
        columns[name], failures = _column(of(column), parse, repairs, name in layout.labels)
        problems.add(column, failures)
    if "occurred_until" in columns:
        given = columns.get("date_precision", blank)
        columns["date_precision"] = [
            precision or _precision_of_range(start, until)
            for precision, start, until in zip(
                given, columns["occurred_on"], columns["occurred_until"], strict=True
            )
        ]
    latitude, longitude = columns.get("latitude", blank), columns.get("longitude", blank)
    half = {
        row: missing_half({"latitude": a, "longitude": b}, "latitude", "longitude")
        for row, (a, b) in enumerate(zip(latitude, longitude, strict=True))
        if (a in (None, "")) is not (b in (None, ""))
    }
    for name in ("latitude", "longitude"):
        message = f"the {name} is missing; give both coordinates or neither"
        problems.add(name, {row: message for row, missing in half.items() if missing == name})
    by_role = [
        _column(of(column), _actor_names(role, repairs))[0] if column in at else [()] * len(starts)
        for role, column in layout.actors.items()
    ]
    # Rows share few combinations of actors: each kept once, in the whole file with `combinations` (the check
    # keeps every row's: 100,000 generated rows held 70,328 combinations kept chunk by chunk, 7,350 kept once).
    combinations = {} if combinations is None else combinations
    actors = [combinations.setdefault(named, named) for named in zip(*by_role, strict=True)]
    how.repaired = len(repairs)
    sets = layout.sets(set(at))
    return keys, sets, [columns.get(name) for name in sets], actors, None


def _own_file(header, records, problems: _Problems) -> tuple:
    """The valid rows of Accord Desk's CSV, each checked by the event form's rules."""
    at = {name: header.index(name) for name in OWN_COLUMNS if name in header}
    text = frozenset(TEXT_COLUMNS)
    keys, values, actors, links = [], [], [], []
    for row, cells in enumerate(records):
        key, value, named, linked, bad = _own_row(
            {name: "" for name in OWN_OPTIONAL}
            | {c: unprotect(cells[i]) if c in text else cells[i] for c, i in at.items()}
        )
        for column, message in bad.items():
            problems.add(column, {row: message})
        if bad:
            key, value, named, linked = None, (None,) * len(_OWN_SETS), (), ()
        keys.append(key)
        values.append(value)
        actors.append(named)
        links.append(linked)
    columns = list(zip(*values, strict=True)) or [()] * len(_OWN_SETS)
    # An older export lacks some: what the record holds of them (ranges, happenings) stays as it is.
    keep = [n for n, name in enumerate(_OWN_SETS) if name in at or name not in OWN_OPTIONAL]
    return keys, tuple(_OWN_SETS[n] for n in keep), [columns[n] for n in keep], actors, links


def _own_row(cell: dict[str, str]) -> tuple[str, tuple, tuple, tuple, dict[str, str]]:
    """A row's key, values, actors and links, and every problem it has by column."""
    bad: dict[str, str] = {}

    def parsed(parse: Callable[[str], Any], column: str, empty: Any = None) -> Any:
        try:
            return parse(cell[column])
        except ValueError as error:
            bad[column] = str(error)
            return empty

    def event_id(column: str) -> str | None:  # the id of the event, or of its happening's first (or none)
        if not (text := cell[column].strip()) and column != "id":
            return None
        try:
            uuid.UUID(text)
        except ValueError:
            bad[column] = f"{quoted(text)} is not an event id; keep the ids of the exported file"
        return text

    key, happening = event_id("id"), event_id("same_happening_as")
    named = tuple(
        tuple((str(role), name) for name in parsed(lambda t: parse_actor_names(t.split(";")), column, ()))
        for role, column in ROLE_COLUMNS.items()
    )
    linked = parsed(parse_links, "links", [])
    external_id = parsed(parse_text, "external_id")
    fields, found = read_form(EventForm(**{name: cell[name] for name in FORM_TEXT_FIELDS}, links=linked))
    bad.update(found)
    values = (*(getattr(fields, name) for name in FIELD_COLUMNS), external_id, happening) if fields else ()
    return key, values, named, tuple(linked), bad


class BadCell(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


class _Rows:
    """The file's records as csv reads them, CHUNK_ROWS at a time: after the header (and its layout), each
    chunk's rows of the header's width with the line each begins on. Short rows, a last record cut off and
    HDX's row of hashtags are noted in `problems` / `how` as they come. ImportFileError on leaving if the
    bytes read are not those of `sha256` (another program wrote the file meanwhile)."""

    def __init__(self, path: Path, encoding: str, sha256: str):
        self.path, self.encoding, self.sha256 = path, encoding, sha256
        self.problems: list[RowProblem] = []

    def __enter__(self) -> "_Rows":
        path = self.path
        self.raw = path.open("rb", buffering=0)
        self.hashed = _Hashed(path, self.raw)
        self.handle = io.TextIOWrapper(
            io.BufferedReader(self.hashed, _block()), encoding=self.encoding, newline=""
        )
        first = self.handle.readline()
        self.reader = csv.reader(
            itertools.chain([first], self.handle), delimiter=separator(first), strict=True
        )
        try:
            header = next((cells for cells in self.reader if cells), None)
        except csv.Error as error:
            self.__exit__(None, None, None)
            raise _fail(
                path, f"line {self.reader.line_num}", f"{_csv_problem(error)}; export the file again"
            ) from None
        if header is None:
            self.__exit__(None, None, None)
            raise _fail(path, "", "the file is empty; export the events again")
        try:
            self.kind, self.layout, self.header, self.how = _layout(
                path, [_column_name(name) for name in header]
            )
        except ImportFileError:
            self.__exit__(None, None, None)
            raise
        self.how.encoding, self.how.separator = self.encoding, self.reader.dialect.delimiter
        return self

    def chunks(self) -> Iterator[tuple[int, list[list[str]], list[int]]]:
        """(rows before the chunk, its rows' cells, the line each begins on), CHUNK_ROWS rows at a time."""
        reader, width, layout, how = self.reader, len(self.header), self.layout, self.how
        records, starts, before, short, cut = [], [], 0, None, False
        line = reader.line_num + 1
        try:
            for cells in reader:
                if short is not None:  # a short row that is not the last: an ordinary invalid row
                    self.problems.append(_short_row(*short, width))
                    short = None
                if len(cells) > width and not any(cells[width:]):
                    del cells[width:]  # a spreadsheet's empty cells beyond the last column
                if (
                    layout is not None
                    and not before
                    and not records
                    and not how.hashtag_line
                    and _hashtags(cells)
                ):
                    how.hashtag_line = line
                elif len(cells) == width:
                    if len(records) == CHUNK_ROWS:  # yielded once the next record came: the last stays last
                        yield before, records, starts
                        before += len(records)
                        records, starts = [], []
                        self.hashed.release()
                    records.append(cells)  # as the reader made it: copying cost 10% of the reading
                    starts.append(line)
                elif cells:
                    short = (line, len(cells))
                line = reader.line_num + 1
        except csv.Error as error:
            if "unexpected end of data" not in str(error):
                raise _fail(
                    self.path, f"line {reader.line_num}", f"{_csv_problem(error)}; export the file again"
                ) from None
            short, cut = None, True  # the last record opened a quoted value and the file ended inside it
            self.problems.append(
                RowProblem(
                    line, None, "the last record is cut off inside a quoted value (the file ends early)"
                )
            )
        if short is not None:
            line, count = short
            message = (
                f"the last record is cut off after {count} of the {width} values (the file ends early)"
                if count < width
                else _short_row(line, count, width).message
            )
            self.problems.append(RowProblem(line, None, message))
        elif records and not cut and self.hashed.last not in (b"\n", b"\r"):
            # Cut exactly at the end of a value, the last record reads as whole: only the line break every
            # writer ends a record with is missing (a closing quote proves nothing: it may be half of a "").
            records.pop()
            self.problems.append(RowProblem(starts.pop(), None, _NO_LINE_BREAK))
        if records:
            yield before, records, starts
        if self.hashed.digest.hexdigest() != self.sha256:
            raise _fail(
                self.path, "", "the file changed while it was being read (another program is writing it); "
                "import it again once it is complete"
            )  # fmt: skip

    def __exit__(self, *_exception) -> None:
        self.handle.detach() if hasattr(self, "handle") else None
        self.raw.close()


def read_event_file(
    path: Path | str, progress: Progress | None = None, checked: EventFile | None = None,
    date_order: str | None = None,
) -> EventFile:  # fmt: skip
    """Check the whole file; ImportFileError for a fault of the file, RowProblem for each bad row.

    `checked`, the same file read before (a dry run's), is returned as it is if the file's bytes
    have not changed since: only its SHA-256 is computed again. `date_order` ("dmy" or "mdy") says how
    to read numeric dates when the file cannot tell; DateOrderUnknown asks for it.
    """
    path = Path(path)
    sha256, lines, encoding = _check_bytes(path)
    if (
        checked is not None and checked.path == path and checked.sha256 == sha256
        and checked.how.order_given == date_order
    ):  # fmt: skip
        return checked
    told = ImportProgress(progress, path, lines)
    keys, starts, actors, dates, combinations = [], _lines(), [], {}, {}
    repairs = Repairs()
    # The rows are hashed as they are parsed, so the SHA-256 recorded is that of the bytes imported.
    with _Rows(path, encoding, sha256) as rows:
        layout, header, how = rows.layout, rows.header, rows.how
        how.order_given = date_order
        found = _Problems(header)
        for before, records, chunk_starts in rows.chunks():
            found.offset = before
            part_keys, sets, _columns, part_actors, _links = (
                _own_file(header, records, found)
                if layout is None
                else _source_file(
                    layout, header, records, chunk_starts, found, how, repairs, dates, combinations
                )
            )
            keys += part_keys
            starts.extend(chunk_starts)
            actors += part_actors
            told.tell(chunk_starts[-1])
        found.offset = 0
    if not keys and not rows.problems:
        raise _fail(path, "", "the file holds a header but no events; check the export's filters")
    if not keys:
        sets = layout.sets(set(header)) if layout is not None else _OWN_SETS
    try:
        if layout is not None:
            _date_columns(layout, dates, starts, found, how)
    except DateColumnError as error:
        raise (DateOrderUnknown if error.unknown else ImportFileError)(f"{path}, {error}.") from None
    del dates
    _duplicates(keys, layout.key if layout is not None else "id", starts, found)
    problems = rows.problems + found.rows(starts)
    invalid = frozenset(found.found)
    if invalid:  # keep the valid rows only
        valid = [row for row in range(len(keys)) if row not in invalid]
        keys, starts, actors = (
            [keys[r] for r in valid],
            _lines(starts[r] for r in valid),
            [actors[r] for r in valid],
        )
    problems.sort(key=lambda problem: problem.line)
    return EventFile(path, rows.kind, sha256, lines, sets, starts, keys, actors, problems, invalid, how)


def _lines(lines: Iterable[int] = ()) -> array:
    """Line numbers as machine integers: 8 bytes a row rather than an int object's 28 and a list's 8."""
    return array("q", lines)


def _column_name(name: str) -> str:
    """A header's name as the layouts spell it: lower case, without a byte-order mark, even one garbled
    by a round trip through Windows-1252 ('ï»¿event_id_cnty')."""
    if not name.isascii():
        name = repair_text(name).replace("\ufeff", "")
    return name.strip().lower()


def _hashtags(cells: list[str]) -> bool:
    """Whether a row is HDX's row of HXL hashtags (#date+occurred, #affected+killed …)."""
    given = [cell.strip() for cell in cells if cell.strip()]
    return bool(given) and all(cell.startswith("#") for cell in given)


_NO_LINE_BREAK = (
    "the last record lacks the line break that ends every other line, so the file may be cut off in its last "
    "value (if the file is whole, end it with a line break)"
)


def _short_row(line: int, count: int, width: int) -> RowProblem:
    return RowProblem(line, None, f"the row has {count} values where the header names {width} columns")


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"a value is longer than {csv.field_size_limit():,} characters, more than any event holds"
    if "unexpected end of data" in text:
        return "a quoted value is never closed (the file may be cut short)"
    return f"the CSV is malformed ({text})"


def refusal(path: Path, problems: list[RowProblem]) -> ImportFileError:
    first, rows = problems[0], invalid_rows(problems)
    more = f"; the row has {len(problems) - 1:,} more" if rows == 1 and len(problems) > 1 else ""
    others = f" ({rows:,} rows are invalid)" if rows > 1 else ""
    return _fail(
        path,
        first.where,
        f"{first.message}{more}; correct the file and import it again, or skip the invalid rows{others}",
    )
