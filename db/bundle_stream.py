"""A bundle's content.json read as it is unzipped, never whole (db/bundle.py read_bundle), and the audit
trails it carries kept in a scratch SQLite database, not in memory: receiving a bundle of a large record
holds its rows, not its text nor its trails (each entry holds its row twice, before and after).

The content is one JSON object, {"rows": {table: [row, …]}, "tombstones": [tombstone, …], "entries": {chain:
[entry, …]}}, laid out as any JSON writer may (Accord Desk's, or a test's json.dumps): the outer object is
walked here, and each row, tombstone and entry (a JSON array) decoded by the json module as it comes.
"""

import codecs
import json
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

CHUNK = 1 << 16  # bytes unzipped at a time (a row or entry longer than that takes several)
PART = 1 << 18  # characters of entries to one statement (an import's entry can hold a million ids)
ENTRY_COLUMNS = ("id", "at", "who", "action", "operation", "table_name", "row_id", "before", "after", "hash")
_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


class Malformed(ValueError):
    """The content is not laid out as a bundle's."""


class _Text:
    """The member's text, read CHUNK bytes at a time, each counted in `digest` as it is read."""

    def __init__(self, binary, digest) -> None:
        self.binary, self.digest = binary, digest
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text, self.at, self.ended = "", 0, False

    def _more(self) -> bool:
        if self.ended:
            return False
        data = self.binary.read(CHUNK)
        self.digest.update(data)
        self.ended = not data
        self.text = self.text[self.at :] + self.decoder.decode(data, final=self.ended)
        self.at = 0
        return True

    def _skip_space(self) -> None:
        while True:
            while self.at < len(self.text) and self.text[self.at] in _SPACE:
                self.at += 1
            if self.at < len(self.text) or not self._more():
                return

    def peek(self) -> str:
        self._skip_space()
        if self.at >= len(self.text):
            raise Malformed("the content ends early")
        return self.text[self.at]

    def expect(self, allowed: str) -> str:
        found = self.peek()
        if found not in allowed:
            raise Malformed(f"{found!r} where one of {allowed!r} belongs")
        self.at += 1
        return found

    def value(self, kind: type):
        """The next JSON value, which must be a `kind` (str or list, so a value cut by the chunk's end is
        never taken for a whole one, as a number could be)."""
        self.peek()
        while True:
            try:
                found, end = _DECODER.raw_decode(self.text, self.at)
                break
            except json.JSONDecodeError as error:
                # Cut by the chunk's end: a string, or a token (\u escape, number, true) in its last characters.
                # Anything else is no cut: more text would not mend it.
                cut = error.pos >= len(self.text) - 8 or error.msg.startswith("Unterminated string")
                if not (cut and self._more()):
                    raise Malformed(error.msg) from None
        if not isinstance(found, kind):
            raise Malformed(f"a {type(found).__name__} where a {kind.__name__} belongs")
        self.at = end
        return found

    def _listed(self, opening: str, closing: str, element) -> Iterator:
        self.expect(opening)
        if self.peek() == closing:
            self.at += 1
            return
        while True:
            yield element()
            if self.expect("," + closing) == closing:
                return

    def _key(self) -> str:
        key = self.value(str)
        self.expect(":")
        return key

    def members(self) -> Iterator[str]:
        """The keys of a JSON object, each value read by the caller before the next key."""
        return self._listed("{", "}", self._key)

    def items(self) -> Iterator[list]:
        """The elements of a JSON array, each itself an array."""
        return self._listed("[", "]", lambda: self.value(list))

    def end(self) -> None:
        self._skip_space()
        if self.at < len(self.text):
            raise Malformed("more after the content")


def content_parts(binary, digest) -> Iterator[tuple[str, str | None, list]]:
    """("table", table, []) and its ("row", table, row)s, ("tombstone", None, tombstone) and ("entry", chain,
    entry), in the file's order,
    from the content.json member `binary`, every byte read counted in `digest`. Malformed once the layout
    is not a bundle's (the caller reads the rest for the hash: a damaged file is told by its hash)."""
    text = _Text(binary, digest)
    seen = set()
    for section in text.members():
        if section in seen or section not in ("rows", "tombstones", "entries"):
            raise Malformed(f"a part {section!r}")
        seen.add(section)
        if section == "tombstones":
            for item in text.items():
                yield "tombstone", None, item
            continue
        for name in text.members():
            kind = "row" if section == "rows" else "entry"
            if kind == "row":
                yield "table", name, []  # listed, if empty
            for item in text.items():
                yield kind, name, item
    text.end()
    if len(seen) != 3:
        raise Malformed("a part is missing")


class Trail:
    """The audit entries a bundle carries, by chain (the desk whose trail it is), in a private SQLite
    database on disk (an empty file name) that SQLite deletes once closed: by `close`, or when the bundle
    is let go of (its connection closes with it)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", check_same_thread=False)  # planned in the window's worker, written in another
        # no column types: each value is kept as the bundle has it (a hash is checked over them)
        self.db.execute(f"CREATE TABLE entry (chain, {', '.join(ENTRY_COLUMNS)})")
        self.pending: list[tuple] = []
        self.pending_size = 0

    def add(self, chain: str, entry: list) -> None:
        if len(entry) != len(ENTRY_COLUMNS):
            raise Malformed(f"an entry of {len(entry)} values")
        self.pending.append((chain, *entry))
        self.pending_size += sum(len(v) for v in entry[7:9] if isinstance(v, str))  # before, after
        if self.pending_size >= PART:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany(f"INSERT INTO entry VALUES ({', '.join('?' * (len(ENTRY_COLUMNS) + 1))})", self.pending)
        self.pending, self.pending_size = [], 0

    def done(self) -> None:
        """All added: indexed for the reads below."""
        self._flush()
        self.db.execute("CREATE INDEX entry_chain ON entry (chain, id)")
        self.db.execute("CREATE INDEX entry_row ON entry (row_id)")

    def chains(self) -> list[str]:
        return [chain for (chain,) in self.db.execute("SELECT chain FROM entry GROUP BY chain ORDER BY min(rowid)")]

    def count(self, chain: str) -> int:
        return self.db.execute("SELECT count(*) FROM entry WHERE chain = ?", (chain,)).fetchone()[0]

    def entries(self, chain: str, first: int | None = None, last: int | None = None) -> Iterator[dict[str, Any]]:
        """The chain's entries as the bundle lists them (oldest first); with `first` and `last`, those ids only."""
        where, bounds = ("", ()) if first is None else (" AND id BETWEEN ? AND ?", (first, last))
        cursor = self.db.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entry WHERE chain = ?{where} ORDER BY rowid",
                                 (chain, *bounds))  # fmt: skip
        return (dict(zip(ENTRY_COLUMNS, row, strict=True)) for row in cursor)

    def of_rows(self, row_ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """Every chain's entries of the rows `row_ids` (as the trail names them)."""
        ids = iter(sorted(set(row_ids)))
        while part := list(islice(ids, 500)):
            cursor = self.db.execute(
                f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entry WHERE row_id IN ({', '.join('?' * len(part))}) "
                "AND table_name != '' ORDER BY rowid", part,
            )  # fmt: skip
            yield from (dict(zip(ENTRY_COLUMNS, row, strict=True)) for row in cursor)

    def close(self) -> None:
        self.db.close()
