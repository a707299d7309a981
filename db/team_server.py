"""The team database's server side (PostgreSQL only): roles, per-agreement edit rights, and the audit
trail written by the database itself. SQLite never sees any of it; `install` runs at init and upgrade.

Roles. PostgreSQL's roles are cluster-wide, so each database gets its own three, named after it
(`role_names`): readers may read, editors may change the agreements an administrator assigned to them
(the `agreementeditor` table) and the actors, event files and unassigned events all desks share, and
administrators may change everything and assign agreements. Creating roles needs CREATEROLE, so `init`
on a server must run as an account that has it (or a superuser); that account owns the tables.

Rights are row-level security (ENABLE and FORCE, so the owner is held too): every record table has
a policy naming the agreement a row belongs to, directly or through its parent rows (`AGREEMENT_OF`).
A write the policies refuse raises (an insert, or an update that would move a row) or finds no row (an
update or delete of a row outside the officer's agreements: RLS hides it); `may_change` asks first so
the application can say which.

The audit trail. Statement triggers (SECURITY DEFINER: editors cannot write the trail themselves) put
each changed row's before and after, with `session_user` as who, into `auditpending`; the action is
what the application set for the transaction (`ACTION_SETTING`), else says the change came from outside
Accord Desk (psql). As its last step, a deferred constraint trigger that fires once per transaction
locks the chain's head row (`audithead`, SELECT … FOR UPDATE), gives the pending entries the next ids
and their hashes (db.audit.entry_hash, computed in SQL over the same text), and moves them into
`auditentry`: the head lock is held until commit, so chain order is commit order. It then NOTIFYs
`CHANNEL` of each change (table, id, who, the agreement/obligation/metric/event it concerns); a change
of who edits which agreement is announced too (table `agreementeditor`), so windows read their rights again.
A received bundle's merge is noted so too (`accord_note`), and the rows that name the transaction's newest
entry get its id at commit, after the chain (`at_commit`).
"""

import json
import os
import re
import socket
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlmodel import SQLModel

from db.errors import DatabaseError
from db.models import AuditEntry

CHANNEL = "accord_desk"
# This process's connections name themselves so (libpq's application_name), and the server's notices
# carry it: a window skips the news of its own changes, which it has applied already.
APPLICATION = f"Accord Desk {os.getpid()}@{socket.gethostname()}"[:63]
ACTION_SETTING = "accord_desk.action"
OUTSIDE_ACTION = "Changed outside Accord Desk"
# A receive's rows in received_change name the newest entry of its transaction (their at_entry, and the
# counter of the conflicts settled here: db/exchange.py, db/natural_keys.py), whose id the server gives only
# as the transaction commits: they are written with this stand-in, which the commit replaces (`at_commit`).
AT_COMMIT = -1
NOTICES_PER_TRANSACTION = 100  # more changes than this are announced per table, without ids
CHAIN_TABLES = ("audithead", "auditpending", "audittransaction", "auditreceive")  # the trail's state: history
SERVER_TABLES = ("agreementeditor", *CHAIN_TABLES)

# The agreement each record table's row belongs to: its own column, or its parent row's (parent table,
# the row's column naming it); None: shared by every desk, any editor may change it.
# tests/db/test_team_server.py fails when a record table is missing here.
AGREEMENT_OF: dict[str, tuple[str | None, str] | None] = {
    "agreement": (None, "id"),
    "party": (None, "agreement_id"),
    "obligation": (None, "agreement_id"),
    "officerwords": (None, "agreement_id"),
    "metric": (None, "agreement_id"),
    "event": (None, "agreement_id"),
    "partymember": ("party", "party_id"),
    "obligationobligor": ("obligation", "obligation_id"),
    "obligationdependency": ("obligation", "obligation_id"),
    "assessment": ("obligation", "obligation_id"),
    "eventobligation": ("obligation", "obligation_id"),
    "eventactor": ("event", "event_id"),
    "metricobligation": ("metric", "metric_id"),
    "targetpoint": ("metric", "metric_id"),
    "observation": ("metric", "metric_id"),
    "actor": None,
    "actoralias": None,
    "importfile": None,
}
# What a notice names besides the row: the keys of the rows it concerns, from its before or after.
NOTICE_KEYS = {"agreement": "agreement_id", "obligation": "obligation_id", "metric": "metric_id", "event": "event_id"}


