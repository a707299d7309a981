"""Parties group actors: the actors that count as a party of an agreement (db.models.PartyMember).

A new, empty table: no record row or column changes, so the upgrade writes no audit entry (as 0005).

Revision ID: 0006_parties
Revises: 0008_officer_words
"""

import sqlalchemy as sa
from alembic import op
import sqlmodel

revision = "0006_parties"
down_revision = "0008_officer_words"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partymember",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("party_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["actor_id"], ["actor.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("party_id", "actor_id"),
    )
    op.create_index("ix_partymember_actor_id", "partymember", ["actor_id"])


def downgrade() -> None:
    op.drop_index("ix_partymember_actor_id", table_name="partymember")
    op.drop_table("partymember")
