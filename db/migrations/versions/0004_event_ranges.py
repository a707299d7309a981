"""An event may be dated by a range of days: UCDP's GED gives date_start..date_end.

Revision ID: 0004_event_ranges
Revises: 0003_audit_chain
"""

import sqlalchemy as sa
from alembic import op

from db.audit import migration_entry
from db.clock import current_user

revision = "0004_event_ranges"
down_revision = "0003_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch_op:  # ADD COLUMN in place: no copy of the table
        batch_op.add_column(sa.Column("occurred_until", sa.Date(), nullable=True))
    migration_entry(op.get_bind(), revision, current_user(), {"event": {"occurred_until": None}})


def downgrade() -> None:
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("occurred_until")