@dataclass(frozen=True)
class Roles:
    reader: str
    editor: str
    administrator: str

    def all(self) -> tuple[str, str, str]:
        return self.reader, self.editor, self.administrator


def role_names(database: str) -> Roles:
    """accord_<database>_reader and so on: the database's name in lower case, other characters as _,
    cut so the longest fits PostgreSQL's 63 bytes."""
    stem = re.sub(r"[^a-z0-9_]", "_", database.lower())[: 63 - len("accord__administrator")]
    return Roles(*(f"accord_{stem}_{level}" for level in ("reader", "editor", "administrator")))


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def record_tables() -> dict[str, Any]:
    return {name: t for name, t in SQLModel.metadata.tables.items() if name != AuditEntry.__tablename__}


# --- the row as the trail writes it (db.audit.dump of db.audit.row_values) ---------------------------

def _json_value(column, row: str) -> str:
    """SQL giving the column's value as JSON text, as db.audit writes it (dates and times ISO 8601)."""
    value = f"{row}.{_quoted(column.name)}"
    name = type(column.type).__name__
    if name == "UTCDateTime":
        return f"accord_iso_utc({value})"
    if name == "Boolean":
        return f"CASE WHEN {value} IS NULL THEN 'null' WHEN {value} THEN 'true' ELSE 'false' END"
    return f"coalesce(to_json({value})::text, 'null')"


def row_json(table, row: str) -> str:
    """SQL for the row's values as canonical JSON text: keys sorted, Python's separators."""
    parts = [f"'\"{c.name}\": ' || {_json_value(c, row)}" for c in sorted(table.columns, key=lambda c: c.name)]
    return "'{' || " + " || ', ' || ".join(parts) + " || '}'"


def row_id(table, row: str) -> str:
    """SQL for the row's id as the trail writes it: its primary key's parts joined by '/'."""
    return " || '/' || ".join(f"{row}.{_quoted(c.name)}::text" for c in table.primary_key.columns)


def _pk_order(table, row: str) -> str:
    return ", ".join(f"{row}.{_quoted(c.name)}" for c in table.primary_key.columns)


def _pk_join(table) -> str:
    return " AND ".join(f"o.{_quoted(c.name)} = n.{_quoted(c.name)}" for c in table.primary_key.columns)


# --- the statements ----------------------------------------------------------------------------------

