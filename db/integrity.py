"""`accord-desk check`: is the record whole?

In one read transaction: SQLite's integrity_check and foreign_key_check (on a server: its foreign keys); the record's own rules (the
tree has no cycles, positions are unique among siblings, deadline rules resolve, every link points to
an obligation in the record); the audit trail's hash chain, against the newest head kept outside the
file (db.audit.head_log); every record row accounted for by the trail; and the content digest the
record keeps (db.content, what a report's fingerprint names) against one recomputed from the rows.

Accounting replays the trail once, in order, remembering for each row its last entry. A row must
equal its last entry's "after", compared over the columns that entry recorded, plus the columns a
later schema upgrade added (its entry says with which value). An import's events have one entry for
them all (db.audit.bulk_digest): their rows, as the import left them, must hash to its digest. Rows
changed since by later entries are put back as those entries' "before" said, in temporary tables,
for that hash. A row no entry accounts for, or one that differs from its entry, was written outside
Accord Desk and is named.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Float, select
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from db import audit, content, team_server
from db.backup import list_backups
from db.bulk import select_matching
from db.bundle import verify_received
from db.deadlines import SIGNING, parse_rule
from db.dialects import guarded_operations, is_sqlite, triggers
from db.models import AuditEntry
from db.store import Store

MOST = 20  # problems named one by one; the rest are counted
_LINK_TABLES = {"eventactor": ("actor_id", ("role",)), "eventobligation": ("obligation_id", ("bearing",))}
_LINK_KEYS = {"eventactor": "actors", "eventobligation": "links"}  # their lists in an import's event entries
_LINK_DEFAULTS = {"eventactor": {"version": 1}, "eventobligation": {"note": None, "version": 1}}


@dataclass
class CheckReport:
    entries: int = 0
    head: tuple[int, str] | None = None
    problems: list[str] = field(default_factory=list)
    more: int = 0  # problems beyond MOST
    chain_hashes: dict[int, str] = field(default_factory=dict, repr=False)  # entry id → hash

    @property
    def whole(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MOST:
            self.problems.append(problem)
        else:
            self.more += 1

    def lines(self) -> list[str]:
        if self.whole:
            head = f"chain head {self.head[1][:12]}…" if self.head else "no chain yet"
            return [f"The record is whole: {self.entries:,} entries, {head}"]
        lines = [f"The record is not whole: {len(self.problems) + self.more:,} problems."]
        lines.extend(f"  {problem}" for problem in self.problems)
        if self.more:
            lines.append(f"  … and {self.more:,} more.")
        return lines


def check_record(store: Store) -> CheckReport:
    report = CheckReport()
    # Read before the transaction starts: a writer beside us appends a head only after its commit,
    # so every head in the log is in the snapshot the check then reads.
    outside = None if store.path is None else _newest_outside(store.path)  # a server keeps no head log
    with store.reading() as session:
        connection = session.connection()
        _engine_checks(connection, report)
        _record_rules(connection, report)
        replay = _Replay(connection, report)
        replay.run()
        replay.compare()
        _against_server_head(connection, report)
        _against_external_head(outside, report)
        _content_digest(connection, report)
        for chain, problem in verify_received(connection).items():
            if problem:
                report.add(f"The audit trail received from desk {chain[:8]} does not verify ({problem}): it was altered here.")
    return report


def _engine_checks(connection: Connection, report: CheckReport) -> None:
    """The engine's own checks of the file, and the audit trail's guards. A server checks its pages itself
    (pg_amcheck is its administrator's tool, as pg_dump is) and always enforces foreign keys, which only a
    superuser's disabling of triggers lets rows break: those are looked for here as SQLite's."""
    if is_sqlite(connection):
        for (message,) in connection.exec_driver_sql("PRAGMA integrity_check"):
            if message != "ok":
                report.add(f"SQLite finds the file damaged: {message}.")
        for table, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check"):
            report.add(f"A {table} row (rowid {rowid}) points to a {parent} row that is not in the record.")
    else:
        for table, parent, count in server_foreign_key_check(connection):
            report.add(f"{count} {table} rows point to a {parent} row that is not in the record.")
    found = triggers(connection)
    for operation in guarded_operations(connection.dialect.name):
        name = f"auditentry_no_{operation.lower()}"
        if name not in found:
            report.add(f"The audit trail's guard {name} is missing: the trail could be rewritten in place.")


def server_foreign_key_check(connection: Connection) -> list[tuple[str, str, int]]:
    """(table, parent, rows) of the rows whose foreign key names no parent row, on a server."""
    broken = []
    for table in SQLModel.metadata.sorted_tables:
        for key in table.foreign_key_constraints:
            columns = [c.name for c in key.columns]
            parent = key.referred_table.name
            joined = " AND ".join(f'p."{e.column.name}" = c."{e.parent.name}"' for e in key.elements)
            present = " AND ".join(f'c."{name}" IS NOT NULL' for name in columns)
            count = connection.exec_driver_sql(
                f'SELECT count(*) FROM "{table.name}" c WHERE {present} AND NOT EXISTS '
                f'(SELECT 1 FROM "{parent}" p WHERE {joined})'
            ).scalar_one()
            if count:
                broken.append((table.name, parent, count))
    return broken


def _record_rules(connection: Connection, report: CheckReport) -> None:
    rows = connection.exec_driver_sql(
        "SELECT o.id, o.agreement_id, o.parent_id, o.position, o.ref, o.deadline_rule, a.signed_on "
        "FROM obligation o JOIN agreement a ON a.id = o.agreement_id"
    ).all()
    parent = {row.id: row.parent_id for row in rows}
    ref_of = {row.id: row.ref for row in rows}
    refs = {(row.agreement_id, row.ref) for row in rows}
    done: set[str] = set()
    for start in parent:
        path, node = [], start
        while node is not None and node not in done:
            if node in path:
                cycle = " → ".join(ref_of[n] for n in path[path.index(node) :])
                report.add(f"The obligation tree has a cycle: {cycle} → {ref_of[node]}.")
                break
            path.append(node)
            node = parent.get(node)
        done.update(path)
    for parent_id, position, count in connection.exec_driver_sql(
        "SELECT parent_id, position, count(*) FROM obligation "
        "GROUP BY agreement_id, parent_id, position HAVING count(*) > 1"
    ):
        under = f"under {ref_of.get(parent_id, parent_id)}" if parent_id else "at the top of their agreement"
        report.add(f"{count} obligations {under} share position {position}.")
    for row in rows:
        if not row.deadline_rule:
            continue
        try:
            rule = parse_rule(row.deadline_rule)
        except ValueError as error:
            report.add(f"Obligation {row.ref}: its deadline does not resolve ({error}).")
            continue
        if rule.anchor == SIGNING and row.signed_on is None:
            report.add(f"Obligation {row.ref}: its deadline counts from signing, and its agreement has no signing date.")
        elif rule.anchor != SIGNING and (row.agreement_id, rule.anchor) not in refs:
            report.add(f"Obligation {row.ref}: its deadline counts from {rule.anchor}, which is not in its agreement.")
    for table, column in (("eventobligation", "obligation_id"), ("metricobligation", "obligation_id"),
                          ("obligationdependency", "depends_on_id"), ("targetpoint", "obligation_id")):  # fmt: skip
        for (missing,) in connection.exec_driver_sql(
            f"SELECT DISTINCT l.{column} FROM {table} l LEFT JOIN obligation o ON o.id = l.{column} "
            f"WHERE l.{column} IS NOT NULL AND o.id IS NULL"
        ):
            report.add(f"A {table} row links to obligation {missing}, which is not in the record.")


def _content_digest(connection: Connection, report: CheckReport) -> None:
    kept, fresh = content.kept(connection), content.fresh(connection)
    stale = [name for name in sorted(fresh) if kept[name] != fresh[name]]
    if stale:
        report.add(
            f"The content digest kept in the record does not match its rows in {', '.join(stale)}: they were "
            "written outside Accord Desk, so a report's fingerprint would not name what the record holds; "
            "restore a backup made before that write."
        )


def _newest_outside(path: Path) -> tuple[str, list[tuple[int, str]]] | None:
    """The newest chain heads kept outside the file, (where, heads the trail may hold): the head log's
    last line or a backup's head, whichever was written last (a restore writes the head it goes back to
    in the log, and while it is under way the head it leaves as well)."""
    found = []
    logged = audit.newest_head(path)
    if logged is not None:
        when = logged.written.timestamp() if logged.written else 0.0
        found.append((when, audit.head_log(path).name, logged.heads()))
    for backup in list_backups(path):
        if backup.head is not None:
            with suppress(OSError):
                found.append((backup.path.stat().st_mtime, f"The backup {backup.path.name}", [backup.head]))
    return max(found, key=lambda newest: newest[0])[1:] if found else None


def _against_server_head(connection: Connection, report: CheckReport) -> None:
    """On a team server, the head row every writer locked as its last step must be the trail's last entry."""
    if not team_server.is_server(connection) or not team_server.installed(connection):
        return
    kept = team_server.head_row(connection)
    trail = report.head or (0, audit.GENESIS)
    if kept != trail:
        report.add(
            f"The server's chain head names entry {kept[0]:,} (hash {kept[1][:12]}…) and the trail ends at entry "
            f"{trail[0]:,} (hash {trail[1][:12]}…): entries were removed, or the trail rewritten, outside Accord Desk."
        )


