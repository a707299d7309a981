"""What receiving a bundle would do (db/exchange.py), worked out against this record before anything is
written: every reference resolvable, the trails chain on, and each row's outcome (the rules in
db/exchange.py's docstring)."""

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from db import audit, desk
from db.bundle import (
    CIRCUMSTANCE_COLUMNS,
    DESK_LOCAL_COLUMNS,
    RECORD_TABLES,
    Bundle,
    BundleError,
    Progress,
    chain_problem,
    going_on,
    references,
    tables,
)
from db.dots import Dot, RowKey, chunks, covered, row_dots
from db.errors import ImportCancelled
from db.local_rows import held_for, natural_candidates
from db.merge_report import KINDS, Conflict, MergeReport, label
from db.natural_keys import Rename, match_natural_keys

STEPS = 1000  # rows planned or written between two looks at `progress`


@dataclass
class Step:
    key: RowKey
    outcome: str  # added | updated | deleted | unchanged | conflict
    theirs: dict[str, Any] | None = None
    dot: Dot | None = None  # the other desk's dot, to record when its version is taken
    adopt: bool = False  # unchanged content, the other's dot (and circumstance) kept: the desks converge
    absent: bool = False  # this desk holds no such row (never had it, or deleted it)


def _same(mine: dict | None, theirs: dict | None, ignore: frozenset[str]) -> bool:
    if mine is None or theirs is None:
        return mine is theirs
    return all(mine[c] == theirs[c] for c in mine if c not in ignore)


def _differing(mine: dict | None, theirs: dict | None) -> tuple[str, ...]:
    if mine is None or theirs is None:
        return ()
    ignore = DESK_LOCAL_COLUMNS | CIRCUMSTANCE_COLUMNS
    return tuple(c for c in mine if c not in ignore and mine[c] != theirs[c])


@dataclass
class Plan:
    bundle: Bundle
    steps: list[Step]
    report: MergeReport
    new_entries: dict[str, tuple[int, int]]  # the entries of other desks' trails received: chain → (first, last) id
    renames: list[Rename]  # this desk's records that take the other desk's id once the merge is written
    as_of: tuple  # the record it was planned against (`planned_as_of`): unchanged, the plan still holds
    mine: dict[str, dict[str, dict]]  # that record's rows the bundle names (db.local_rows)

    @property
    def nothing_to_write(self) -> bool:
        """A bundle received before (or holding only what this desk has): receiving it writes nothing."""
        return not self.new_entries and not self.renames and all(s.outcome == "unchanged" and not s.adopt for s in self.steps)


def planned_as_of(connection) -> tuple:
    """What a plan depends on: the newest audit entry (every change of the record and every receive writes
    one) and the desk's id."""
    return audit.last_entry(connection), desk.desk_id(connection)


def cancelled(bundle: Bundle) -> ImportCancelled:
    return ImportCancelled(f"Receiving {bundle.path.name} was cancelled; nothing was changed.")


