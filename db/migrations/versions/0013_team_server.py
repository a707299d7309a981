"""The team database's server side (db/team_server.py): roles, row-level security, and the audit trail
written by the server's own triggers. PostgreSQL only; on a file nothing changes (one client owns it and
writes the trail itself), so the upgrade writes no audit entry there.

Creating the roles needs CREATEROLE: the account that upgrades a server's database must have it.

Revision ID: 0013_team_server
Revises: 0009_content_digest
"""

from alembic import op

from db import team_server

revision = "0013_team_server"
down_revision = "0009_content_digest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if team_server.is_server(connection):
        team_server.install(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if team_server.is_server(connection):
        for statement in team_server.uninstall_statements():
            op.execute(statement)
