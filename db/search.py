"""Find anything: one search over obligations, events, assessments and actors, on SQLite's FTS5 (on a
PostgreSQL server, its full-text search: a tsvector column of search_source under a GIN index).

`search_source` holds a row per record (its kind, id, agreement, a heading and the text searched), kept up
to date by triggers on the record's tables (migration 0005_search); `search` is FTS5 over it. A bulk import pauses the event triggers inside its
own transaction and indexes its events once they are all in (`index_new_events`): per-row trigger
work would cost an import of 100,000 events more than the whole rest of it (tests/bench_search.py).

The officer's words are never FTS5 syntax: each word becomes a quoted prefix term, all required
("sholg balkh" finds "Sholgara, Balkh"). An event is also found by the name of an actor in it.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, text
from sqlmodel import Session

from db.changes import Changes
from db.dialects import is_sqlite
from db.event_rules import date_label
from db.parties import counted_as

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
    # kind: (table, record gone to, agreement id, heading, body), each an SQL expression over NEW
    "obligation": ("obligation", "NEW.id", "NEW.agreement_id", "NEW.ref || ' ' || NEW.title",
                   _joined("NEW.ref", "NEW.title", "NEW.text", "NEW.deadline_rule", "NEW.deadline_note")),
    "event": ("event", "NEW.id", "NEW.agreement_id", _EVENT_HEADING, _EVENT_BODY),
    "assessment": ("assessment", "NEW.obligation_id", "(SELECT agreement_id FROM obligation WHERE id = NEW.obligation_id)",
                   "'Assessment of ' || coalesce((SELECT ref FROM obligation WHERE id = NEW.obligation_id), '') "
                   "|| ' as of ' || NEW.as_of",
                   _joined("NEW.rationale", "NEW.status", "NEW.assessed_by")),
    "actor": ("actor", "NEW.id", "NULL", "NEW.name",
              _joined("NEW.name", "NEW.notes", "(SELECT {aliases} FROM actoralias WHERE actor_id = NEW.id)")),
}  # fmt: skip
_PAUSED = "(SELECT paused FROM search_state) = 0"  # a bulk import indexes its events itself


_ALIASES = {"sqlite": "group_concat(alias, ' ')", "postgresql": "string_agg(alias, ' ' ORDER BY alias)"}


def _insert(kind: str, new: str = "NEW", dialect_name: str = "sqlite") -> str:
    _table, *parts = _SOURCES[kind]
    values = ", ".join(part.replace("NEW.", f"{new}.").replace("{aliases}", _ALIASES[dialect_name]) for part in parts)
    return (
        "INSERT INTO search_source (kind, record_id, goes_to, agreement_id, heading, body) "
        f"SELECT '{kind}', {new}.id, {values}"
    )


def create_statements(dialect_name: str = "sqlite") -> list[str]:
    """The index, its state and its triggers, as the migration creates them.

    The text indexed lives in `search_source` (a row per record, found by kind and id through its unique
    index); `search` is FTS5 over it as external content, kept in step by the usual three triggers.
    """
    if dialect_name != "sqlite":
        return _server_statements()
    statements = [
        "CREATE TABLE search_source (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, record_id TEXT NOT NULL, "
        "goes_to TEXT NOT NULL, agreement_id TEXT, heading TEXT NOT NULL, body TEXT NOT NULL, "
        "UNIQUE (kind, record_id))",
        # kind is indexed too: a query names it, so FTS5 alone finds one kind's hits
        "CREATE VIRTUAL TABLE search USING fts5(kind, heading, body, content = 'search_source', "
        "content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER search_source_insert AFTER INSERT ON search_source WHEN {_PAUSED} BEGIN "
        "INSERT INTO search (rowid, kind, heading, body) VALUES (NEW.id, NEW.kind, NEW.heading, NEW.body); END",
        "CREATE TRIGGER search_source_delete AFTER DELETE ON search_source BEGIN "
        "INSERT INTO search (search, rowid, kind, heading, body) "
        "VALUES ('delete', OLD.id, OLD.kind, OLD.heading, OLD.body); END",
        "CREATE TABLE search_state (paused INTEGER NOT NULL)",
        "INSERT INTO search_state VALUES (0)",
    ]
    for kind, (table, *_rest) in _SOURCES.items():
        when = f" WHEN {_PAUSED}" if kind == "event" else ""
        gone = f"DELETE FROM search_source WHERE kind = '{kind}' AND record_id = OLD.id"
        statements += [
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table}{when} BEGIN {_insert(kind)}; END",
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE ON {table}{when} BEGIN "
            f"{gone}; {_insert(kind)}; END",
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table}{when} BEGIN {gone}; END",
        ]
    # an actor's aliases are searched with it: an alias added, changed, moved or removed indexes again the
    # actor it names now and the one it named before
    for operation, owners in (("INSERT", "NEW.actor_id"), ("UPDATE", "NEW.actor_id, OLD.actor_id"),
                              ("DELETE", "OLD.actor_id")):  # fmt: skip
        statements.append(
            f"CREATE TRIGGER search_actoralias_{operation.lower()} AFTER {operation} ON actoralias BEGIN "
            f"UPDATE actor SET name = name WHERE id IN ({owners}); END"
        )
    return statements


# On a server: what is searched is a generated tsvector of the heading and body (the 'simple' configuration:
# words lower-cased, no stemming, as FTS5's unicode61), found through a GIN index; one plpgsql function per
# table keeps search_source in step, as SQLite's triggers do.
_DOCUMENT = "to_tsvector('simple', heading || ' ' || body)"


def _server_statements() -> list[str]:
    statements = [
        "CREATE TABLE search_source (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL, "
        "record_id TEXT NOT NULL, goes_to TEXT NOT NULL, agreement_id TEXT, heading TEXT NOT NULL, body TEXT NOT NULL, "
        f"document tsvector GENERATED ALWAYS AS ({_DOCUMENT}) STORED, UNIQUE (kind, record_id))",
        "CREATE INDEX search_source_document ON search_source USING gin (document)",
        "CREATE TABLE search_state (paused INTEGER NOT NULL)",
        "INSERT INTO search_state VALUES (0)",
    ]
    for kind, (table, *_rest) in _SOURCES.items():
        paused = "IF (SELECT paused FROM search_state) <> 0 THEN RETURN NULL; END IF; " if kind == "event" else ""
        statements += [
            f"CREATE FUNCTION search_{table}_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {paused}"
            f"IF TG_OP <> 'INSERT' THEN DELETE FROM search_source WHERE kind = '{kind}' AND record_id = OLD.id; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_insert(kind, dialect_name='postgresql')}; END IF; RETURN NULL; END $$",
            f"CREATE TRIGGER search_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION search_{table}_sync()",
        ]
    statements += [
        "CREATE FUNCTION search_actoralias_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP <> 'DELETE' THEN UPDATE actor SET name = name WHERE id = NEW.actor_id; END IF; "
        "IF TG_OP <> 'INSERT' THEN UPDATE actor SET name = name WHERE id = OLD.actor_id; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER search_actoralias AFTER INSERT OR UPDATE OR DELETE ON actoralias "
        "FOR EACH ROW EXECUTE FUNCTION search_actoralias_sync()",
    ]
    return statements


def is_index_table(name: str) -> bool:
    """The index's tables, FTS5's own among them (search_data, search_idx, …): not models, so the
    comparison of the schema with the models leaves them out."""
    return name == "search" or name.startswith("search_")


def drop_statements() -> list[str]:
    return ["DROP TABLE IF EXISTS search", "DROP TABLE IF EXISTS search_source", "DROP TABLE IF EXISTS search_state"]


def rebuild(connection: Connection) -> None:
    """Index every record afresh (the migration)."""
    connection.exec_driver_sql("DELETE FROM search_source")
    for kind, (table, *_rest) in _SOURCES.items():
        connection.exec_driver_sql(f"{_insert(kind, table, connection.dialect.name)} FROM {table}")


def hold_trigger(connection: Connection, name: str) -> list[str]:
    """Inside a bulk import's transaction on SQLite: the index's insert trigger `name` dropped, and the
    statement that makes it again returned, to run once the rows are in (a rollback puts it back with the
    rest). Paused, an insert trigger still costs every inserted row: SQLite keeps a statement journal for
    every statement on a table with one (the trigger could write more rows), which tripled the CPU time of
    inserting events row by row (tests/bench_million.py). A server's triggers are paused instead."""
    if not is_sqlite(connection):
        return []
    found = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
    ).scalars().all()  # as the database has it, whichever migration wrote it
    if found:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return found


