"""The event log's filters: type with date, and Admiralty grade with date.

The composite type index replaces the single-column one, which it serves as a prefix.

Revision ID: 0002_event_indexes
Revises: 0001_record
"""

from alembic import op


revision = "0002_event_indexes"
down_revision = "0001_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_event_type")
        batch_op.create_index("ix_event_type_occurred_on", ["event_type", "occurred_on"], unique=False)
        batch_op.create_index(
            "ix_event_grade_occurred_on", ["reliability", "credibility", "occurred_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_grade_occurred_on")
        batch_op.drop_index("ix_event_type_occurred_on")
        batch_op.create_index("ix_event_event_type", ["event_type"], unique=False)
