"""Exchange between desks: the desk's own id, what it knows of other desks, and what it received.

Four tables of the desk's own (db/desk.py, db/exchange.py), none of them record rows: they are written
outside the ORM, so the audit trail's accounting (db.integrity) does not name them and the upgrade writes
no audit entry (as 0005_search). `received_entry` is append-only like the trail it copies.

Revision ID: 0010_exchange
Revises: 0007_same_happening
"""

from alembic import op

from db import desk

revision = "0010_exchange"
down_revision = "0007_same_happening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in desk.create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for table in desk.TABLES:
        op.execute(f"DROP TABLE {table}")
