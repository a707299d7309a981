"""Find anything: an FTS5 index over obligations, events, assessments and actors, kept by triggers.

The index is filled from the record as it is and holds nothing of its own: no record row or column
changes, so the upgrade writes no audit entry (the trail's migration entries name columns added to
record rows, which db.integrity compares; here there are none). db/search.py says what is indexed.

Revision ID: 0005_search
Revises: 0004_event_ranges
"""

from alembic import op

from db import search

revision = "0005_search"
down_revision = "0004_event_ranges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in search.create_statements(op.get_bind().dialect.name):
        op.execute(statement)
    search.rebuild(op.get_bind())


def downgrade() -> None:
    for statement in search.drop_statements():
        op.execute(statement)
