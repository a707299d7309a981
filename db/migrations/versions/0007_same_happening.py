"""Several sources of one happening: an event may name the first recorded event of the happening it
reports (db/same_happening.py says why linked events rather than one event with several sources); and
an index of events by place and date, for the duplicate check of imports (db/duplicates.py). Its location
compares ignoring ASCII case, as the check asks; the index holds no record data, so no audit entry names it.

Revision ID: 0007_same_happening
Revises: 0005_search
"""

import sqlalchemy as sa
from alembic import op

from db.audit import migration_entry
from db.clock import current_user
from db.dialects import ascii_folded

revision = "0007_same_happening"
down_revision = "0005_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch_op:  # ADD COLUMN in place: no copy of the table
        batch_op.add_column(sa.Column("same_happening_as", sa.String(length=36), nullable=True))
    op.create_index("ix_event_same_happening_as", "event", ["same_happening_as"])
    location = ascii_folded(op.get_bind().dialect.name, "location")
    op.execute(f"CREATE INDEX ix_event_location_occurred_on ON event ({location}, occurred_on)")
    migration_entry(op.get_bind(), revision, current_user(), {"event": {"same_happening_as": None}})


def downgrade() -> None:
    op.drop_index("ix_event_location_occurred_on", table_name="event")
    op.drop_index("ix_event_same_happening_as", table_name="event")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("same_happening_as")