EVENT_INSERT = "search_event_insert"  # the trigger that indexes each event inserted


def pause_event_index(connection: Connection, paused: bool) -> None:
    """Inside a bulk import's transaction: its events are indexed by `index_new_events`, not row by row."""
    connection.exec_driver_sql(f"UPDATE search_state SET paused = {int(paused)}")


def index_new_events(connection: Connection, last_before: int) -> None:
    """Index the events a bulk import added (after rowid `last_before`; on a server, those its transaction
    wrote that have no index row yet), once its rows are in: their rows of search_source in the order of their ids, so its unique index on (kind, record_id)
    grows at its end rather than a page here and there for every chunk, then FTS5's in one statement."""
    first = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM search_source").scalar()
    if is_sqlite(connection):
        added = ("(SELECT rowid AS r FROM event WHERE rowid > :last ORDER BY +id) o "
                 "JOIN event e ON e.rowid = o.r")  # +id: sorted here, not read through the id index
    else:  # no rowid: the events this transaction wrote that have no index row (an update's trigger made its own)
        added = ("event e WHERE e.xmin = CAST(pg_current_xact_id() AS xid) AND NOT EXISTS "
                 "(SELECT 1 FROM search_source s WHERE s.kind = 'event' AND s.record_id = e.id)")
    held = hold_trigger(connection, "search_source_insert")  # one statement below fills FTS5 instead
    connection.execute(text(f"{_insert('event', 'e', connection.dialect.name)} FROM {added}"), {"last": last_before})
    if not is_sqlite(connection):
        return  # the server makes each row's document itself
    for create in held:
        connection.exec_driver_sql(create)
    connection.execute(  # the rows just added, into FTS5 in one statement
        text("INSERT INTO search (rowid, kind, heading, body) "
             "SELECT id, kind, heading, body FROM search_source WHERE id > :first"),
        {"first": first},
    )


