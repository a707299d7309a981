"""Find anything: one search over obligations, events, assessments and actors, on SQLite's FTS5.

The index `search` holds a row per record (its kind, id, agreement, a heading and the text searched),
kept up to date by triggers (migration 0005_search). A bulk import pauses the event triggers inside its
own transaction and indexes its events with one statement per chunk (`index_events`): per-row trigger
work would cost an import of 100,000 events more than the whole rest of it (tests/bench_search.py).

The officer's words are never FTS5 syntax: each word becomes a quoted prefix term, all required
("sholg balkh" finds "Sholgara, Balkh"). An event is also found by the name of an actor in it.
"""

import json
import re
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlmodel import Session

KINDS = ("obligation", "event", "assessment", "actor")  # the order hits are listed in
MOST = 50  # hits of each kind

def _joined(*parts: str) -> str:
    """The parts' text, separated by spaces (concat_ws is newer than Debian 12's SQLite 3.40)."""
    return " || ' ' || ".join(f"coalesce({part}, '')" for part in parts)


_EVENT_HEADING = "NEW.occurred_on || ' ' || coalesce(NEW.location, coalesce(NEW.admin1, coalesce(NEW.country, '')))"
_EVENT_BODY = _joined(
    "NEW.event_type", "NEW.sub_event_type", "NEW.notes", "NEW.location", "NEW.admin1", "NEW.admin2", "NEW.admin3",
    "NEW.country", "NEW.source_name", "NEW.source_reference", "NEW.external_id",
)
_SOURCES = {
    # kind: (table, agreement id, heading, body), each an SQL expression over NEW
    "obligation": ("obligation", "NEW.agreement_id", "NEW.ref || ' ' || NEW.title",
                   _joined("NEW.ref", "NEW.title", "NEW.text", "NEW.deadline_rule", "NEW.deadline_note")),
    "event": ("event", "NEW.agreement_id", _EVENT_HEADING, _EVENT_BODY),
    "assessment": ("assessment", "(SELECT agreement_id FROM obligation WHERE id = NEW.obligation_id)",
                   "'Assessment of ' || coalesce((SELECT ref FROM obligation WHERE id = NEW.obligation_id), '') "
                   "|| ' as of ' || NEW.as_of",
                   _joined("NEW.rationale", "NEW.status", "NEW.assessed_by")),
    "actor": ("actor", "NULL", "NEW.name",
              _joined("NEW.name", "NEW.notes", "(SELECT group_concat(alias, ' ') FROM actoralias WHERE actor_id = NEW.id)")),
}  # fmt: skip
_PAUSED = "(SELECT paused FROM search_state) = 0"  # a bulk import indexes its events itself


def _insert(kind: str, new: str = "NEW") -> str:
    _table, agreement, heading, body = _SOURCES[kind]
    values = ", ".join(part.replace("NEW.", f"{new}.") for part in (agreement, heading, body))
    return f"INSERT INTO search (kind, record_id, agreement_id, heading, body) SELECT '{kind}', {new}.id, {values}"


def create_statements() -> list[str]:
    """The index, its state and its triggers, as the migration creates them."""
    statements = [
        "CREATE VIRTUAL TABLE search USING fts5(kind UNINDEXED, record_id UNINDEXED, agreement_id UNINDEXED, "
        "heading, body, tokenize = 'unicode61 remove_diacritics 2')",
        "CREATE TABLE search_state (paused INTEGER NOT NULL)",
        "INSERT INTO search_state VALUES (0)",
    ]
    for kind, (table, *_rest) in _SOURCES.items():
        when = f" WHEN {_PAUSED}" if kind == "event" else ""
        gone = f"DELETE FROM search WHERE kind = '{kind}' AND record_id = OLD.id"
        statements += [
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table}{when} BEGIN {_insert(kind)}; END",
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE ON {table}{when} BEGIN "
            f"{gone}; {_insert(kind)}; END",
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table}{when} BEGIN {gone}; END",
        ]
    # an actor's aliases are searched with it
    for operation, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        statements.append(
            f"CREATE TRIGGER search_actoralias_{operation.lower()} AFTER {operation} ON actoralias BEGIN "
            f"UPDATE actor SET name = name WHERE id = {row}.actor_id; END"
        )
    return statements


