"""A change of who edits which agreement is announced (db/team_server.py's accord_rights_changed), so a
window connected to the team database reads its officer's rights again. PostgreSQL only: the server's
side is installed anew, as each upgrade does; on a file nothing changes.

Revision ID: 0014_editor_rights
Revises: 0013_team_server
"""

from alembic import op

from db import team_server

revision = "0014_editor_rights"
down_revision = "0013_team_server"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if team_server.is_server(connection):
        team_server.install(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if team_server.is_server(connection):
        op.execute("DROP TRIGGER IF EXISTS accord_rights_changed ON agreementeditor")
        op.execute("DROP FUNCTION IF EXISTS accord_rights_changed()")
