"""What this desk holds of the rows a bundle names, read by id (db/merge_plan.py): the work and the memory of
planning a receive follow the bundle, not this record.

The rows come as {table: {row id: plain values}}, as db.bundle.record_rows gives them, but only:
- the records the bundle's natural keys can match (db/natural_keys.py: events by external id, import files
  by SHA-256, parties by agreement; actors and their aliases whole, a desk's actors being few);
- then, under this desk's ids: the rows the bundle holds or deleted, the rows they name, the rows of this
  desk naming those it deleted (which would keep them), and the rows those rows of this desk name (labels).
"""

from collections import defaultdict

from db.bundle import RECORD_TABLES, Bundle, key_columns, references, table_rows, tables
from db.dots import chunks

Held = dict[str, dict[str, dict]]


def _rows(connection, name: str, column: str, values: set) -> dict[str, dict]:
    """This record's rows of table `name` whose `column` is one of `values`."""
    table = tables()[name]
    found = {}
    for part in chunks(sorted(values)):
        found.update(table_rows(connection, table, where=table.c[column].in_(part)))
    return found


def rows_by_id(connection, wanted: dict[str, set[str]]) -> Held:
    """This record's rows of `wanted` ({table: row ids}); a two-column key is looked up by its first column."""
    found: Held = {name: {} for name in RECORD_TABLES}
    for name, ids in wanted.items():
        columns = key_columns(tables()[name])
        probes = ids if len(columns) == 1 else {i.split("/")[0] for i in ids}
        found[name] = {r: v for r, v in _rows(connection, name, columns[0], probes).items() if r in ids}
    return found


def _merged(into: Held, more: Held) -> Held:
    for name, rows in more.items():
        into.setdefault(name, {}).update(rows)
    return into


def natural_candidates(connection, bundle: Bundle) -> Held:
    """The rows the bundle's natural keys can match, and the rows of those tables under the bundle's own ids."""
    rows = bundle.rows
    wanted: dict[str, set[str]] = defaultdict(set)
    for name in ("event", "importfile", "actoralias", "party"):
        wanted[name] |= set(rows.get(name, {}))
    for name, row_id in bundle.renamed or {}:  # planned before: the bundle's own ids are renamed already
        wanted[name].add(row_id)
    held = rows_by_id(connection, wanted)
    for name, column in (("event", "external_id"), ("importfile", "sha256"), ("actoralias", "alias_key"), ("party", "agreement_id")):
        values = {v[column] for v in rows.get(name, {}).values() if v[column] is not None}
        held[name].update(_rows(connection, name, column, values))
    for name in ("actor", "actoralias"):
        held[name].update(table_rows(connection, tables()[name]))
    return held


def held_for(connection, bundle: Bundle, held: Held) -> Held:
    """To `held` (natural_candidates), the rest a plan looks at, once the bundle speaks in this desk's ids."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for name, rows in bundle.rows.items():
        wanted[name] |= set(rows)
    deleted: dict[str, set[str]] = defaultdict(set)
    for name, row_id in bundle.tombstones:
        wanted[name].add(row_id)
        deleted[name].add(row_id)
    for child, column, parent in references():
        wanted[parent] |= {v[column] for v in bundle.rows.get(child, {}).values() if v[column] is not None}
    _merged(held, rows_by_id(connection, wanted))
    for child, column, parent in references():  # what would keep a deleted record here (db.merge_plan.still_used)
        if deleted.get(parent):
            held[child].update(_rows(connection, child, column, deleted[parent]))
    named: dict[str, set[str]] = defaultdict(set)
    for child, column, parent in references():
        named[parent] |= {v[column] for v in held[child].values() if v[column] is not None} - set(held[parent])
    return _merged(held, rows_by_id(connection, named))
