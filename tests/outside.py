"""Changes made to a record as someone without Accord Desk would make them, for the tests of what
`check` and the content digest notice."""

import sqlite3

from db import team_server
from db.store import Store

LIFT = "DROP TRIGGER auditentry_no_update; DROP TRIGGER auditentry_no_delete;"
GUARD = "".join(
    f"CREATE TRIGGER auditentry_no_{op.lower()} BEFORE {op} ON auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    for op in ("UPDATE", "DELETE")
)


def write_outside(store: Store, script: str, past_guards: bool = False) -> Store:
    """Run SQL on the closed record, as someone without Accord Desk would; the store reopened. On a file
    with sqlite3, foreign keys off (`past_guards`: the trail's append-only triggers lifted, then put
    back); on a server as its superuser with session_replication_role = replica, which fires no trigger
    (no audit entry, no guard) and checks no foreign key."""
    location = store.server or store.path
    store.close()
    if store.server is None:
        with sqlite3.connect(location) as connection:
            lift, guard = (LIFT, GUARD) if past_guards else ("", "")
            connection.executescript(f"PRAGMA foreign_keys = OFF; {lift} {script}; {guard}")
        connection.close()
    else:
        import psycopg

        with psycopg.connect(team_server.conninfo(location.url), autocommit=True) as connection:
            connection.execute(f"SET session_replication_role = replica; {script}")
    return Store.open(location, user="tester")
