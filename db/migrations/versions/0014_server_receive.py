"""A team database receives bundles from the field desks (db/exchange.py). PostgreSQL only; a file already
can (SQLite defers its foreign keys per transaction), so the upgrade writes no audit entry there.

- Every foreign key becomes DEFERRABLE (INITIALLY IMMEDIATE: nothing else changes): a receive adds a
  tree's rows in any order and gives records the other desk's id (db/natural_keys.py) before the rows
  naming them follow, and checks them all once, at its end.
- The server side is installed anew (db/team_server.py): its trail notes a receive's merge, and the
  merge's entry id, given at commit, reaches the rows the receive wrote (accord_received).
- received_change, whose rows say whose version a record row holds, gets the record's row-level
  security: an editor receives only into the agreements assigned to them.

Revision ID: 0014_server_receive
Revises: 0014_editor_rights
"""

from alembic import op

from db import team_server

revision = "0014_server_receive"
down_revision = "0014_editor_rights"
branch_labels = None
depends_on = None


def _foreign_keys(deferrable: bool) -> str:
    wanted, kind = ("NOT condeferrable", "DEFERRABLE INITIALLY IMMEDIATE") if deferrable else ("condeferrable", "NOT DEFERRABLE")
    return f"""
DO $$ DECLARE c record; BEGIN
    FOR c IN SELECT conrelid::regclass AS on_table, conname FROM pg_constraint
             WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND {wanted} LOOP
        EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I {kind}', c.on_table, c.conname);
    END LOOP;
END $$"""


def upgrade() -> None:
    connection = op.get_bind()
    if not team_server.is_server(connection):
        return
    op.execute(_foreign_keys(True))
    team_server.install(connection)
    for statement in team_server.received_policies():
        op.execute(statement)


def downgrade() -> None:
    connection = op.get_bind()
    if not team_server.is_server(connection):
        return
    for statement in team_server.received_policies(on=False):
        op.execute(statement)
    op.execute(_foreign_keys(False))
