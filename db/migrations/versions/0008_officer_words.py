"""The officer's assessment in words, kept per agreement with the record (it was in the window's settings).

A new table: no record row gains a column, so the upgrade writes no audit entry (db.integrity compares
rows with their entries; the words written later are audited as they are saved). The window moves the
words it kept in its settings into this table once, as an audited change (gui/officer_words.py).

Revision ID: 0008_officer_words
Revises: 0010_exchange
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_officer_words"
down_revision = "0010_exchange"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officerwords",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("agreement_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("written_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_officerwords_agreement_written", "officerwords", ["agreement_id", "written_at"])


def downgrade() -> None:
    op.drop_index("ix_officerwords_agreement_written", table_name="officerwords")
    op.drop_table("officerwords")
