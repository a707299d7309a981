"""Receiving a bundle from another desk (`accord-desk import-bundle`, File ▸ Receive from another desk…).

The bundle is read and checked whole first (db.bundle.read_bundle: format, version, hash), then against
this record (db.merge_plan.plan): it is not this desk's own, a `--since` bundle continues what this desk holds, every
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
  Nothing is overwritten until each conflict has a choice: this desk's, the other's, or (text) both kept
  (db/merge_report.py). Taking the other's version of a record deleted here brings back what hangs on it
  there (an event's actors and links), which this desk deleted with it.
Assessments are history: each has its own id, so both desks' are kept side by side.

The other desk's audit entries are kept as received (desk table received_entry), their chain verifiable;
this desk's trail records each row the merge wrote, under the action "Receive bundle <hash>", and then one
entry naming the bundle's hash, the sending desk and the report.

A team database on a server receives the same way, with its differences said once: its foreign keys are
deferred and checked at the end (db.dialects), its triggers write the trail, whose newest entry gets its id
only at commit (db.team_server.AT_COMMIT), and its rights hold: an editor's rows outside their agreements
are refused by the server, a reader is refused before anything.
"""

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from db import audit, desk
from db.bulk import bulk_insert_rows
from db.bundle import (
    CIRCUMSTANCE_COLUMNS,
    DESK_LOCAL_COLUMNS,
    RECORD_TABLES,
    Bundle,
    BundleError,
    Progress,
    going_on,
    read_bundle,
    references,
    typed,
)
from db.bundle_stream import ENTRY_COLUMNS
from db.changes import EVERYTHING
from db.dialects import dangling_reference, defer_foreign_keys
from db.dots import Dot, RowKey, chunks
from db.merge_plan import STEPS, Plan, Step, cancelled, plan, planned_as_of, still_used
from db.merge_report import KINDS, Choice, MergeReport, both_sides
from db.natural_keys import take_id


def _models() -> dict[str, type[SQLModel]]:
    return {m.local_table.name: m.class_ for m in SQLModel._sa_registry.mappers if m.local_table.name in RECORD_TABLES}


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


def receive(
    session: Session, merge: Plan, choices: dict[RowKey, Choice] | None = None, progress: Progress | None = None
) -> MergeReport:
    """Write the plan in the caller's transaction (Store.writing, action `action_for(bundle)`). Every
    conflict needs a choice, or BundleError names the first without one and nothing is written.
    `progress(done, total)` is told every STEPS rows written; ImportCancelled (the caller's transaction
    rolls back) once it returns False."""
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
    defer_foreign_keys(connection)  # a tree's rows come in any order; renamed records before their rows
    models = _models()
    taken: list[tuple[RowKey, Dot, bool]] = []  # the other desk's versions this desk now holds
    kept: list[tuple[RowKey, bool]] = []  # conflicts settled here: this desk's change, newer than both
    writes: dict[str, list] = defaultdict(list)
    restored = {key for key, c in conflicts.items() if choices[key] == Choice.THEIRS and c.mine is None and c.theirs}
    brought_back = _hanging_on(merge.steps, restored)
    for key in brought_back:
        report.counts[key[0]]["unchanged"] -= 1
        report.counts[key[0]]["added"] += 1
    for step in merge.steps:
        outcome, theirs = step.outcome, step.theirs
        if step.key in brought_back:
            outcome = "added"
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
    held = merge.mine  # nothing is written yet: the record as planned
    for key in _dropped(writes, held):
        report.not_taken.append(f"A row of {KINDS[key[0]]} ({key[1]}): it names a record that stays deleted here")
        taken = [t for t in taken if t[0] != key]
    deleting = [Step(key, "deleted") for table in RECORD_TABLES for key, outcome, _ in writes[table] if outcome == "deleted"]
    if used := still_used(deleting, held):
        label = conflicts[used[0].key].label if used[0].key in conflicts else KINDS[used[0].key[0]]
        raise BundleError(
            f"{label} cannot be deleted as the other desk did: this desk's records still use it; nothing was "
            "changed. Keep this desk's version of it."
        )
    total, done = sum(len(rows) for rows in writes.values()), 0
    # One flush a table (each row's get would otherwise flush the rows before it: 40 s for 1,600 rows).
    with session.no_autoflush:
        for table in RECORD_TABLES:  # parents first
            added = []
            for key, outcome, values in writes[table]:
                if done % STEPS == 0:
                    going_on(progress, done, total, cancelled(merge.bundle))
                done += 1
                if outcome == "added":
                    added.append((key, values))
                elif outcome != "deleted":
                    _write(session, models[table], key, outcome, values)
            session.flush()
            _insert(session, models[table], added)
        for table in reversed(RECORD_TABLES):  # children first: no cascade deletes anything unaudited
            for key, outcome, _ in writes[table]:
                if outcome == "deleted":
                    _delete(session, models[table], key)
            session.flush()
    summary = {
        "bundle": merge.bundle.content_sha256, "file_name": merge.bundle.path.name, "from_desk": merge.bundle.desk_id,
        "sent_by": merge.bundle.manifest["who"], "sent_at": merge.bundle.manifest["made_at"],
        "counts": {t: dict(c) for t, c in report.counts.items()},
        "choices": {f"{t}/{r}": str(c) for (t, r), c in choices.items()},
    }  # fmt: skip
    audit.record_note(session, "merge", merge.bundle.content_sha256, summary)
    head = audit.newest_entry(session)
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
    for chain, (first, last) in merge.new_entries.items():
        for part in chunks(merge.bundle.trail.entries(chain, first, last)):
            connection.execute(
                text(f"INSERT INTO received_entry VALUES (:chain, {', '.join(f':{c}' for c in ENTRY_COLUMNS)}, :bundle)"),
                [{"chain": chain, **{c: e[c] for c in ENTRY_COLUMNS}, "bundle": merge.bundle.content_sha256} for e in part],
            )
    for table, ours, theirs in merge.renames:
        take_id(session, table, ours, theirs)
    _refuse_dangling(connection, merge.bundle)
    if not merge.bundle.partial:
        desk.learn(connection, merge.bundle.knowledge)
    report.chosen = dict(choices)
    report.written = True
    report.changes = EVERYTHING
    return report


