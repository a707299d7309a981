"""Receiving a bundle from another desk (`accord-desk import-bundle`, File ▸ Receive from another desk…).

The bundle is read and checked whole first (db.bundle.read_bundle: format, version, hash), then against
this record (`plan`): it is not this desk's own, a `--since` bundle continues what this desk holds, every
row it names exists in it or here, and the trails it carries chain on from what was received before. Only
then is anything written, in one transaction.

Each row merges by its id, as a three-way merge would from the two desks' last exchange, with the dots and
knowledge of db.bundle standing for the common ancestor (KeePassXC merges entries by UUID; Anki's sync
counts changes, not time):
- a row unknown here is added; a tombstone of a row unknown here is kept, to pass on;
- the same change on both sides, or the same content (apart from who recorded it when), is unchanged;
  two desks that recorded the same row each at its own time settle on the one with the smaller dot;
- a change this desk has seen already (its knowledge covers the other's dot) is unchanged: this desk's
  version is newer;
- a change of a row the other desk had seen in this desk's version is taken: updated, deleted or added;
- anything else was changed on both desks since they last exchanged: a conflict, shown with both sides.
  Nothing is overwritten until each conflict has a choice: this desk's, the other's, or (text) both kept.
Assessments are history: each has its own id, so both desks' are kept side by side.

The other desk's audit entries are kept as received (desk table received_entry), their chain verifiable;
this desk's trail records each row the merge wrote, under the action "Receive bundle <hash>", and then one
entry naming the bundle's hash, the sending desk and the report.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from db import audit, desk
from db.bundle import (
    CIRCUMSTANCE_COLUMNS,
    DESK_LOCAL_COLUMNS,
    RECORD_TABLES,
    Bundle,
    BundleError,
    Dot,
    RowKey,
    chain_problem,
    covered,
    key_of,
    read_bundle,
    received_trails,
    record_rows,
    references,
    row_dots,
    tables,
    typed,
)
from db.changes import EVERYTHING, Changes
from db.event_file import plural

KINDS = {
    "actor": "actors", "actoralias": "actor aliases", "agreement": "agreements", "party": "parties",
    "partymember": "actors grouped under parties",
    "obligation": "obligations", "obligationobligor": "obligors", "obligationdependency": "dependencies",
    "assessment": "assessments", "importfile": "import files", "event": "events", "eventactor": "event actors",
    "eventobligation": "event links", "metric": "metrics", "metricobligation": "metric links",
    "targetpoint": "target points", "observation": "observations", "officerwords": "officer's words",
}  # fmt: skip


class Choice(StrEnum):
    MINE = "mine"
    THEIRS = "theirs"
    BOTH = "both"  # text: this desk's and the other's, one after the other


CHOICE_WORDS = {
    Choice.MINE: "this desk's version kept", Choice.THEIRS: "the other desk's version taken",
    Choice.BOTH: "both texts kept",
}  # fmt: skip


@dataclass(frozen=True)
class Conflict:
    key: RowKey
    label: str  # how the officer knows the record: "Obligation P1-A.1"
    why: str  # "changed on both desks", "deleted on this desk, changed on the other", …
    mine: dict[str, Any] | None  # None: deleted here
    theirs: dict[str, Any] | None  # None: deleted there
    columns: tuple[str, ...]  # the columns that differ

    @property
    def kind(self) -> str:
        return KINDS[self.key[0]]

    @property
    def text_only(self) -> bool:
        """Both sides can be kept: every column that differs holds text on both."""
        return (
            self.mine is not None and self.theirs is not None and bool(self.columns)
            and all(isinstance(self.mine[c], str) and isinstance(self.theirs[c], str) for c in self.columns)
        )  # fmt: skip

    def line(self) -> str:
        detail = f" ({', '.join(self.columns)})" if self.columns else ""
        return f"{self.label}: {self.why}{detail}."


@dataclass
class _Step:
    key: RowKey
    outcome: str  # added | updated | deleted | unchanged | conflict
    theirs: dict[str, Any] | None = None
    dot: Dot | None = None  # the other desk's dot, to record when its version is taken
    adopt: bool = False  # unchanged content, the other's dot (and circumstance) kept: the desks converge


@dataclass
class MergeReport:
    bundle: Path
    sha256: str
    sender: str
    sender_who: str
    made_at: str
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    conflicts: list[Conflict] = field(default_factory=list)
    not_taken: list[str] = field(default_factory=list)  # rows left out with the deletion they need
    entries_received: int = 0
    chosen: dict[RowKey, "Choice"] = field(default_factory=dict)  # how each conflict was settled
    written: bool = False
    nothing_new: bool = False  # received before, or holding only what this desk holds
    changes: Changes = field(default_factory=Changes)

    def lines(self) -> list[str]:
        head = "Received" if self.written else "Nothing new in" if self.nothing_new else "Would receive"
        when = f"{self.made_at[:10]} {self.made_at[11:16]} UTC"
        lines = [f"{head} {self.bundle.name} from desk {self.sender[:8]} ({self.sender_who}, {when}), "
                 f"SHA-256 {self.sha256[:12]}…:"]  # fmt: skip
        for table in RECORD_TABLES:
            count = self.counts.get(table)
            if count and (count["added"] or count["updated"] or count["deleted"] or count["conflict"]):
                said = [f"{count[o]} {o}" for o in ("added", "updated", "deleted", "unchanged") if count[o]]
                said += [plural(count["conflict"], "conflict")] if count["conflict"] else []
                lines.append(f"  {KINDS[table]}: {', '.join(said)}")
        unchanged = sum(c["unchanged"] for c in self.counts.values())
        entries = self.entries_received
        lines.append(f"  {plural(unchanged, 'record')} unchanged; {entries:,} audit "
                     f"{'entry' if entries == 1 else 'entries'} of other desks received.")  # fmt: skip
        for conflict in self.conflicts:
            choice = self.chosen.get(conflict.key)
            said = f"Settled ({CHOICE_WORDS[choice]})" if choice else "Conflict"
            lines.append(f"  {said}: {conflict.line()}")
        lines.extend(f"  Not taken: {line}" for line in self.not_taken)
        return lines


def both_sides(count: int) -> str:
    return f"{plural(count, 'record')} {'was' if count == 1 else 'were'} changed on both desks"


def _models() -> dict[str, type[SQLModel]]:
    return {m.local_table.name: m.class_ for m in SQLModel._sa_registry.mappers if m.local_table.name in RECORD_TABLES}


def _same(mine: dict | None, theirs: dict | None, ignore: frozenset[str]) -> bool:
    if mine is None or theirs is None:
        return mine is theirs
    return all(mine[c] == theirs[c] for c in mine if c not in ignore)


def _differing(mine: dict | None, theirs: dict | None) -> tuple[str, ...]:
    if mine is None or theirs is None:
        return ()
    ignore = DESK_LOCAL_COLUMNS | CIRCUMSTANCE_COLUMNS
    return tuple(c for c in mine if c not in ignore and mine[c] != theirs[c])


def _label(table: str, values: dict[str, Any], obligation_refs: dict[str, str]) -> str:
    if table == "obligation":
        return f"Obligation {values['ref']}"
    if table == "agreement":
        return f"The agreement {values['short_title'] or values['title']}"
    if table == "actor":
        return f"The actor {values['name']}"
    if table == "event":
        return f"The event {values['external_id']}" if values["external_id"] else f"The event of {values['occurred_on']}"
    if table == "assessment":
        return f"The assessment of {obligation_refs.get(values['obligation_id'], 'an obligation')} as of {values['as_of']}"
    if table == "metric":
        return f"The metric {values['name']}"
    return f"A row of {KINDS[table]}"


@dataclass
class Plan:
    bundle: Bundle
    steps: list[_Step]
    report: MergeReport
    new_entries: dict[str, list[dict[str, Any]]]

    @property
    def nothing_to_write(self) -> bool:
        """A bundle received before (or holding only what this desk has): receiving it writes nothing."""
        return not self.new_entries and all(s.outcome == "unchanged" and not s.adopt for s in self.steps)


def plan(session: Session, bundle: Bundle) -> Plan:
    """What receiving the bundle would do, checked against this record; BundleError if it cannot be received."""
    connection = session.connection()
    me = desk.desk_id(connection)
    if bundle.desk_id == me:
        raise BundleError(f"{bundle.path} was sent by this desk itself; receive bundles from other desks.")
    knowledge = desk.knowledge(connection)
    if bundle.since is not None and not all(covered(knowledge, (d, c)) for d, c in bundle.since.items()):
        raise BundleError(
            f"{bundle.path} holds only what changed after an earlier bundle this desk has not received; "
            "nothing was changed. Receive that one first, or ask for a whole bundle (export-bundle without --since)."
        )
    mine = record_rows(connection)
    _check_references(bundle, mine)
    _match_natural_keys(bundle, mine)
    new_entries = _check_trails(connection, bundle, me)
    dots = row_dots(connection)
    refs = {k: v["ref"] for k, v in {**mine["obligation"], **bundle.rows.get("obligation", {})}.items()}
    report = MergeReport(bundle.path, bundle.content_sha256, bundle.desk_id, bundle.manifest["who"],
                         bundle.manifest["made_at"])  # fmt: skip
    report.entries_received = sum(len(entries) for entries in new_entries.values())
    steps = []
    theirs_all = {(t, r): v for t, rows in bundle.rows.items() for r, v in rows.items()}
    keys = sorted({*theirs_all, *bundle.tombstones}, key=lambda k: (RECORD_TABLES.index(k[0]), k[1]))
    undecided = {k for k in keys if _unsettled(k, dots, bundle, knowledge, mine, theirs_all)}
    my_past = _past_versions(_trail_entries(connection), undecided)
    their_past = _past_versions((e for chain in bundle.entries.values() for e in chain), undecided)
    for key in keys:
        table, row_id = key
        theirs = theirs_all.get(key)
        tdot = bundle.dots[key] if theirs is not None else bundle.tombstones[key]
        ours = mine[table].get(row_id)
        found = dots.get(key)
        mdot = found[:2] if found else None
        step = _Step(key, "unchanged", theirs, tdot)
        if mdot is None:
            step.outcome = "added" if theirs is not None else "unchanged"
            step.adopt = theirs is None  # a tombstone to pass on
        elif tdot == mdot:
            pass
        elif _same(ours, theirs, _IGNORED):
            # The same content: take the other's dot only when it is the newer (it had seen this desk's),
            # or when neither had seen the other's (two recordings of one thing: the smaller dot, on both).
            seen_here, seen_there = covered(knowledge, tdot), covered(bundle.knowledge, mdot)
            step.adopt = (seen_there and not seen_here) or (not seen_here and not seen_there and tdot < mdot)
        elif covered(knowledge, tdot) or _content(theirs) in my_past.get(key, ()):
            pass  # this desk's version is newer: it held theirs before
        elif covered(bundle.knowledge, mdot) or _content(ours) in their_past.get(key, ()):
            step.outcome = "deleted" if theirs is None else "added" if ours is None else "updated"
        else:
            why = ("changed on both desks" if ours is not None and theirs is not None
                   else "deleted on this desk, changed on the other" if ours is None
                   else "changed on this desk, deleted on the other")  # fmt: skip
            step.outcome = "conflict"
            shown = ours or theirs
            report.conflicts.append(Conflict(key, _label(table, shown, refs), why, ours, theirs, _differing(ours, theirs)))
        steps.append(step)
    for step in _still_used(steps, mine):
        ours = mine[step.key[0]][step.key[1]]
        why = "deleted on the other desk, still used on this one"
        step.outcome = "conflict"
        report.conflicts.append(Conflict(step.key, _label(step.key[0], ours, refs), why, ours, None, ()))
    for step in _used_there(steps, mine):
        why = "deleted on this desk, still used on the other"
        step.outcome = "conflict"
        report.conflicts.append(Conflict(step.key, _label(step.key[0], step.theirs, refs), why, None, step.theirs, ()))
    for step in steps:
        report.counts[step.key[0]][step.outcome] += 1
    return Plan(bundle, steps, report, new_entries)


def _used_there(steps: list[_Step], mine: dict[str, dict[str, dict]]) -> list[_Step]:
    """The records this desk deleted that rows the other desk sends, to be taken, still name (an assessment
    of an obligation deleted here): a conflict, so the officer restores the record or leaves those rows out."""
    by_key = {step.key: step for step in steps}
    taken = {step.key for step in steps if step.outcome in ("added", "updated")}
    found: dict[RowKey, _Step] = {}
    for table, column, parent in references():
        for key in taken:
            if key[0] == table and (value := by_key[key].theirs[column]) is not None:
                target = by_key.get((parent, value))
                gone = target is not None and target.theirs is not None and value not in mine[parent]
                if gone and target.outcome == "unchanged":
                    found[target.key] = target
    return list(found.values())


def _dropped(writes: dict[str, list], mine: dict[str, dict[str, dict]]) -> list[RowKey]:
    """The rows to be taken that name a record which stays deleted here (its conflict settled so): left out."""
    will_exist = {(t, r) for t, rows in mine.items() for r in rows}
    will_exist |= {key for rows in writes.values() for key, outcome, _ in rows if outcome != "deleted"}
    will_exist -= {key for rows in writes.values() for key, outcome, _ in rows if outcome == "deleted"}
    left_out: list[RowKey] = []
    changed = True
    while changed:
        changed = False
        for table, column, parent in references():
            kept = []
            for key, outcome, values in writes[table]:
                value = values[column] if values is not None and outcome != "deleted" else None
                if value is not None and (parent, value) not in will_exist:
                    left_out.append(key)
                    will_exist.discard(key)
                    changed = True
                else:
                    kept.append((key, outcome, values))
            writes[table] = kept
    return left_out


def _still_used(steps: list[_Step], mine: dict[str, dict[str, dict]]) -> list[_Step]:
    """The deletions the other desk sent of records that rows of this desk, which stay, still name: taking
    them would delete or empty those rows too (SQLite's cascades, which no audit entry records)."""
    deleting = {step.key: step for step in steps if step.outcome == "deleted"}
    used: list[_Step] = []
    changed = True
    while changed:  # a deletion kept can keep its parents' in turn
        changed = False
        for table, column, parent in references():
            for row_id, values in mine[table].items():
                target = (parent, values[column])
                if target in deleting and (table, row_id) not in deleting:
                    used.append(deleting.pop(target))
                    changed = True
    return used


_IGNORED = DESK_LOCAL_COLUMNS | CIRCUMSTANCE_COLUMNS


def _content(values: dict[str, Any] | None) -> str | None:
    """A row's content as two desks compare it (None: deleted)."""
    if values is None:
        return None
    return json.dumps({k: v for k, v in values.items() if k not in _IGNORED}, sort_keys=True, ensure_ascii=False)


def _unsettled(key, dots, bundle: Bundle, knowledge, mine, theirs_all) -> bool:
    """Whether the dots alone cannot say which side is newer (two desks that never exchanged this row)."""
    found = dots.get(key)
    tdot = bundle.dots.get(key) or bundle.tombstones[key]
    ours, theirs = mine[key[0]].get(key[1]), theirs_all.get(key)
    return (
        found is not None and found[:2] != tdot and not _same(ours, theirs, _IGNORED)
        and not covered(knowledge, tdot) and not covered(bundle.knowledge, found[:2])
    )  # fmt: skip


def _trail_entries(connection):
    """This desk's trail and the trails it received, as entries (for the rows' past versions)."""
    for table_name, row_id, before, after in connection.exec_driver_sql(
        "SELECT table_name, row_id, before, after FROM auditentry WHERE table_name != '' "
        "UNION ALL SELECT table_name, row_id, before, after FROM received_entry WHERE table_name != ''"
    ):
        yield {"table_name": table_name, "row_id": row_id, "before": before, "after": after}


def _past_versions(entries, wanted: set[RowKey]) -> dict[RowKey, set[str | None]]:
    """Every content a trail says each wanted row had (its base hashes, so to speak), deletion included:
    a side whose version the other once held is the older one, whoever's dots they are."""
    if not wanted:
        return {}
    names = {table: set(columns) for table, columns in ((t, tables()[t].c.keys()) for t, _ in wanted)}
    found: dict[RowKey, set[str | None]] = defaultdict(set)
    for entry in entries:
        key = (entry["table_name"], entry["row_id"])
        if key not in wanted:
            continue
        if entry["before"]:  # an insert's "before" is no version: the row was not deleted before it
            found[key].add(_content({k: v for k, v in json.loads(entry["before"]).items() if k in names[key[0]]}))
        after = json.loads(entry["after"]) if entry["after"] else None
        found[key].add(None if after is None else _content({k: v for k, v in after.items() if k in names[key[0]]}))
    return found


# What names a record outside Accord Desk, by table: the columns, casefolded where lookups ignore case.
NATURAL_KEYS = {"event": ("external_id",), "importfile": ("sha256",), "actoralias": ("alias_key",),
                "actor": ("name",), "party": ("agreement_id", "actor_id")}  # fmt: skip


def _natural(table: str, values: dict[str, Any]) -> tuple | None:
    key = tuple(values[c] for c in NATURAL_KEYS[table])
    if None in key:
        return None
    return (key[0].casefold(),) if table == "actor" else key


def _match_natural_keys(bundle: Bundle, mine: dict[str, dict[str, dict]]) -> None:
    """Records both desks hold under different ids, made before ids derived from natural keys (db.ids):
    the bundle's are renamed to this desk's ids, in its rows, the rows that name them, dots and tombstones.
    Parents first, so a party is matched by its agreement and actor as this desk names them."""
    renamed: dict[tuple[str, str], str] = {}
    known = tables()
    for table in (t for t in RECORD_TABLES if t in NATURAL_KEYS):
        here = {_natural(table, v): row_id for row_id, v in mine[table].items()}
        here.pop(None, None)  # a row without a natural key (a typed-in event) matches nothing by it
        if table == "actor":  # an actor is also known by its aliases
            for alias in mine["actoralias"].values():
                here.setdefault((alias["alias_key"],), alias["actor_id"])
        for row_id, values in list(bundle.rows.get(table, {}).items()):
            for column in known[table].columns:
                for foreign in column.foreign_keys:
                    target = (foreign.column.table.name, values[column.name])
                    if target in renamed:
                        values[column.name] = renamed[target]
            ours = here.get(_natural(table, values))
            if ours is not None and ours != row_id and ours not in bundle.rows[table]:
                renamed[(table, row_id)] = ours
    if not renamed:
        return
    for name, table in known.items():
        rows = bundle.rows.get(name, {})
        for row_id in list(rows):
            values = rows.pop(row_id)
            for column in table.columns:
                target = next((f.column.table.name for f in column.foreign_keys), name if column.primary_key else None)
                if target is not None and (target, values[column.name]) in renamed:
                    values[column.name] = renamed[(target, values[column.name])]
            new_id = key_of(table, values)
            rows[new_id] = values
            bundle.dots[(name, new_id)] = bundle.dots.pop((name, row_id))
    bundle.tombstones = {(t, renamed.get((t, r), r)): dot for (t, r), dot in bundle.tombstones.items()}


def _check_references(bundle: Bundle, mine: dict[str, dict[str, dict]]) -> None:
    """Every row the bundle's rows point to is in the bundle or in this record."""
    for name, column, target in references():
        for row_id, values in bundle.rows.get(name, {}).items():
            value = values[column]
            if value is not None and value not in bundle.rows.get(target, {}) and value not in mine[target]:
                raise BundleError(
                    f"{bundle.path} cannot be received: its {KINDS[name]} row {row_id} names "
                    f"{KINDS[target]} row {value}, which neither the bundle nor this record holds; nothing "
                    "was changed. Ask the sending desk for a whole bundle (export-bundle without --since)."
                )


def _check_trails(connection, bundle: Bundle, me: str) -> dict[str, list[dict[str, Any]]]:
    """The entries of each trail the bundle carries that this desk does not hold yet, checked to chain on."""
    held = received_trails(connection)
    new = {}
    for chain, entries in bundle.entries.items():
        if chain == me:
            continue  # this desk's own trail, come back: it is the trail itself
        known = {entry["id"]: entry["hash"] for entry in held.get(chain, [])}
        fresh = [entry for entry in entries if entry["id"] not in known]
        if any(known.get(entry["id"], entry["hash"]) != entry["hash"] for entry in entries):
            raise BundleError(
                f"{bundle.path} cannot be received: desk {chain[:8]}'s audit trail in it differs from the one "
                "received before (it was rewritten); nothing was changed."
            )
        if not fresh:
            continue
        before = fresh[0]["id"] - 1
        previous = (0, audit.GENESIS) if before == 0 else (before, known.get(before))
        problem = chain_problem(fresh, previous) if previous[1] is not None else f"entry {before} was never received"
        if problem:
            raise BundleError(
                f"{bundle.path} cannot be received: desk {chain[:8]}'s audit trail in it does not verify "
                f"({problem}); nothing was changed. Ask the sending desk for the bundle again."
            )
        new[chain] = fresh
    return new


def receive(session: Session, merge: Plan, choices: dict[RowKey, Choice] | None = None) -> MergeReport:
    """Write the plan in the caller's transaction (Store.writing, action `action_for(bundle)`). Every
    conflict needs a choice, or BundleError names the first without one and nothing is written."""
    choices = choices or {}
    report = merge.report
    conflicts = {conflict.key: conflict for conflict in report.conflicts}
    missing = [c for key, c in conflicts.items() if key not in choices]
    if missing:
        raise BundleError(
            f"{both_sides(len(missing))}, the first {missing[0].label}; nothing was changed. Choose for each "
            "(the window's Receive dialog), or give --prefer mine or --prefer theirs."
        )
    connection = session.connection()
    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # a tree's rows come in any order
    models = _models()
    taken: list[tuple[RowKey, Dot, bool]] = []  # the other desk's versions this desk now holds
    kept: list[tuple[RowKey, bool]] = []  # conflicts settled here: this desk's change, newer than both
    writes: dict[str, list] = defaultdict(list)
    for step in merge.steps:
        outcome, theirs = step.outcome, step.theirs
        if outcome == "conflict":
            choice = choices[step.key]
            conflict = conflicts[step.key]
            if choice == Choice.THEIRS:
                outcome = "deleted" if theirs is None else "added" if conflict.mine is None else "updated"
            elif choice == Choice.BOTH and conflict.text_only:
                sender = merge.bundle.manifest["who"]
                theirs = {**conflict.mine, **{c: _both(conflict.mine[c], conflict.theirs[c], sender) for c in conflict.columns}}
                writes[step.key[0]].append((step.key, "updated", theirs))
                kept.append((step.key, False))
                continue
            else:
                kept.append((step.key, conflict.mine is None))
                continue
        if outcome in ("added", "updated", "deleted"):
            writes[step.key[0]].append((step.key, outcome, theirs))
            taken.append((step.key, step.dot, theirs is None))
        elif step.adopt:
            if theirs is not None and outcome == "unchanged":
                writes[step.key[0]].append((step.key, "circumstance", theirs))
            taken.append((step.key, step.dot, theirs is None))
    held = record_rows(connection)
    for key in _dropped(writes, held):
        report.not_taken.append(f"A row of {KINDS[key[0]]} ({key[1]}): it names a record that stays deleted here")
        taken = [t for t in taken if t[0] != key]
    deleting = [_Step(key, "deleted") for table in RECORD_TABLES for key, outcome, _ in writes[table] if outcome == "deleted"]
    if used := _still_used(deleting, held):
        label = conflicts[used[0].key].label if used[0].key in conflicts else KINDS[used[0].key[0]]
        raise BundleError(
            f"{label} cannot be deleted as the other desk did: this desk's records still use it; nothing was "
            "changed. Keep this desk's version of it."
        )
    # One flush a table (each row's get would otherwise flush the rows before it: 40 s for 1,600 rows).
    with session.no_autoflush:
        for table in RECORD_TABLES:  # parents first
            for key, outcome, values in writes[table]:
                if outcome != "deleted":
                    _write(session, models[table], key, outcome, values)
            session.flush()
        for table in reversed(RECORD_TABLES):  # children first: no cascade deletes anything unaudited
            for key, outcome, _ in writes[table]:
                if outcome == "deleted":
                    _delete(session, models[table], key)
            session.flush()
    _refuse_dangling(connection, merge.bundle)
    summary = {
        "bundle": merge.bundle.content_sha256, "file_name": merge.bundle.path.name, "from_desk": merge.bundle.desk_id,
        "sent_by": merge.bundle.manifest["who"], "sent_at": merge.bundle.manifest["made_at"],
        "counts": {t: dict(c) for t, c in report.counts.items()},
        "choices": {f"{t}/{r}": str(c) for (t, r), c in choices.items()},
    }  # fmt: skip
    audit.record_many(session, [("merge", "", merge.bundle.content_sha256, None, summary)])
    head, _ = audit.chain_head(session)
    me = desk.desk_id(connection)
    changes = [(t, r, d, c, head, deleted) for (t, r), (d, c), deleted in taken]
    changes += [(t, r, me, head, head, deleted) for (t, r), deleted in kept]
    if changes:
        connection.execute(
            text("INSERT INTO received_change VALUES (:t, :r, :d, :c, :at, :deleted) ON CONFLICT (table_name, row_id) "
                 "DO UPDATE SET desk_id = excluded.desk_id, counter = excluded.counter, at_entry = excluded.at_entry, "
                 "deleted = excluded.deleted"),
            [dict(zip(("t", "r", "d", "c", "at", "deleted"), change, strict=True)) for change in changes],
        )  # fmt: skip
    for chain, entries in merge.new_entries.items():
        connection.execute(
            text(f"INSERT INTO received_entry VALUES (:chain, {', '.join(f':{c}' for c in _RECEIVED)}, :bundle)"),
            [{"chain": chain, **{c: e[c] for c in _RECEIVED}, "bundle": merge.bundle.content_sha256} for e in entries],
        )
    if not merge.bundle.partial:
        desk.learn(connection, merge.bundle.knowledge)
    report.chosen = dict(choices)
    report.written = True
    report.changes = EVERYTHING
    return report


_RECEIVED = ("id", "at", "who", "action", "operation", "table_name", "row_id", "before", "after", "hash")


def _both(mine: str, theirs: str, sender: str) -> str:
    return f"{mine}\n\n— from the other desk ({sender}) —\n{theirs}" if mine else theirs


def _write(session: Session, model, key: RowKey, outcome: str, values: dict[str, Any]) -> None:
    table = model.__table__
    values = typed(table, {k: v for k, v in values.items() if k not in DESK_LOCAL_COLUMNS})
    row = None if outcome == "added" else session.get(model, _identity(table, key))
    if row is None:
        session.add(model(**values))
        return
    for name, value in values.items():
        if outcome != "circumstance" or name in CIRCUMSTANCE_COLUMNS:
            setattr(row, name, value)


def _delete(session: Session, model, key: RowKey) -> None:
    row = session.get(model, _identity(model.__table__, key))
    if row is not None:
        session.delete(row)


def _identity(table, key: RowKey) -> tuple:
    parts = key[1].split("/")
    return tuple(parts) if len(parts) > 1 else parts[0]


def _refuse_dangling(connection, bundle: Bundle) -> None:
    """A row the merge left pointing at a row that is gone (deleted on one desk, used on the other)."""
    for table, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check"):
        raise BundleError(
            f"{bundle.path} cannot be received as chosen: a {KINDS.get(table, table)} row (rowid {rowid}) would "
            f"point to {KINDS.get(parent, parent)} that was deleted on one desk and is still used on the other; "
            "nothing was changed. Choose the version that keeps it."
        )


def action_for(bundle: Bundle) -> str:
    return f"Receive bundle {bundle.content_sha256[:12]}"


def import_bundle(store, path: Path, *, dry_run: bool = False, prefer: Choice | None = None,
                  choices: dict[RowKey, Choice] | None = None) -> MergeReport:  # fmt: skip
    """Receive the bundle at `path` into the store: checked whole, then merged in one transaction.
    Conflicts need `choices` or `prefer`; without, and in a dry run, nothing is written."""
    bundle = read_bundle(path)
    with store.reading() as session:
        merge = plan(session, bundle)
    merge.report.nothing_new = merge.nothing_to_write
    if dry_run or merge.nothing_to_write:
        return merge.report
    if merge.report.conflicts and prefer is None and not choices:
        return merge.report
    from db import backup  # db.backup uses Store

    backup.back_up(store, backup.Reason.IMPORT)
    try:
        with store.writing(action_for(bundle)) as session:
            merge = plan(session, bundle)  # again inside the writer's transaction: nothing changed between
            chosen = {c.key: prefer for c in merge.report.conflicts} if prefer else {}
            chosen.update(choices or {})
            return receive(session, merge, chosen)
    except IntegrityError as error:  # a rule of the record the merge would break that no check above foresaw
        raise BundleError(
            f"{path} cannot be received: it would break a rule of the record ({error.orig}); nothing was changed."
        ) from None