def drop_statements() -> list[str]:
    triggers = [f"search_{table}_{op}" for table, *_ in _SOURCES.values() for op in ("insert", "update", "delete")]
    triggers += [f"search_actoralias_{op}" for op in ("insert", "update", "delete")]
    return [*(f"DROP TRIGGER IF EXISTS {name}" for name in triggers), "DROP TABLE IF EXISTS search_state",
            "DROP TABLE IF EXISTS search"]  # fmt: skip


def rebuild(connection: Connection) -> None:
    """Index every record afresh (the migration, and `accord-desk check` when it finds the index stale)."""
    connection.exec_driver_sql("DELETE FROM search")
    for kind, (table, *_rest) in _SOURCES.items():
        connection.exec_driver_sql(f"{_insert(kind, table)} FROM {table}")


def pause_event_index(connection: Connection, paused: bool) -> None:
    """Inside a bulk import's transaction: its events are indexed by `index_events`, not row by row."""
    connection.exec_driver_sql(f"UPDATE search_state SET paused = {int(paused)}")


def index_events(connection: Connection, event_ids: list[str]) -> None:
    """Index (again) the events with these ids, in one statement."""
    connection.execute(
        text("DELETE FROM search WHERE kind = 'event' AND record_id IN (SELECT value FROM json_each(:ids))"),
        {"ids": _json(event_ids)},
    )
    connection.execute(
        text(_insert("event", "event") + " FROM event WHERE id IN (SELECT value FROM json_each(:ids))"),
        {"ids": _json(event_ids)},
    )


def _json(ids: list[str]) -> str:
    return json.dumps(ids)


@dataclass(frozen=True)
class Hit:
    kind: str
    record_id: str
    heading: str
    snippet: str  # the matching words in their context, marked with [ ]
    agreement_id: str | None


def fts_query(words: str) -> str | None:
    """The officer's words as an FTS5 query that cannot be anything else: quoted prefix terms, all required."""
    terms = re.findall(r"\w+", words)
    return " ".join(f'"{term}"*' for term in terms) or None


def search(session: Session, words: str, agreement_id: str | None = None, most: int = MOST) -> list[Hit]:
    """Hits by kind (KINDS' order), best first within a kind; within an agreement, its records and the
    actors and unassigned events beside them."""
    query = fts_query(words)
    if query is None:
        return []
    connection = session.connection()
    where = "" if agreement_id is None else " AND (agreement_id IS NULL OR agreement_id = :agreement)"
    hits = []
    for kind in KINDS:
        rows = connection.execute(
            text(
                "SELECT record_id, heading, snippet(search, 4, '[', ']', '…', 12), agreement_id FROM search "
                f"WHERE search MATCH :query AND kind = :kind{where} ORDER BY rank LIMIT :most"
            ),
            {"query": query, "kind": kind, "agreement": agreement_id, "most": most},
        ).all()
        hits += [Hit(kind, *row[:3], row[3]) for row in rows]
    found = {h.record_id for h in hits if h.kind == "event"}
    actors = [h for h in hits if h.kind == "actor"]
    if actors and len(found) < most:  # events named by the actors found
        rows = connection.execute(
            text(
                "SELECT s.record_id, s.heading, a.name, s.agreement_id FROM eventactor ea "
                "JOIN actor a ON a.id = ea.actor_id JOIN search s ON s.kind = 'event' AND s.record_id = ea.event_id "
                f"WHERE ea.actor_id IN (SELECT value FROM json_each(:actors)){where.replace('agreement_id', 's.agreement_id')} "
                "ORDER BY s.heading DESC LIMIT :most"
            ),
            {"actors": _json([a.record_id for a in actors]), "agreement": agreement_id, "most": most - len(found)},
        ).all()
        position = max((i for i, h in enumerate(hits) if h.kind == "event"), default=len(hits) - len(actors) - 1)
        extra = [Hit("event", r[0], r[1], f"actor: {r[2]}", r[3]) for r in rows if r[0] not in found]
        hits[position + 1 : position + 1] = list({h.record_id: h for h in extra}.values())
    return hits