_COMMON = r"""
CREATE TABLE IF NOT EXISTS agreementeditor (
    agreement_id VARCHAR(36) NOT NULL REFERENCES agreement (id) ON DELETE CASCADE,
    role_name TEXT NOT NULL,
    assigned_by TEXT NOT NULL DEFAULT session_user,
    assigned_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    PRIMARY KEY (agreement_id, role_name)
);
CREATE TABLE IF NOT EXISTS audithead (
    only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    entry_id BIGINT NOT NULL,
    entry_hash VARCHAR(64) NOT NULL
);
INSERT INTO audithead (only_row, entry_id, entry_hash)
    SELECT true, coalesce(max(id), 0),
           coalesce((SELECT hash FROM auditentry ORDER BY id DESC LIMIT 1), repeat('0', 64))
    FROM auditentry
ON CONFLICT (only_row) DO NOTHING;
CREATE TABLE IF NOT EXISTS auditpending (
    seq BIGSERIAL PRIMARY KEY,
    txid BIGINT NOT NULL DEFAULT txid_current(),
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    operation TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS ix_auditpending_txid ON auditpending (txid, seq);
CREATE TABLE IF NOT EXISTS audittransaction (txid BIGINT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS auditreceive (txid BIGINT PRIMARY KEY);

-- Python's datetime.isoformat() of an aware UTC time: microseconds only when there are any.
CREATE OR REPLACE FUNCTION accord_iso_utc(t TIMESTAMP WITH TIME ZONE) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN t IS NULL THEN 'null' ELSE
        '"' || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN extract(microseconds FROM t)::bigint % 1000000 <> 0
                THEN to_char(t AT TIME ZONE 'UTC', '.US') ELSE '' END
        || '+00:00"' END
$$;

CREATE OR REPLACE FUNCTION accord_action() RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('{action_setting}', true), ''),
                    '{outside} (' || coalesce(nullif(current_setting('application_name', true), ''), 'a client')
                    || ')')
$$;

CREATE OR REPLACE FUNCTION accord_pending() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO audittransaction (txid) VALUES (txid_current()) ON CONFLICT (txid) DO NOTHING
$$;

-- The chain's last step, once per transaction at commit: lock the head, chain, announce. The hashes are
-- computed in order in the loop (each covers the one before); the entries then go in by one INSERT, since
-- one per entry was most of a bulk import's cost.
CREATE OR REPLACE FUNCTION accord_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head_id BIGINT;
    first_id BIGINT;
    head_hash TEXT;
    at_time TIMESTAMP WITH TIME ZONE;
    at_text TEXT;
    entry RECORD;
    concerned JSONB;
    pending_count BIGINT;
    seqs BIGINT[] := '{}';
    hashes TEXT[] := '{}';
BEGIN
    SELECT entry_id, entry_hash INTO head_id, head_hash FROM audithead FOR UPDATE;
    first_id := head_id;
    at_time := date_trunc('microseconds', clock_timestamp());
    at_text := to_json(substr(accord_iso_utc(at_time), 2, length(accord_iso_utc(at_time)) - 2))::text;
    SELECT count(*) INTO pending_count FROM auditpending WHERE txid = NEW.txid;
    FOR entry IN SELECT * FROM auditpending WHERE txid = NEW.txid ORDER BY seq LOOP
        head_id := head_id + 1;
        head_hash := encode(sha256(convert_to(head_hash || '[' || head_id || ',' || at_text
            || ',' || to_json(entry.who)::text || ',' || to_json(entry.action)::text
            || ',' || to_json(entry.operation)::text || ',' || to_json(entry.table_name)::text
            || ',' || to_json(entry.row_id)::text || ',' || coalesce(to_json(entry.before)::text, 'null')
            || ',' || coalesce(to_json(entry.after)::text, 'null') || ']', 'UTF8')), 'hex');
        seqs := seqs || entry.seq;
        hashes := hashes || head_hash;
        IF pending_count <= {per_transaction} AND entry.table_name <> '' THEN
            concerned := coalesce(entry.after, entry.before)::jsonb;
            PERFORM pg_notify('{channel}', json_strip_nulls(json_build_object(
                'table', entry.table_name, 'id', entry.row_id, 'who', entry.who, 'operation', entry.operation,
                'entry', head_id, 'application', current_setting('application_name', true),
                {concerned}))::text);
        END IF;
    END LOOP;
    INSERT INTO auditentry (id, at, who, action, operation, table_name, row_id, before, after, hash)
        SELECT first_id + chained.n, at_time, p.who, p.action, p.operation, p.table_name, p.row_id, p.before,
               p.after, chained.hash
        FROM unnest(seqs, hashes) WITH ORDINALITY AS chained (seq, hash, n)
        JOIN auditpending p ON p.seq = chained.seq
        ORDER BY chained.n;
    IF pending_count > {per_transaction} THEN
        FOR entry IN SELECT DISTINCT table_name, who FROM auditpending WHERE txid = NEW.txid AND table_name <> '' LOOP
            PERFORM pg_notify('{channel}', json_build_object(
                'table', entry.table_name, 'id', NULL, 'who', entry.who, 'entry', head_id,
                'application', current_setting('application_name', true))::text);
        END LOOP;
    END IF;
    DELETE FROM auditpending WHERE txid = NEW.txid;
    DELETE FROM audittransaction WHERE txid = NEW.txid;
    UPDATE audithead SET entry_id = head_id, entry_hash = head_hash;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS accord_chain ON audittransaction;
CREATE CONSTRAINT TRIGGER accord_chain AFTER INSERT ON audittransaction
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accord_chain();

-- An entry of the application's own (a schema upgrade, a refused attempt, a received bundle's merge),
-- chained like the others.
CREATE OR REPLACE FUNCTION accord_note(operation TEXT, table_name TEXT, row_id TEXT, before TEXT, after TEXT)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF operation NOT IN ('migrate', 'refused', 'merge') THEN
        RAISE EXCEPTION 'only schema upgrades, refused attempts and merges are noted by hand';
    END IF;
    INSERT INTO auditpending (who, action, operation, table_name, row_id, before, after)
        VALUES (session_user, accord_action(), operation, table_name, row_id, before, after);
    PERFORM accord_pending();
END
$$;

-- The transaction's rows of received_change name its newest entry by the stand-in {at_commit}: after the
-- chain, at commit (its trigger was queued first, by accord_pending), they take the head's id.
CREATE OR REPLACE FUNCTION accord_at_commit() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM accord_pending();
    INSERT INTO auditreceive (txid) VALUES (txid_current()) ON CONFLICT (txid) DO NOTHING;
END
$$;
CREATE OR REPLACE FUNCTION accord_received() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    newest BIGINT;
BEGIN
    SELECT entry_id INTO newest FROM audithead;  -- this transaction's last entry: it holds the head
    UPDATE received_change SET at_entry = newest,
        counter = CASE WHEN counter = {at_commit} THEN newest ELSE counter END
    WHERE at_entry = {at_commit};
    DELETE FROM auditreceive WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS accord_received ON auditreceive;
CREATE CONSTRAINT TRIGGER accord_received AFTER INSERT ON auditreceive
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accord_received();

-- The trail is append-only, for the owner too.
CREATE OR REPLACE FUNCTION accord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
DROP TRIGGER IF EXISTS auditentry_no_update ON auditentry;
CREATE TRIGGER auditentry_no_update BEFORE UPDATE OR DELETE ON auditentry
    FOR EACH ROW EXECUTE FUNCTION accord_append_only();
DROP TRIGGER IF EXISTS auditentry_no_truncate ON auditentry;
CREATE TRIGGER auditentry_no_truncate BEFORE TRUNCATE ON auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accord_append_only();

-- Who edits which agreement changed: the windows connected read their officer's rights again.
CREATE OR REPLACE FUNCTION accord_rights_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{channel}', json_build_object(
        'table', 'agreementeditor', 'id', NULL, 'who', session_user::text,
        'application', current_setting('application_name', true))::text);
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS accord_rights_changed ON agreementeditor;
CREATE TRIGGER accord_rights_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agreementeditor
    FOR EACH STATEMENT EXECUTE FUNCTION accord_rights_changed();

-- A change from outside Accord Desk (psql) that does not name the next version still counts as one, so
-- a form opened before it is refused rather than overwriting it; Accord Desk's own keep its versions.
CREATE OR REPLACE FUNCTION accord_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('{action_setting}', true), '') = ''
       AND NEW IS DISTINCT FROM OLD AND NEW.version = OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$;
"""


