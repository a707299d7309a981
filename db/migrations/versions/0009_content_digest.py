"""The content digest: per table of the record, its row count and the sum of its rows' hashes (db/content.py).

Derived from the record and holding nothing of its own, like the search index: the upgrade writes no audit
entry. Store._migrate fills it after every upgrade, this one included.

Revision ID: 0009_content_digest
Revises: 0006_parties
"""

from alembic import op

from db import content

revision = "0009_content_digest"
down_revision = "0006_parties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in content.create_statements():
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TABLE {content.TABLE}")
