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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
from db.vocabulary import DatePrecision

MAX_FILE_BYTES = 500 * 2**20
CHUNK_ROWS = 5_000  # rows per Core statement, and how often progress is told
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
_OWN_SETS = (*FIELD_COLUMNS, "external_id")
_OWN_UNTIL = _OWN_SETS.index("occurred_until")
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
            said.append(f"Values separated by {'tabs' if self.separator == chr(9) else repr(self.separator)}.")
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
    how: Reading = field(default_factory=Reading)  # how the file was read, for the report

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


def invalid_rows(problems: list[RowProblem]) -> int:
    """How many rows the problems concern (a row may have several)."""
    return len({problem.line for problem in problems})


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
        self.last = b""  # the last byte read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.size += count
        if self.size > MAX_FILE_BYTES:
            raise _too_large(self.path)
        self.digest.update(memoryview(buffer)[:count])
        if count:
            self.last = bytes(buffer[count - 1 : count])
        return count


def _check_bytes(path: Path) -> tuple[str, int, str]:
    """The file's SHA-256, number of lines and encoding (UTF-8, or else Windows-1252 as Excel saves a
    CSV); refuses a missing or oversized file, or one that is neither."""
    try:
        if path.is_dir():
            raise _fail(path, "", "is a folder; choose the CSV file itself")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _too_large(path)
        lines, decoder, not_utf8 = 1, codecs.getincrementaldecoder("utf-8")(), None
        with path.open("rb", buffering=0) as raw, _Hashed(path, raw) as handle:
            while chunk := handle.read(1 << 20):
                if lines == 1 and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise _fail(path, "line 1", "the file is UTF-16 (Excel's Unicode Text), not UTF-8; save it "
                                "as CSV UTF-8 and import it again")  # fmt: skip
                if not_utf8 is None:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as error:
                        not_utf8 = lines + chunk[: max(error.start, 0)].count(b"\n")
                lines += chunk.count(b"\n")
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

    def add(self, column: str | None, failures: dict[int, str]) -> None:
        position = self.position.get(column, len(self.position))
        for row, message in failures.items():
            self.found.setdefault(row, []).append((position, column, message))

    def rows(self, starts: list[int]) -> list[RowProblem]:
        return [
            RowProblem(starts[row], column, message)
            for row, found in self.found.items()
            for _, column, message in sorted(found, key=lambda problem: problem[0])
        ]


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


def _source_file(layout: Layout, header, records, starts, problems: _Problems, how: Reading) -> tuple:
    """The valid rows' keys, the Event columns set, their values and the actors, checked column by column."""
    at = {name: index for index, name in enumerate(header)}
    cells = list(zip(*records, strict=True)) if records else [() for _ in header]
    records.clear()  # the columns hold it all now
    blank = ("",) * len(starts)

    def of(column: str):
        return cells[at[column]] if column in at else blank

    repairs = Repairs()
    keys, failures = _column(of(layout.key), layout.parse_key)
    problems.add(layout.key, failures)
    # UCDP's date_start and date_end decide the day/month order together: one file, one order
    dates, failures, how.date_order = read_dates({column: of(column) for column in layout.dates}, starts, how.order_given)
    columns = {}
    for column, name in zip(layout.dates, ("occurred_on", "occurred_until"), strict=False):
        columns[name] = dates[column]
        problems.add(column, failures[column])
    if "occurred_until" in columns:  # a range: None when it is one day
        until, wrong = [], {}
        for row, (start, end) in enumerate(zip(columns["occurred_on"], columns["occurred_until"], strict=True)):
            try:
                until.append(end if start is None else range_end(start, end))
            except ValueError as error:
                wrong[row] = str(error)
                until.append(None)
        problems.add(layout.dates[1], wrong)
        columns["occurred_until"] = until
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
            for precision, start, until in zip(given, columns["occurred_on"], columns["occurred_until"], strict=True)
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
    actors = list(zip(*by_role, strict=True))
    _duplicates(keys, layout.key, starts, problems)
    how.repaired = len(repairs)
    sets = layout.sets(set(at))
    return keys, sets, [columns[name] for name in sets], actors, None


def _own_file(header, records, starts, problems: _Problems) -> tuple:
    """The valid rows of Accord Desk's CSV, each checked by the event form's rules."""
    at = {name: header.index(name) for name in OWN_COLUMNS if name in header}
    text = frozenset(TEXT_COLUMNS)
    keys, values, actors, links = [], [], [], []
    for row, cells in enumerate(records):
        key, value, named, linked, bad = _own_row(
            {name: "" for name in OWN_OPTIONAL} | {c: unprotect(cells[i]) if c in text else cells[i] for c, i in at.items()}
        )
        for column, message in bad.items():
            problems.add(column, {row: message})
        if bad:
            key, value, named, linked = None, (None,) * len(_OWN_SETS), (), ()
        keys.append(key)
        values.append(value)
        actors.append(named)
        links.append(linked)
    _duplicates(keys, "id", starts, problems)
    columns = list(zip(*values, strict=True)) or [()] * len(_OWN_SETS)
    if "occurred_until" not in at:  # an older export: the ranges in the record stay as they are
        keep = [n for n in range(len(_OWN_SETS)) if n != _OWN_UNTIL]
        return keys, tuple(_OWN_SETS[n] for n in keep), [columns[n] for n in keep], actors, links
    return keys, _OWN_SETS, columns, actors, links