def _rights(roles: Roles) -> str:
    return f"""
CREATE OR REPLACE FUNCTION accord_may_edit(agreement TEXT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, {_literal(roles.administrator)}, 'USAGE')
        OR (pg_has_role(current_user, {_literal(roles.editor)}, 'USAGE')
            AND (agreement IS NULL OR EXISTS (
                SELECT 1 FROM agreementeditor e WHERE e.agreement_id = agreement AND e.role_name = current_user::text)))
$$;
"""


def _audit_function(name: str, table) -> str:
    quoted = _quoted(name)
    insert = f"""
        INSERT INTO auditpending (who, action, operation, table_name, row_id, before, after)
        SELECT session_user, accord_action(), '{{op}}', {_literal(name)}, {{rid}}, {{before}}, {{after}}
        FROM {{source}} ORDER BY {{order}};"""
    inserted = insert.format(op="insert", rid=row_id(table, "n"), before="NULL", after=row_json(table, "n"),
                             source="new_rows n", order=_pk_order(table, "n"))
    deleted = insert.format(op="delete", rid=row_id(table, "o"), before=row_json(table, "o"), after="NULL",
                            source="old_rows o", order=_pk_order(table, "o"))
    updated = f"""
        INSERT INTO auditpending (who, action, operation, table_name, row_id, before, after)
        SELECT session_user, accord_action(), 'update', {_literal(name)}, changed.rid, changed.b, changed.a
        FROM (SELECT {row_id(table, "n")} AS rid, {row_json(table, "o")} AS b, {row_json(table, "n")} AS a
              FROM old_rows o JOIN new_rows n ON {_pk_join(table)} ORDER BY {_pk_order(table, "n")}) AS changed
        WHERE changed.b <> changed.a;
        -- An update of the key (a merge moving links) is the old row's delete and the new row's insert.
        INSERT INTO auditpending (who, action, operation, table_name, row_id, before, after)
        SELECT session_user, accord_action(), 'delete', {_literal(name)}, {row_id(table, "o")}, {row_json(table, "o")}, NULL
        FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE {_pk_join(table)}) ORDER BY {_pk_order(table, "o")};
        INSERT INTO auditpending (who, action, operation, table_name, row_id, before, after)
        SELECT session_user, accord_action(), 'insert', {_literal(name)}, {row_id(table, "n")}, NULL, {row_json(table, "n")}
        FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE {_pk_join(table)}) ORDER BY {_pk_order(table, "n")};"""
    return f"""
CREATE OR REPLACE FUNCTION accord_audit_{name}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{inserted}
    ELSIF TG_OP = 'UPDATE' THEN{updated}
    ELSE{deleted}
    END IF;
    PERFORM accord_pending();
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS accord_audit_insert ON {quoted};
CREATE TRIGGER accord_audit_insert AFTER INSERT ON {quoted} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION accord_audit_{name}();
DROP TRIGGER IF EXISTS accord_audit_update ON {quoted};
CREATE TRIGGER accord_audit_update AFTER UPDATE ON {quoted} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION accord_audit_{name}();
DROP TRIGGER IF EXISTS accord_audit_delete ON {quoted};
CREATE TRIGGER accord_audit_delete AFTER DELETE ON {quoted} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION accord_audit_{name}();
DROP TRIGGER IF EXISTS accord_next_version ON {quoted};
CREATE TRIGGER accord_next_version BEFORE UPDATE ON {quoted} FOR EACH ROW EXECUTE FUNCTION accord_next_version();
"""