@dataclass(frozen=True)
class Hit:
    kind: str
    record_id: str
    goes_to: str  # the record the window shows for it: an assessment's obligation, else the record itself
    heading: str
    snippet: str  # the matching words in their context, marked with [ ]
    agreement_id: str | None


def fts_query(words: str) -> str | None:
    """The officer's words as an FTS5 query that cannot be anything else: quoted prefix terms, all required."""
    terms = re.findall(r"\w+", words)
    return " ".join(f'"{term}"*' for term in terms) or None


def ts_query(words: str) -> str | None:
    """The same on a server, as to_tsquery reads it: each word a quoted prefix lexeme, all required."""
    terms = re.findall(r"\w+", words)
    return " & ".join(f"'{term}':*" for term in terms) or None


def _of_kind(kind: str, query: str) -> str:
    return f'kind : "{kind}" AND {{heading body}} : ({query})'


# Events are many: the newest first, which FTS5 reads in rowid order and stops at the limit; ranking every
# event that holds a common word would take longer than the officer waits. The other kinds are few.
_ORDER = {"event": "search.rowid DESC"}
_SERVER_ORDER = {"event": "s.id DESC"}
# ts_headline's counterpart of snippet(): the matching words marked with [ ], about a dozen words around them
_HEADLINE = "StartSel=[, StopSel=], MaxWords=12, MinWords=4, ShortWord=0, MaxFragments=1, FragmentDelimiter=…"


# An event's heading is stored beginning with its first day (_EVENT_HEADING); a hit shows its date as the
# log does, with the precision and the end of a range, read from the event itself.
_EVENT_DATE = "LEFT JOIN event e ON s.kind = 'event' AND e.id = s.record_id"
_DATE_COLUMNS = "e.occurred_on, e.date_precision, e.occurred_until"


def _heading(heading: str, on: date | str | None, precision: str | None, until: date | str | None) -> str:
    """A server reads the dates back as dates, SQLite as ISO text; the heading begins with the text."""
    if on is None:
        return heading
    return date_label(on, precision, until) + heading.removeprefix(str(on))