def _own_row(cell: dict[str, str]) -> tuple[str, tuple, tuple, tuple, dict[str, str]]:
    """A row's key, values, actors and links, and every problem it has by column."""
    bad: dict[str, str] = {}

    def parsed(parse: Callable[[str], Any], column: str, empty: Any = None) -> Any:
        try:
            return parse(cell[column])
        except ValueError as error:
            bad[column] = str(error)
            return empty

    key = cell["id"].strip()
    try:
        uuid.UUID(key)
    except ValueError:
        bad["id"] = f"{quoted(key)} is not an event id; keep the ids of the exported file"
    named = tuple(
        tuple((str(role), name) for name in parsed(lambda t: parse_actor_names(t.split(";")), column, ()))
        for role, column in ROLE_COLUMNS.items()
    )
    linked = parsed(parse_links, "links", [])
    external_id = parsed(parse_text, "external_id")
    fields, found = read_form(EventForm(**{name: cell[name] for name in FORM_TEXT_FIELDS}, links=linked))
    bad.update(found)
    values = (*(getattr(fields, name) for name in FIELD_COLUMNS), external_id) if fields else ()
    return key, values, named, tuple(linked), bad


class BadCell(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


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
    records, starts, problems = [], [], []
    # The rows are hashed as they are parsed, so the SHA-256 recorded is that of the bytes imported.
    with path.open("rb", buffering=0) as raw, _Hashed(path, raw) as hashed:
        handle = io.TextIOWrapper(io.BufferedReader(hashed, 1 << 20), encoding=encoding, newline="")
        first = handle.readline()
        reader = csv.reader(itertools.chain([first], handle), delimiter=separator(first), strict=True)
        line, cut = 1, False
        try:
            header = next((cells for cells in reader if cells), None)
            if header is None:
                raise _fail(path, "", "the file is empty; export the events again")
            header = [_column_name(name) for name in header]
            kind, layout, header, how = _layout(path, header)
            how.encoding, how.separator, how.order_given = encoding, reader.dialect.delimiter, date_order
            width, short = len(header), None
            line = reader.line_num + 1
            for cells in reader:
                if short is not None:  # a short row that is not the last: an ordinary invalid row
                    problems.append(_short_row(*short, width))
                    short = None
                if len(cells) > width and not any(cells[width:]):
                    del cells[width:]  # a spreadsheet's empty cells beyond the last column
                if layout is not None and not records and not how.hashtag_line and _hashtags(cells):
                    how.hashtag_line = line
                elif len(cells) == width:
                    records.append(cells)  # as the reader made it: copying cost 10% of the reading
                    starts.append(line)
                    if len(records) % CHUNK_ROWS == 0:
                        told.tell(line)
                elif cells:
                    short = (line, len(cells))
                line = reader.line_num + 1
        except csv.Error as error:
            if "unexpected end of data" not in str(error):
                raise _fail(
                    path, f"line {reader.line_num}", f"{_csv_problem(error)}; export the file again"
                ) from None
            short, cut = None, True  # the last record opened a quoted value and the file ended inside it
            problems.append(RowProblem(line, None, "the last record is cut off inside a quoted value (the file ends early)"))
        if short is not None:
            line, count = short
            message = (
                f"the last record is cut off after {count} of the {width} values (the file ends early)"
                if count < width
                else _short_row(line, count, width).message
            )
            problems.append(RowProblem(line, None, message))
        elif records and not cut and hashed.last not in (b"\n", b"\r"):
            # Cut exactly at the end of a value, the last record reads as whole: only the line break every
            # writer ends a record with is missing (a closing quote proves nothing: it may be half of a "").
            records.pop()
            problems.append(RowProblem(starts.pop(), None, _NO_LINE_BREAK))
        if hashed.digest.hexdigest() != sha256:
            raise _fail(
                path, "", "the file changed while it was being read (another program is writing it); "
                "import it again once it is complete"
            )  # fmt: skip
    if not records and not problems:
        raise _fail(path, "", "the file holds a header but no events; check the export's filters")
    found = _Problems(header)
    try:
        keys, sets, columns, actors, links = (
            _own_file(header, records, starts, found)
            if layout is None
            else _source_file(layout, header, records, starts, found, how)
        )
    except DateColumnError as error:
        raise (DateOrderUnknown if error.unknown else ImportFileError)(f"{path}, {error}.") from None
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
    return EventFile(path, kind, sha256, lines, sets, starts, keys, columns, actors, links, problems, how)


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