def agreement_of(name: str, row: str) -> str:
    """SQL for the agreement the row (`row`: how the statement names it) belongs to."""
    if AGREEMENT_OF[name] is None:
        return "NULL"
    parent, column = AGREEMENT_OF[name]
    if parent is None:
        return f"{row}.{column}"
    return f"(SELECT p.agreement_id FROM {parent} p WHERE p.id = {row}.{column})"


def _policies(name: str) -> str:
    quoted = _quoted(name)
    may = f"accord_may_edit({agreement_of(name, quoted)})"
    return f"""
ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS accord_read ON {quoted};
CREATE POLICY accord_read ON {quoted} FOR SELECT USING (true);
DROP POLICY IF EXISTS accord_insert ON {quoted};
CREATE POLICY accord_insert ON {quoted} FOR INSERT WITH CHECK ({may});
DROP POLICY IF EXISTS accord_update ON {quoted};
CREATE POLICY accord_update ON {quoted} FOR UPDATE USING ({may}) WITH CHECK ({may});
DROP POLICY IF EXISTS accord_delete ON {quoted};
CREATE POLICY accord_delete ON {quoted} FOR DELETE USING ({may});
"""


def received_policies(on: bool = True) -> list[str]:
    """Row-level security for received_change (migration 0014): a row there says whose version a record
    row holds, so only who may change that row may write it (a row deleted here names no agreement)."""
    if not on:
        return ["DROP POLICY IF EXISTS accord_read ON received_change", "DROP POLICY IF EXISTS accord_write ON received_change",
                "ALTER TABLE received_change NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE received_change DISABLE ROW LEVEL SECURITY"]  # fmt: skip
    may = "coalesce(accord_may_change(table_name, row_id), true)"
    return [
        "ALTER TABLE received_change ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE received_change FORCE ROW LEVEL SECURITY",
        "CREATE POLICY accord_read ON received_change FOR SELECT USING (true)",
        f"CREATE POLICY accord_write ON received_change FOR ALL USING ({may}) WITH CHECK ({may})",
    ]


def _may_change(tables: dict[str, Any]) -> str:
    """accord_may_change(table, row id): whether the current role may change that row (NULL: no such row)."""
    branches = []
    for name, table in tables.items():
        where = " AND ".join(
            f"r.{_quoted(c.name)}::text = split_part(row_key, '/', {i})"
            for i, c in enumerate(table.primary_key.columns, start=1)
        )
        branches.append(
            f"WHEN {_literal(name)} THEN (SELECT accord_may_edit({agreement_of(name, 'r')}) "
            f"FROM {_quoted(name)} r WHERE {where})"
        )
    return f"""
CREATE OR REPLACE FUNCTION accord_may_change(table_key TEXT, row_key TEXT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE table_key {' '.join(branches)} END
$$;
"""