def plan(session: Session, bundle: Bundle, progress: Progress | None = None) -> Plan:
    """What receiving the bundle would do, checked against this record; BundleError if it cannot be received.
    `progress(done, total)` is told every STEPS rows; ImportCancelled once it returns False."""
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
    mine = natural_candidates(connection, bundle)
    renames = match_natural_keys(bundle, mine)
    mine = held_for(connection, bundle, mine)
    _check_references(bundle, mine)
    new_entries = _check_trails(connection, bundle, me)
    refs = {k: v["ref"] for k, v in {**mine["obligation"], **bundle.rows.get("obligation", {})}.items()}
    report = MergeReport(bundle.path, bundle.content_sha256, bundle.desk_id, bundle.manifest["who"],
                         bundle.manifest["made_at"])  # fmt: skip
    report.entries_received = sum(last - first + 1 for first, last in new_entries.values())
    steps = []
    theirs_all = {(t, r): v for t, rows in bundle.rows.items() for r, v in rows.items()}
    keys = sorted({*theirs_all, *bundle.tombstones}, key=lambda k: (RECORD_TABLES.index(k[0]), k[1]))
    dots = row_dots(connection, {(t, r) for t, rows in mine.items() for r in rows}, set(keys))
    undecided = {k for k in keys if _unsettled(k, dots, bundle, knowledge, mine, theirs_all)}
    my_past = _past_versions(_trail_entries(connection, undecided), undecided)
    their_past = _past_versions(bundle.trail.of_rows(_their_ids(undecided, bundle.renamed)), undecided, bundle.renamed)
    for index, key in enumerate(keys):
        if index % STEPS == 0:
            going_on(progress, index, len(keys), cancelled(bundle))
        table, row_id = key
        theirs = theirs_all.get(key)
        tdot = bundle.dots[key] if theirs is not None else bundle.tombstones[key]
        ours = mine[table].get(row_id)
        found = dots.get(key)
        mdot = found[:2] if found else None
        step = Step(key, "unchanged", theirs, tdot, absent=ours is None)
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
            report.conflicts.append(Conflict(key, label(table, shown, refs), why, ours, theirs, _differing(ours, theirs)))
        steps.append(step)
    for step in still_used(steps, mine):
        ours = mine[step.key[0]][step.key[1]]
        why = "deleted on the other desk, still used on this one"
        step.outcome = "conflict"
        report.conflicts.append(Conflict(step.key, label(step.key[0], ours, refs), why, ours, None, ()))
    for step in used_there(steps, mine):
        why = "deleted on this desk, still used on the other"
        step.outcome = "conflict"
        report.conflicts.append(Conflict(step.key, label(step.key[0], step.theirs, refs), why, None, step.theirs, ()))
    for step in steps:
        report.counts[step.key[0]][step.outcome] += 1
    for table, ours, theirs in renames:
        report.renamed.append(
            f"{label(table, mine[table][ours], refs)} takes the id the other desk gave it ({theirs[:8]}…), the smaller "
            "of the two; the rows naming it follow"
        )
    return Plan(bundle, steps, report, new_entries, renames, planned_as_of(connection), mine)


def used_there(steps: list[Step], mine: dict[str, dict[str, dict]]) -> list[Step]:
    """The records this desk deleted that rows the other desk sends, to be taken, still name (an assessment
    of an obligation deleted here): a conflict, so the officer restores the record or leaves those rows out."""
    by_key = {step.key: step for step in steps}
    taken: dict[str, list[Step]] = defaultdict(list)  # by table: each reference looks at its own table's rows
    for step in steps:
        if step.outcome in ("added", "updated"):
            taken[step.key[0]].append(step)
    found: dict[RowKey, Step] = {}
    for table, column, parent in references():
        for step in taken.get(table, ()):
            if (value := step.theirs[column]) is not None:
                target = by_key.get((parent, value))
                gone = target is not None and target.theirs is not None and value not in mine[parent]
                if gone and target.outcome == "unchanged":
                    found[target.key] = target
    return list(found.values())


def still_used(steps: list[Step], mine: dict[str, dict[str, dict]]) -> list[Step]:
    """The deletions the other desk sent of records that rows of this desk, which stay, still name: taking
    them would delete or empty those rows too (SQLite's cascades, which no audit entry records)."""
    deleting = {step.key: step for step in steps if step.outcome == "deleted"}
    used: list[Step] = []
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


