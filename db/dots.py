"""Which change each row of the record holds: its "dot" (desk id, counter), and the tombstones of deleted rows.

The counter is the id of the audit entry that last wrote the row on the desk that made the change
(db/desk.py), or, for a row taken from another desk, the dot it came with (desk table received_change). A
desk's knowledge maps every desk to the newest counter of it that it holds (a version vector), so "the other
desk had seen my version" is `knowledge[desk] >= counter`, and no clock is ever compared.

`row_dots` reads them for the whole record (sending a bundle) or for the rows a bundle names (receiving one:
the work and the memory follow the bundle, not this record).
"""

from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy import bindparam, text

from db import desk
from db.dialects import json_has, json_items
from db.team_server import AT_COMMIT

Dot = tuple[str, int]  # (desk id, counter)
RowKey = tuple[str, str]  # (table, row id as the trail writes it: "a/b" for two-column keys)
LINK_TABLES = ("eventactor", "eventobligation")  # written with their event by an import or an edit of it
CHUNK = 500  # row ids to one query


def covered(knowledge: dict[str, int], dot: Dot) -> bool:
    return knowledge.get(dot[0], 0) >= dot[1]


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    items = iter(items)
    while part := list(islice(items, size)):
        yield part


def _among(column: str, ids: list[str] | None, table: str | None = None) -> str:
    """The filter to the rows `ids` (of `table`: an index's first column) names, none for the whole record."""
    if ids is None:
        return ""
    return f" AND {column} IN :ids" if table is None else f" AND table_name = :table AND {column} IN :ids"


def _query(connection, sql: str, ids: list[str] | None, table: str | None = None):
    statement = text(sql)
    if ids is None:
        return connection.execute(statement)
    return connection.execute(statement.bindparams(bindparam("ids", expanding=True)), {"ids": ids, "table": table})


def _last_entries(connection, ids: list[str] | None):
    """Each row's last entry: (table, row id, entry id, operation)."""
    return _query(connection,
        "SELECT a.table_name, a.row_id, a.id, a.operation FROM auditentry a JOIN (SELECT max(id) AS id FROM auditentry "
        f"WHERE table_name != ''{_among('row_id', ids)} GROUP BY table_name, row_id) last ON last.id = a.id", ids)  # fmt: skip


def _links_written(connection, ids: list[str] | None):
    """An import's events, and the updated events whose links an entry replaced, with the entry's id. An
    import's entry is told by its list of events, not by its row id (its import file's id, which the file
    may no longer have: db.natural_keys.take_id)."""
    event_ids = json_items(connection, "a.after", "event_ids").replace("json_array_elements(", "json_array_elements_text(")
    return _query(connection,
        f"SELECT j.value, a.id FROM auditentry a, {event_ids} "
        f"WHERE a.table_name = 'event' AND a.operation = 'insert' AND {json_has(connection, 'a.after', 'event_ids')}"
        f"{_among('j.value', ids)} UNION ALL SELECT row_id, id FROM auditentry WHERE table_name = 'event' "
        f"AND operation = 'update' AND {json_has(connection, 'after', 'actors')}{_among('row_id', ids)}", ids)  # fmt: skip


def _links_replaced(connection, ids: list[str] | None):
    """The links an update of an event replaced: (table, link's row id, the entry's id)."""
    return _query(connection, " UNION ALL ".join(
        f"SELECT '{table}', a.row_id || '/' || (j.value ->> 0), a.id FROM auditentry a, {json_items(connection, 'a.before', key)} "
        f"WHERE a.table_name = 'event' AND a.operation = 'update' AND {json_has(connection, 'a.after', key)}{_among('a.row_id', ids)}"
        for table, key in (("eventactor", "actors"), ("eventobligation", "links"))
    ), ids)  # fmt: skip


def _received(connection, ids: list[str] | None, table: str | None):
    return _query(connection,
        "SELECT table_name, row_id, desk_id, counter, at_entry, deleted FROM received_change "
        f"WHERE 1 = 1{_among('row_id', ids, table)}", ids, table)  # fmt: skip


def row_dots(connection, present: set[RowKey], keys: set[RowKey] | None = None) -> dict[RowKey, tuple[str, int, bool]]:
    """The change every row holds, and every deleted row's tombstone: {key: (desk, counter, deleted)}.
    `present`: the rows the record holds (of `keys`). With `keys`, only those rows' (each read by its id)."""
    owners = desk.identities(connection)
    if keys is None:
        row_parts, event_parts = [(None, None)], [None]
    else:
        by_table: dict[str, list[str]] = {}
        for table, row_id in sorted(keys):
            by_table.setdefault(table, []).append(row_id)
        row_parts = [(table, part) for table, ids in by_table.items() for part in chunks(ids)]
        event_parts = list(chunks(sorted({r.split("/")[0] for t, r in keys if t == "event" or t in LINK_TABLES})))
    last: dict[RowKey, tuple[int, bool]] = {}
    received: dict[RowKey, tuple[str, int, int, bool]] = {}
    for table, ids in row_parts:
        for table_name, row_id, entry_id, operation in _last_entries(connection, ids):
            last[(table_name, row_id)] = (entry_id, operation == "delete")
        for t, r, d, c, at, deleted in _received(connection, ids, table):
            received[(t, r)] = (d, c, at, bool(deleted))
    # An import writes events and their links through SQLAlchemy Core (db.audit, "bulk"): one entry for all
    # the events it added (its row id is the import file's), and an entry per updated event whose "actors"
    # and "links" replace its links. A link changed at the latest when such an entry wrote its event.
    links_written: dict[str, int] = {}
    replaced: list[tuple[str, str, int]] = []
    for ids in event_parts:
        for event_id, entry_id in _links_written(connection, ids):
            links_written[event_id] = max(links_written.get(event_id, 0), entry_id)
            if last.get(("event", event_id), (0,))[0] < entry_id:
                last[("event", event_id)] = (entry_id, False)
        replaced += _links_replaced(connection, ids)
    # The links such an update replaced were deleted by it: their tombstones (unless written again since).
    for table, key, entry_id in replaced:
        if last.get((table, key), (0,))[0] < entry_id:
            last[(table, key)] = (entry_id, True)
    dots: dict[RowKey, tuple[str, int, bool]] = {}
    for key in present | {k for k, (_, deleted) in last.items() if deleted} | set(received):
        if keys is not None and key not in keys:
            continue
        entry_id, _ = last.get(key, (0, False))
        if key[0] in LINK_TABLES:
            entry_id = max(entry_id, links_written.get(key[1].split("/")[0], 0))
        taken = received.get(key)
        # AT_COMMIT: taken by this very transaction on a server, whose own entries are chained only at commit
        if taken is not None and (taken[2] >= entry_id or taken[2] == AT_COMMIT):
            dots[key] = (taken[0], taken[1], key not in present)
        elif entry_id or key in present:
            dots[key] = (desk.owner_of(owners, entry_id), entry_id, key not in present)
    return dots