def _grants(roles: Roles, tables: dict[str, Any]) -> str:
    reader, editor, administrator = (_quoted(r) for r in roles.all())
    record = ", ".join(_quoted(name) for name in tables)
    return f"""
GRANT {reader} TO {editor};
GRANT {editor} TO {administrator};
GRANT {administrator} TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO {reader};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader};
REVOKE ALL ON auditpending, audittransaction, audithead, auditreceive FROM {reader}, {editor}, {administrator};
GRANT SELECT ON audithead TO {reader};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {editor};
REVOKE INSERT, UPDATE, DELETE ON auditentry, agreementeditor FROM {editor};
DO $$ BEGIN
    IF to_regclass('alembic_version') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {editor};
    END IF;
END $$;
REVOKE INSERT, UPDATE, DELETE ON auditpending, audittransaction, audithead, auditreceive FROM {editor}, {administrator};
GRANT INSERT, DELETE ON agreementeditor TO {administrator};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {editor};
REVOKE ALL ON auditpending_seq_seq FROM {editor};
REVOKE ALL ON {record} FROM PUBLIC;
"""


def _create_roles(roles: Roles) -> str:
    return "\n".join(
        f"DO $$ BEGIN CREATE ROLE {_quoted(role)} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
        for role in roles.all()
    )


def statements(database: str) -> list[str]:
    """Everything `install` runs, in order; each can run again (an upgrade installs it anew)."""
    roles, tables = role_names(database), record_tables()
    common = _COMMON.replace("{action_setting}", ACTION_SETTING).replace("{outside}", OUTSIDE_ACTION)
    concerned = ", ".join(f"'{word}', concerned ->> '{column}'" for word, column in NOTICE_KEYS.items())
    common = (
        common.replace("{per_transaction}", str(NOTICES_PER_TRANSACTION))
        .replace("{channel}", CHANNEL)
        .replace("{concerned}", concerned)
        .replace("{at_commit}", str(AT_COMMIT))
    )
    parts = [_create_roles(roles), common, _rights(roles), _may_change(tables)]
    parts += [_audit_function(name, table) + _policies(name) for name, table in tables.items()]
    parts.append(_grants(roles, tables))
    return parts


def install(connection: Connection) -> Roles:
    """Create the database's roles, rights, policies and audit triggers (PostgreSQL only)."""
    database = _database(connection)
    cursor = connection.connection.cursor()  # the driver's own: no parameters, so % is only SQL's
    for statement in statements(database):
        cursor.execute(statement)
    return role_names(database)


def uninstall_statements() -> list[str]:
    """What undoes `install` but the roles (other databases' officers may be members of nothing else)."""
    statements = [f'DROP TABLE IF EXISTS {", ".join(SERVER_TABLES)} CASCADE']
    for name in record_tables():
        quoted = _quoted(name)
        statements += [f"ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY", f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY"]
        statements += [f"DROP POLICY IF EXISTS {policy} ON {quoted}"
                       for policy in ("accord_read", "accord_insert", "accord_update", "accord_delete")]  # fmt: skip
        statements += [f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}" for trigger in (
            "accord_audit_insert", "accord_audit_update", "accord_audit_delete", "accord_next_version")]  # fmt: skip
        statements.append(f"DROP FUNCTION IF EXISTS accord_audit_{name}()")
    statements += ["DROP TRIGGER IF EXISTS auditentry_no_truncate ON auditentry",
                   "DROP TRIGGER IF EXISTS auditentry_no_update ON auditentry"]  # fmt: skip
    statements += [f"DROP FUNCTION IF EXISTS {function}" for function in (
        "accord_may_change(text, text)", "accord_may_edit(text)", "accord_note(text, text, text, text, text)",
        "accord_chain()", "accord_received()", "accord_at_commit()", "accord_pending()", "accord_action()", "accord_iso_utc(timestamp with time zone)",
        "accord_append_only()", "accord_next_version()", "accord_rights_changed()")]  # fmt: skip
    return statements


# --- what the application asks the server ----------------------------------------------------------

def conninfo(url) -> str:
    """libpq's address of a SQLAlchemy URL (postgresql+psycopg://…), for a connection of psycopg's own."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def is_server(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def set_action(connection: Connection, action: str) -> None:
    """Name the transaction's action for the triggers' entries (SET LOCAL: it ends with the transaction)."""
    connection.execute(text("SELECT set_config(:name, :action, true)"), {"name": ACTION_SETTING, "action": action})


def session_role(connection: Connection) -> str:
    """The role that logged in (session_user): who the trail names, whatever role it has SET since."""
    return connection.exec_driver_sql("SELECT session_user::text").scalar_one()


def installed(connection: Connection) -> bool:
    return connection.exec_driver_sql("SELECT to_regclass('audithead') IS NOT NULL").scalar_one()


def note(connection: Connection, operation: str, table_name: str, row_key: str, before: str | None, after: str | None) -> None:
    """An entry of the application's own (a schema upgrade, a refused attempt), chained at commit."""
    connection.execute(
        text("SELECT accord_note(:operation, :table, :row, :before, :after)"),
        {"operation": operation, "table": table_name, "row": row_key, "before": before, "after": after},
    )