def _hanging_on(steps: list[Step], restored: set[RowKey]) -> set[RowKey]:
    """The other desk's rows that hang on the records brought back by taking its version (an event's actors
    and links, deleted here with it): they come back with the record, and what hangs on them in turn."""
    candidates = [s for s in steps if s.outcome == "unchanged" and s.absent and s.theirs is not None]
    found = set(restored)
    changed = bool(restored)
    while changed:
        changed = False
        for step in candidates:
            if step.key not in found and any(
                table == step.key[0] and (parent, step.theirs[column]) in found for table, column, parent in references()
            ):
                found.add(step.key)
                changed = True
    return found - restored


def _both(mine: str, theirs: str, sender: str) -> str:
    return f"{mine}\n\n— from the other desk ({sender}) —\n{theirs}" if mine else theirs


def _insert(session: Session, model, rows: list[tuple[RowKey, dict[str, Any]]]) -> None:
    """Rows new here, in one Core statement (a model object per row was most of a receive's time), each
    audited as the ORM would (the row as inserted, version 1) and counted in the content digest (db.bulk)."""
    table = model.__table__
    for part in chunks(rows, STEPS):  # the typed rows and their entries held a part at a time
        values = [{**typed(table, theirs), "version": 1} for _, theirs in part]
        bulk_insert_rows(session.connection(), model, values)
        audit.record_many(session, [("insert", key[0], key[1], None, audit.plain_values(v)) for (key, _), v in zip(part, values, strict=True)])


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
    if found := dangling_reference(connection):
        table, row, parent = found
        raise BundleError(
            f"{bundle.path} cannot be received as chosen: a {KINDS.get(table, table)} row ({row}) would "
            f"point to {KINDS.get(parent, parent)} that was deleted on one desk and is still used on the other; "
            "nothing was changed. Choose the version that keeps it."
        )


def action_for(bundle: Bundle) -> str:
    return f"Receive bundle {bundle.content_sha256[:12]}"


def import_bundle(store, path: Path, *, dry_run: bool = False, prefer: Choice | None = None,
                  choices: dict[RowKey, Choice] | None = None, progress: Progress | None = None) -> MergeReport:  # fmt: skip
    """Receive the bundle at `path` into the store: checked whole, then merged in one transaction.
    Conflicts need `choices` or `prefer`; without, and in a dry run, nothing is written. `progress(done,
    total)` is told how far the plan and the writing are; once it returns False, ImportCancelled is raised
    and the record is as it was."""
    bundle = read_bundle(path)
    with store.reading() as session:
        merge = plan(session, bundle, progress)
    merge.report.nothing_new = merge.nothing_to_write
    if dry_run or merge.nothing_to_write:
        return merge.report
    if merge.report.conflicts and prefer is None and not choices:
        return merge.report
    if store.level == "reader":  # the server would refuse each write: said once, before any
        raise BundleError(
            f"{bundle.path} cannot be received into {store.name}: your database role {store.user} may only read it; "
            "nothing was changed. Ask an administrator for the editor role."
        )
    from db import backup  # db.backup uses Store

    backup.back_up(store, backup.Reason.IMPORT)
    try:
        with store.writing(action_for(bundle)) as session:
            if planned_as_of(session.connection()) != merge.as_of:  # changed since: planned again
                merge = plan(session, bundle, progress)
            chosen = {c.key: prefer for c in merge.report.conflicts} if prefer else {}
            chosen.update(choices or {})
            report = receive(session, merge, chosen, progress)
            going_on(progress, 1, 1, cancelled(bundle))  # the last moment a Cancel can still undo it all
            return report
    except IntegrityError as error:  # a rule of the record the merge would break that no check above foresaw
        raise BundleError(
            f"{path} cannot be received: it would break a rule of the record ({error.orig}); nothing was changed."
        ) from None
