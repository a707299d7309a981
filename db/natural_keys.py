"""Records two desks hold under different ids though they are the same thing: matched by what names them
outside Accord Desk (an event's external id, an import file's SHA-256, an actor's name or alias) when a
bundle is received (db/merge_plan.py), then settled on one id on both desks.

Which id: the smaller of the two (as text). Ids derived from natural keys (db.ids) make this rare, but
records made before them, an actor renamed and a new one given the old name, or parties of one agreement
added on each desk still meet under two ids. The plan works under this desk's ids (the bundle's are renamed);
once the merge is written, a record whose id is the larger takes the other desk's (`take_id`), with every
row that names it, each audited. The other desk, receiving from this one, then matches it by id, or takes
this desk's id if it is the smaller: after one exchange each way both hold one id, and later exchanges
match by id alone.
"""

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from db import audit, content
from db.bundle import RECORD_TABLES, Bundle, key_of, references, tables
from db.dots import row_dots

Rename = tuple[str, str, str]  # (table, this desk's id, the other desk's smaller id)

# What names a record outside Accord Desk, by table: the columns, casefolded where lookups ignore case.
NATURAL_KEYS = {"event": ("external_id",), "importfile": ("sha256",), "actoralias": ("alias_key",),
                "actor": ("name",), "party": ("agreement_id", "actor_id")}  # fmt: skip


def _natural(table: str, values: dict[str, Any]) -> tuple | None:
    key = tuple(values[c] for c in NATURAL_KEYS[table])
    if None in key:
        return None
    return (key[0].casefold(),) if table == "actor" else key


def match_natural_keys(bundle: Bundle, mine: dict[str, dict[str, dict]]) -> list[Rename]:
    """Records both desks hold under different ids: the bundle's are renamed to this desk's ids, in its
    rows, the rows that name them, dots and tombstones. Parents first, so a party is matched by its
    agreement and actor as this desk names them. Returned: those of this desk's records that are to take
    the other desk's id, the smaller (unless this desk holds another row under it). The bundle keeps
    what was renamed: planned again (inside the writer's transaction), it is renamed already."""
    if bundle.renamed is not None:
        return _renames(bundle.renamed, mine)
    renamed = bundle.renamed = {}
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
        return []
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
    return _renames(renamed, mine)


def _renames(renamed: dict[tuple[str, str], str], mine: dict[str, dict[str, dict]]) -> list[Rename]:
    return sorted((t, ours, theirs) for (t, theirs), ours in renamed.items() if theirs < ours and theirs not in mine[t])


def take_id(session: Session, table_name: str, old: str, new: str) -> None:
    """This desk's record `old` of `table_name` takes the id `new`: the row and every row naming it are
    updated in place (the caller defers foreign keys, so no cascade runs), each audited as the ORM would
    write it (a row whose key changes as a delete and an insert, so the trail never sees a row change its
    identity; the others as updates) and counted in the content digest. Each row keeps the change (dot) it
    held: a new name is no new content, and as this desk's own change it would meet the other desk's next
    edit of the row as a conflict."""
    connection = session.connection()
    known = tables()
    entries = []
    moved: list[tuple[str, str, str]] = []  # (table, the row's key before, after)
    naming = [(table_name, "id"), *((child, column) for child, column, parent in references() if parent == table_name)]
    def naming_old(name: str, column: str) -> list[dict]:
        table = known[name]
        return [dict(row._mapping) for row in connection.execute(table.select().where(table.c[column] == old))]

    before = {(name, key_of(known[name], values)) for name, column in naming for values in naming_old(name, column)}
    dots = row_dots(connection, before, before)  # read before any of them changes
    for name, column in naming:
        table = known[name]
        rows = naming_old(name, column)
        if not rows:
            continue
        with content.rows_changing(connection, name, column, [old, new]):
            connection.execute(table.update().where(table.c[column] == old).values({column: new}))
        for values in rows:
            after = {**values, column: new}
            before_key, after_key = key_of(table, values), key_of(table, after)
            moved.append((name, before_key, after_key))
            if before_key == after_key:
                entries.append(("update", name, before_key, audit.plain_values(values), audit.plain_values(after)))
                continue
            entries += [("delete", name, before_key, audit.plain_values(values), None),
                        ("insert", name, after_key, None, audit.plain_values(after))]  # fmt: skip
    if not moved:
        return
    audit.record_many(session, entries)
    head = audit.newest_entry(session)
    # Under its new key each row holds the dot it held under the old one, from now (`head`) on; the old
    # key's received dot gives way to the deletion just recorded.
    connection.execute(
        text("DELETE FROM received_change WHERE table_name = :t AND row_id = :old AND :old != :new"),
        [{"t": t, "old": k, "new": n} for t, k, n in moved],
    )
    connection.execute(
        text("INSERT INTO received_change VALUES (:t, :r, :d, :c, :at, false) ON CONFLICT (table_name, row_id) "
             "DO UPDATE SET desk_id = excluded.desk_id, counter = excluded.counter, at_entry = excluded.at_entry, "
             "deleted = excluded.deleted"),
        [{"t": t, "r": n, "d": dots[(t, k)][0], "c": dots[(t, k)][1], "at": head} for t, k, n in moved if (t, k) in dots],
    )  # fmt: skip