def at_commit(connection: Connection) -> int:
    """AT_COMMIT, for received_change rows naming the transaction's newest entry; the commit gives them its id."""
    connection.exec_driver_sql("SELECT accord_at_commit()")
    return AT_COMMIT


def rights_sentence(role: str, what: str) -> str:
    return (
        f"Your database role {role} may not change {what}: its agreement is not assigned to you; nothing was "
        "changed. Ask an administrator to assign the agreement to you (accord-desk assign)."
    )


def reader_window_sentence(role: str, name: str) -> str:
    return (
        f"You are connected to {name} as {role}, a reader of this team database: the server refuses a reader's "
        "changes, so it is open read-only. Ask an administrator for the editor role to make changes."
    )


def reader_sentence(role: str, refused: str = "") -> str:
    why = f" ({refused})" if refused else ""
    return (
        f"Your database role {role} may only read this team database, so the server refused the change{why}; "
        "nothing was changed. Ask an administrator for the editor role."
    )


# PostgreSQL's messages for a refused privilege: "permission denied for table obligation" (a reader),
# "new row violates row-level security policy for table "assessment"" (an agreement not assigned).
_POLICY = re.compile(r'row-level security policy (?:for table|\(USING expression\) for table) "?(\w+)"?')


def refusal_sentence(error: BaseException, role: str) -> str | None:
    """What the server's refusal of a write (SQLSTATE 42501) means, in one sentence; None for other errors."""
    if getattr(error, "sqlstate", None) != "42501":
        return None
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if found := _POLICY.search(message):
        return rights_sentence(role, f"these {found.group(1)} rows")
    return reader_sentence(role, message)


