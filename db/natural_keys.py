"""Records two desks hold under different ids though they are the same thing: matched by what names them
outside Accord Desk (an event's external id, an import file's SHA-256, an actor's name or alias) when a
bundle is received (db/merge_plan.py)."""

from typing import Any

from db.bundle import RECORD_TABLES, Bundle, key_of, tables

# What names a record outside Accord Desk, by table: the columns, casefolded where lookups ignore case.
NATURAL_KEYS = {"event": ("external_id",), "importfile": ("sha256",), "actoralias": ("alias_key",),
                "actor": ("name",), "party": ("agreement_id", "actor_id")}  # fmt: skip


def _natural(table: str, values: dict[str, Any]) -> tuple | None:
    key = tuple(values[c] for c in NATURAL_KEYS[table])
    if None in key:
        return None
    return (key[0].casefold(),) if table == "actor" else key


def match_natural_keys(bundle: Bundle, mine: dict[str, dict[str, dict]]) -> None:
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