def search(session: Session, words: str, agreement_id: str | None = None, most: int = MOST) -> list[Hit]:
    """Hits by kind (KINDS' order), best first within a kind; within an agreement, its records and the
    actors and unassigned events beside them."""
    query = fts_query(words)
    if query is None:
        return []
    connection = session.connection()
    # within an agreement: db.event_log.agreement_events' rule, so an event put under another agreement
    # but linked to one of this one's obligations is found here too
    mine = "" if agreement_id is None else (
        " AND (s.agreement_id IS NULL OR s.agreement_id = :agreement OR (s.kind = 'event' AND s.record_id IN ("
        "SELECT eo.event_id FROM eventobligation eo JOIN obligation o ON o.id = eo.obligation_id "
        "WHERE o.agreement_id = :agreement)))"
    )  # fmt: skip
    hits = []
    for kind in KINDS:
        if is_sqlite(connection):
            statement = (
                "SELECT s.record_id, s.goes_to, s.heading, snippet(search, 2, '[', ']', '…', 12), s.agreement_id, "
                f"{_DATE_COLUMNS} FROM search CROSS JOIN search_source s ON s.id = search.rowid {_EVENT_DATE} "
                f"WHERE search MATCH :query{mine} ORDER BY {_ORDER.get(kind, 'rank')} LIMIT :most"
            )
            query_text = _of_kind(kind, query)
        else:
            statement = (
                f"SELECT s.record_id, s.goes_to, s.heading, ts_headline('simple', s.body, q, '{_HEADLINE}'), "
                f"s.agreement_id, {_DATE_COLUMNS} FROM search_source s CROSS JOIN to_tsquery('simple', :query) q "
                f"{_EVENT_DATE} WHERE s.kind = '{kind}' AND s.document @@ q{mine} "
                f"ORDER BY {_SERVER_ORDER.get(kind, 'ts_rank(s.document, q) DESC, s.id')} LIMIT :most"
            )
            query_text = ts_query(words)
        rows = connection.execute(
            text(statement), {"query": query_text, "agreement": agreement_id, "most": most}
        ).all()
        hits += [Hit(kind, found, goes_to, _heading(heading, *dated), snippet, agreement)
                 for found, goes_to, heading, snippet, agreement, *dated in rows]  # fmt: skip
    actors = [h.record_id for h in hits if h.kind == "actor"]
    events = {h.record_id for h in hits if h.kind == "event"}
    if actors and len(events) < most:  # the events of the actors found, and of those counted as them (db.parties)
        actors = list(connection.execute(counted_as(agreement_id, actors)).scalars())
        rows = connection.execute(
            text(
                # from the actors' links (indexed by actor), stopping at the limit: unranked, so shown by date
                f"SELECT s.record_id, s.heading, a.name, s.agreement_id, {_DATE_COLUMNS} FROM eventactor ea "
                "JOIN actor a ON a.id = ea.actor_id JOIN search_source s ON s.kind = 'event' AND s.record_id = ea.event_id "
                f"{_EVENT_DATE} WHERE ea.actor_id IN :actors{mine} LIMIT :most"
            ).bindparams(bindparam("actors", expanding=True)),
            {"actors": actors, "agreement": agreement_id, "most": most},
        ).all()
        rows = sorted(rows, key=lambda row: row[1], reverse=True)  # headings begin with the date: newest first
        named = {
            r[0]: Hit("event", r[0], r[0], _heading(r[1], *r[4:]), f"actor: {r[2]}", r[3]) for r in rows if r[0] not in events
        }
        after = max((i for i, h in enumerate(hits) if h.kind in ("obligation", "event")), default=-1) + 1
        hits[after:after] = list(named.values())[: most - len(events)]
    return hits


def concerns_search(changes: Changes) -> bool:
    """Whether a change of the record may change what a search finds: the text of obligations, events,
    assessments or actors, or which agreement they belong to. Links, metrics and counts are not searched."""
    return bool(
        changes.everything or changes.tree or changes.agreements or changes.obligations or changes.assessments
        or changes.events or changes.actors
    )  # fmt: skip