def refused_rows(connection: Connection, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Of these (table, row id) pairs, the rows the current role may not change."""
    if not rows:
        return []
    found = connection.execute(
        text(
            "SELECT t, r FROM json_to_recordset(CAST(:rows AS json)) AS x(t text, r text) "
            "WHERE NOT coalesce(accord_may_change(t, r), true)"
        ),
        {"rows": json.dumps([{"t": table, "r": row} for table, row in rows])},
    )
    return [tuple(row) for row in found]


def note_refusal(connection: Connection, table_name: str, row_key: str, attempted: dict, sentence: str) -> None:
    """Audit a refused attempt: the refusal as its before, what it tried to write as its after. Run in a
    transaction of its own, since the refused one left nothing."""
    note(connection, "refused", table_name, row_key, json.dumps({"refusal": sentence}, ensure_ascii=False),
         json.dumps(attempted, ensure_ascii=False, sort_keys=True))


@dataclass(frozen=True)
class Standing:
    """The connected role and what it may do in this database."""

    role: str
    level: str  # "administrator", "editor", "reader" or "" (none of the database's roles)


def standing(connection: Connection) -> Standing:
    roles = role_names(_database(connection))
    row = connection.execute(
        text(
            "SELECT current_user::text, "
            "pg_has_role(current_user, :a, 'USAGE'), pg_has_role(current_user, :e, 'USAGE'), "
            "pg_has_role(current_user, :r, 'USAGE') "
            "FROM pg_roles WHERE rolname = :r"
        ),
        {"a": roles.administrator, "e": roles.editor, "r": roles.reader},
    ).first()
    if row is None:  # a database without the roles (not made by `init`)
        role = connection.exec_driver_sql("SELECT current_user::text").scalar_one()
        return Standing(role, "")
    role, administrator, editor, reader = row
    level = "administrator" if administrator else "editor" if editor else "reader" if reader else ""
    return Standing(role, level)


def editable_agreements(connection: Connection, level: str) -> frozenset[str] | None:
    """The agreements the connected role may change, by the server's own rule (accord_may_edit); None:
    every one, new ones too (an administrator, or a role the database's roles do not hold)."""
    if level in ("administrator", ""):
        return None
    if level == "reader":
        return frozenset()
    return frozenset(connection.exec_driver_sql("SELECT id FROM agreement WHERE accord_may_edit(id)").scalars())


def editor_window_sentence(role: str, title: str | None) -> str:
    """Why an editor's window offers no changes to this agreement (None: a new one)."""
    if title is None:
        return (
            f"Your database role {role} edits only the agreements assigned to it, so the server refuses a new "
            "agreement from it; ask an administrator to add it."
        )
    return (
        f"{title} is not assigned to your database role {role}, so the server refuses your changes to it and it is "
        "open read-only here; ask an administrator to assign it to you (accord-desk assign)."
    )


def find_agreement(connection: Connection, named: str) -> tuple[str, str]:
    """(id, title) of the agreement named by its id, short title or title (any case); DatabaseError if
    none or several are."""
    rows = connection.exec_driver_sql(
        "SELECT id, title, short_title FROM agreement ORDER BY title COLLATE \"C\", id"
    ).all()
    wanted = named.strip().casefold()
    found = [r for r in rows if wanted in (r.id.casefold(), r.title.casefold(), (r.short_title or "").casefold())]
    if len(found) == 1:
        return found[0].id, found[0].title
    known = ", ".join(r.short_title or r.title for r in rows) or "none yet"
    if not found:
        raise DatabaseError(f"No agreement here is named {named!r}; name one by its id, title or short title ({known}).")
    raise DatabaseError(f"{len(found)} agreements are named {named!r}; name the one you mean by its id.")


def _assignable(connection: Connection, role: str) -> str:
    """'' if the role may hold assignments; else the end of a sentence saying why it gives no rights yet."""
    if standing(connection).level != "administrator":
        raise DatabaseError(
            "Only an administrator of this team database assigns agreements, and your database role is not one; "
            "ask an administrator."
        )
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        raise DatabaseError(
            f"The server has no database role {role}; create it first "
            f"(CREATE ROLE {_quoted(role)} LOGIN IN ROLE {role_names(_database(connection)).editor})."
        )
    editor = role_names(_database(connection)).editor
    if not connection.execute(text("SELECT pg_has_role(:r, :e, 'USAGE')"), {"r": role, "e": editor}).scalar_one():
        return f" ({role} is not an editor of this database yet, so this gives no rights until it is: GRANT {editor} TO {_quoted(role)})"
    return ""


def _database(connection: Connection) -> str:
    return connection.exec_driver_sql("SELECT current_database()").scalar_one()


def assign_agreement(connection: Connection, role: str, named: str) -> str:
    """`accord-desk assign`: let `role` edit the named agreement; what was done, in a sentence."""
    note = _assignable(connection, role)
    agreement_id, title = find_agreement(connection, named)
    if not assign(connection, role, agreement_id):
        return f"{role} already edits {title}."
    return f"{role} may now edit {title}{note}."


def unassign_agreement(connection: Connection, role: str, named: str) -> str:
    _assignable(connection, role)
    agreement_id, title = find_agreement(connection, named)
    if not unassign(connection, role, agreement_id):
        return f"{role} did not edit {title}; nothing changed."
    return f"{role} no longer edits {title}."


def assign(connection: Connection, role: str, agreement_id: str) -> bool:
    """Let `role` edit the agreement; False if it already may."""
    found = connection.execute(
        text("INSERT INTO agreementeditor (agreement_id, role_name) VALUES (:a, :r) ON CONFLICT DO NOTHING"),
        {"a": agreement_id, "r": role},
    )
    return found.rowcount == 1


def unassign(connection: Connection, role: str, agreement_id: str) -> bool:
    """Take the agreement from `role`; False if it was not assigned."""
    found = connection.execute(
        text("DELETE FROM agreementeditor WHERE agreement_id = :a AND role_name = :r"),
        {"a": agreement_id, "r": role},
    )
    return found.rowcount == 1


def assignments(connection: Connection) -> list[tuple[str, str]]:
    """(role, agreement id) of every assignment, by role then agreement."""
    return [tuple(r) for r in connection.exec_driver_sql(
        "SELECT role_name, agreement_id FROM agreementeditor ORDER BY role_name COLLATE \"C\", agreement_id"
    )]


def head_row(connection: Connection) -> tuple[int, str] | None:
    """The chain head the server keeps (id, hash), None on a database without it."""
    row = connection.exec_driver_sql("SELECT entry_id, entry_hash FROM audithead").first()
    return (row[0], row[1]) if row else None


def pending_entries(connection: Connection) -> int:
    """Entries written and not chained: only a transaction's own, until it commits (0 outside one)."""
    return connection.exec_driver_sql("SELECT count(*) FROM auditpending").scalar_one()