def _trail_entries(connection, wanted: set[RowKey]):
    """This desk's trail and the trails it received, as entries of the wanted rows (for their past versions)."""
    statement = text(
        "SELECT table_name, row_id, before, after FROM auditentry WHERE table_name != '' AND row_id IN :ids "
        "UNION ALL SELECT table_name, row_id, before, after FROM received_entry WHERE table_name != '' AND row_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    for part in chunks(sorted({r for _, r in wanted})):
        for table_name, row_id, before, after in connection.execute(statement, {"ids": part}):
            yield {"table_name": table_name, "row_id": row_id, "before": before, "after": after}


def _their_ids(wanted: set[RowKey], renamed: dict[RowKey, str] | None) -> set[str]:
    """The ids the other desk's trail names the wanted rows by (db.natural_keys renamed some to this desk's)."""
    ids = {r for _, r in wanted}
    return ids | {theirs for (t, theirs), ours in (renamed or {}).items() if (t, ours) in wanted}


def _past_versions(entries, wanted: set[RowKey], renamed: dict[RowKey, str] | None = None) -> dict[RowKey, set[str | None]]:
    """Every content a trail says each wanted row had (its base hashes, so to speak), deletion included:
    a side whose version the other once held is the older one, whoever's dots they are. `renamed`: the
    other desk's ids this desk knows under its own (db.natural_keys), in the entries' keys and references."""
    if not wanted:
        return {}
    renamed = renamed or {}
    names = {table: set(columns) for table, columns in ((t, tables()[t].c.keys()) for t, _ in wanted)}
    naming = defaultdict(list)  # table → (column, table it names): its references and its own id
    for child, column, parent in references():
        naming[child].append((column, parent))
    for table in names:
        naming[table].append(("id", table))

    def version(table: str, values: dict) -> str | None:
        values = {k: v for k, v in values.items() if k in names[table]}
        for column, parent in naming[table]:
            if column in values:
                values[column] = renamed.get((parent, values[column]), values[column])
        return _content(values)

    found: dict[RowKey, set[str | None]] = defaultdict(set)
    for entry in entries:
        key = (entry["table_name"], entry["row_id"])
        key = (key[0], renamed.get(key, key[1]))
        if key not in wanted:
            continue
        if entry["before"]:  # an insert's "before" is no version: the row was not deleted before it
            found[key].add(version(key[0], json.loads(entry["before"])))
        after = json.loads(entry["after"]) if entry["after"] else None
        found[key].add(None if after is None else version(key[0], after))
    return found


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


def _check_trails(connection, bundle: Bundle, me: str) -> dict[str, tuple[int, int]]:
    """The entries of each trail the bundle carries that this desk does not hold yet, checked to chain on:
    {chain: (first id, last id)}."""
    new = {}
    owned = desk.identities(connection)
    former = {owner for owner, _ in owned[:-1]}
    trail = bundle.trail
    for chain in trail.chains():
        if chain == me:
            continue  # this desk's own trail, come back: it is the trail itself
        first = next(trail.entries(chain))["id"]
        # What was received of this trail from just before the bundle's first entry (entries come oldest first)
        known = dict(connection.execute(
            text("SELECT id, hash FROM received_entry WHERE chain = :chain AND id >= :first"),
            {"chain": chain, "first": first - 1},
        ).all())  # fmt: skip
        if chain in former:  # this file is a copy of that desk: their trails are one until the copy
            known.update(connection.execute(
                text("SELECT id, hash FROM auditentry WHERE id >= :first AND id <= :copied"),
                {"first": first - 1, "copied": owned[-1][1]},
            ).all())  # fmt: skip
        fresh = None  # (first, last) of the entries not held
        for entry in trail.entries(chain):
            if known.get(entry["id"], entry["hash"]) != entry["hash"]:
                raise BundleError(
                    f"{bundle.path} cannot be received: desk {chain[:8]}'s audit trail in it differs from the one "
                    "received before (it was rewritten); nothing was changed."
                )
            if entry["id"] not in known:
                fresh = (entry["id"] if fresh is None else fresh[0], entry["id"])
        if fresh is None:
            continue
        before = fresh[0] - 1
        previous = (0, audit.GENESIS) if before == 0 else (before, known.get(before))
        unheld = (entry for entry in trail.entries(chain) if entry["id"] not in known)
        problem = chain_problem(unheld, previous) if previous[1] is not None else f"entry {before} was never received"
        if problem:
            raise BundleError(
                f"{bundle.path} cannot be received: desk {chain[:8]}'s audit trail in it does not verify "
                f"({problem}); nothing was changed. Ask the sending desk for the bundle again."
            )
        new[chain] = fresh
    return new