def _against_external_head(outside: tuple[str, list[tuple[int, str]]] | None, report: CheckReport) -> None:
    if outside is None:
        return
    where, heads = outside
    if any(report.chain_hashes.get(entry_id) == entry_hash for entry_id, entry_hash in heads):
        return
    entry_id, entry_hash = heads[0]
    if report.head is None or report.head[0] < entry_id:
        report.add(
            f"{where} records entry {entry_id:,} (hash {entry_hash[:12]}…), and the trail ends before it: "
            "entries were removed."
        )
    else:
        report.add(
            f"{where} records entry {entry_id:,} with hash {entry_hash[:12]}…, and the trail's entry "
            f"{entry_id:,} has another: the trail was rewritten."
        )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


@dataclass
class _Bulk:
    entry_id: int
    file_name: str
    event_ids: list[str]
    unit: dict[str, Any] | None  # columns, chunk and digest (db.audit.BulkDigest); None before the chain
    as_inserted: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))  # table → rows
    touched: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # table → row ids
    replaced: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # link table → event ids


class _Replay:
    """The trail read once in order: the chain verified, each row's last entry remembered."""

    def __init__(self, connection: Connection, report: CheckReport):
        self.connection, self.report = connection, report
        self.tables = {name: t for name, t in SQLModel.metadata.tables.items() if name != AuditEntry.__tablename__}
        self.last: dict[tuple[str, str], tuple[int, str | None]] = {}  # row → (entry id, after as stored)
        self.bulk_of: dict[str, _Bulk] = {}  # event id → the import entry that added it
        self.bulks: list[_Bulk] = []
        self.links_of: dict[tuple[str, str], set[str]] = defaultdict(set)  # (link table, event) → row ids
        self.added: list[tuple[int, str, str, Any]] = []  # (entry id, table, column, value) of upgrades

    def _entries(self) -> Iterator:
        table = AuditEntry.__table__
        yield from self.connection.execution_options(yield_per=5000).execute(select(table).order_by(table.c.id))

    def run(self) -> None:
        previous_id, previous_hash = 0, audit.GENESIS
        for entry in self._entries():
            values = entry._mapping
            if entry.id != previous_id + 1:
                missing = f"{previous_id + 1:,}" + (f" to {entry.id - 1:,}" if entry.id > previous_id + 2 else "")
                self.report.add(f"Audit entries {missing} are missing from the trail: removed.")
            if audit.entry_hash(previous_hash, values) != entry.hash:
                self.report.add(
                    f"Audit entry {entry.id:,} ({entry.action}: {entry.operation} {entry.table_name} {entry.row_id}) "
                    "does not follow the chain: it was forged, altered, or the entry before it removed."
                )
            previous_id, previous_hash = entry.id, entry.hash
            self.report.chain_hashes[entry.id] = entry.hash
            self.report.entries += 1
            self._apply(entry)
        if previous_id:
            self.report.head = (previous_id, previous_hash)

    def _apply(self, entry) -> None:
        if entry.operation == "migrate":
            for table, columns in json.loads(entry.after)["added"].items():
                self.added.extend((entry.id, table, column, value) for column, value in columns.items())
            return
        if entry.table_name not in self.tables or entry.operation == "refused":
            return  # a refused attempt (db.team_server.note_refusal) changed no row
        after = json.loads(entry.after) if entry.after else None
        if entry.operation == "insert" and after and "event_ids" in after:
            unit = {name: after[name] for name in ("columns", "chunk", "digest")} if "digest" in after else None
            bulk = _Bulk(entry.id, after["file_name"], after["event_ids"], unit)
            self.bulks.append(bulk)
            for event_id in bulk.event_ids:
                self.bulk_of[event_id] = bulk
                # An event deleted earlier and imported again (Accord Desk's CSV keeps its ids) is the import's now.
                if self.last.pop(("event", event_id), None) is not None:
                    for table in _LINK_TABLES:
                        for row_id in self.links_of.pop((table, event_id), ()):
                            self.last.pop((table, row_id), None)
            return
        before = json.loads(entry.before) if entry.before else None
        key = (entry.table_name, entry.row_id)
        self._touch(key, before)
        self.last[key] = (entry.id, entry.after)
        if entry.table_name in _LINK_TABLES:
            self.links_of[(entry.table_name, entry.row_id.split("/")[0])].add(entry.row_id)
        elif entry.table_name == "event" and after is not None:
            for table, name in _LINK_KEYS.items():
                if name in after:
                    self._replace_links(entry.id, table, entry.row_id, before.get(name, []), after[name])

    def _pristine_bulk(self, key: tuple[str, str]) -> _Bulk | None:
        """The import whose row this is, if no later entry touched it yet."""
        table, row_id = key
        if key in self.last or (table != "event" and table not in _LINK_TABLES):
            return None
        bulk = self.bulk_of.get(row_id.split("/")[0])
        if bulk is None or (table in _LINK_TABLES and row_id.split("/")[0] in bulk.replaced[table]):
            return None
        return bulk

    def _touch(self, key: tuple[str, str], before: dict | None) -> None:
        bulk = self._pristine_bulk(key)
        if bulk is not None:
            bulk.touched[key[0]].add(key[1])
            if before is not None:
                bulk.as_inserted[key[0]].append(before)

    def _replace_links(self, entry_id: int, table: str, event_id: str, before: list, after: list) -> None:
        """An import's update of an event replaced all its links of `table` with `after`."""
        other, (value,) = _LINK_TABLES[table]
        bulk = self.bulk_of.get(event_id)
        if bulk is not None and event_id not in bulk.replaced[table]:
            for linked, detail in before:
                row_id = f"{event_id}/{linked}"
                if (table, row_id) not in self.last:
                    bulk.as_inserted[table].append(
                        {"event_id": event_id, other: linked, value: detail, **_LINK_DEFAULTS[table]}
                    )
            bulk.replaced[table].add(event_id)
        for row_id in self.links_of.pop((table, event_id), ()):
            self.last[(table, row_id)] = (entry_id, None)
        for linked, detail in after:
            row_id = f"{event_id}/{linked}"
            values = {"event_id": event_id, other: linked, value: detail, **_LINK_DEFAULTS[table]}
            self.last[(table, row_id)] = (entry_id, audit.dump(values))
            self.links_of[(table, event_id)].add(row_id)

    def compare(self) -> None:
        """Each row against its last entry; only the rows an entry names are read whole."""
        for name, table in self.tables.items():
            keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            named = []
            for key in self.connection.connection.cursor().execute(f'SELECT {keys} FROM "{name}"'):
                row_id = "/".join(map(str, key))
                if (name, row_id) in self.last:
                    named.append(row_id)
                elif self._pristine_bulk((name, row_id)) is None:
                    self.report.add(f"{_label(name, row_id)} is not in the audit trail: it was added outside Accord Desk.")
            found = {row_id: row for row_id, row in self._rows(table, named)}
            for (table_name, row_id), (entry_id, after) in self.last.items():
                if table_name == name:
                    self._compare(table, row_id, found.get(row_id), entry_id, after)
        for bulk in self.bulks:
            self._check_bulk(bulk)

    def _rows(self, table, row_ids: list[str]) -> Iterator[tuple[str, Any]]:
        """The rows of `table` with these ids ("a/b" for two-column keys), typed as the ORM reads them."""
        first, *rest = table.primary_key.columns
        wanted = set(row_ids)
        for row in select_matching(self.connection, list(table.columns), first, sorted({i.split("/")[0] for i in wanted})):
            row_id = "/".join(str(row._mapping[c.name]) for c in (first, *rest))
            if row_id in wanted:
                yield row_id, row._mapping

    def _compare(self, table, row_id: str, row, entry_id: int, after: str | None) -> None:
        label = _label(table.name, row_id, row)
        if row is None:
            if after is not None:
                self.report.add(f"{label} is missing though audit entry {entry_id:,} wrote it.")
            return
        if after is None:
            self.report.add(f"{label} is in the record though audit entry {entry_id:,} deleted it.")
            return
        expected = {k: v for k, v in json.loads(after).items() if k in table.c}
        expected.update({c: v for e, t, c, v in self.added if t == table.name and e > entry_id})
        differ = sorted(k for k, v in expected.items() if _plain(row[k]) != v)
        if differ:
            self.report.add(
                f"{label} differs from audit entry {entry_id:,} in {', '.join(differ)}: it was changed outside Accord Desk."
            )

    def _check_bulk(self, bulk: _Bulk) -> None:
        if bulk.unit is None:
            return  # an import made before the chain: its entry lists the events, it holds no digest
        put_back = {}
        for table in set(bulk.touched) | set(bulk.as_inserted) | set(bulk.replaced):
            columns = bulk.unit["columns"].get(table) or list(self.tables[table].columns.keys())
            rows = [_stored(self.connection, self.tables[table], values) for values in bulk.as_inserted[table]]
            put_back[table] = (
                bulk.touched[table] | bulk.replaced[table],
                [tuple(row.get(name) for name in columns) for row in rows],
            )
        if audit.bulk_digest(self.connection, bulk.event_ids, bulk.unit, put_back) != bulk.unit["digest"]:
            self.report.add(
                f"The {len(bulk.event_ids):,} events audit entry {bulk.entry_id:,} added from {bulk.file_name} "
                "no longer match its digest: one of them or their links was changed, added or removed outside Accord Desk."
            )


def _stored(connection: Connection, table, values: dict[str, Any]) -> dict[str, Any]:
    """An entry's plain values as the driver hands them over: dates back from ISO text through their
    column's type, and figures as floats (SQLite's REAL affinity makes 34 into 34.0)."""
    dialect = connection.dialect
    stored = {}
    for name, value in values.items():
        if name not in table.c:
            continue
        column_type = table.c[name].type
        if value is not None and isinstance(column_type, DateTime | UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Date):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(column_type, Float):
            value = float(value)
        processor = column_type.dialect_impl(dialect).bind_processor(dialect)
        stored[name] = processor(value) if processor else value
    return stored


def _label(table: str, row_id: str, row=None) -> str:
    if row is not None and table == "obligation":
        return f"Obligation {row['ref']}"
    if row is not None and table == "event":
        return f"The event {row['external_id'] or row_id}"
    return f"The {table} row {row_id}"
