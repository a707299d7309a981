"""The audit trail becomes a hash chain, and every row of the record carries a version.

Existing entries are chained in id order (the append-only triggers are lifted for that and put back),
every record row starts at version 1, and the upgrade writes an entry of its own saying so.

Revision ID: 0003_audit_chain
Revises: 0002_event_indexes
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

from db.audit import GENESIS, entry_hash, migration_entry
from db.dialects import append_only, guarded_operations
from db.clock import current_user

revision = "0003_audit_chain"
down_revision = "0002_event_indexes"
branch_labels = None
depends_on = None

RECORD_TABLES = (
    "actor", "agreement", "actoralias", "party", "obligation", "obligationobligor", "obligationdependency",
    "assessment", "importfile", "event", "eventactor", "eventobligation", "metric", "metricobligation",
    "targetpoint", "observation",
)  # fmt: skip
_ENTRY = sa.table(
    "auditentry", sa.column("id", sa.Integer), sa.column("at", UTCDateTime()), sa.column("who"),
    sa.column("action"), sa.column("operation"), sa.column("table_name"), sa.column("row_id"),
    sa.column("before"), sa.column("after"),
)  # fmt: skip


def _append_only(on: bool) -> None:
    dialect = op.get_bind().dialect.name
    for operation in guarded_operations(dialect):
        for statement in append_only(dialect, "auditentry", f"auditentry_no_{operation.lower()}", operation,
                                     "the audit trail is append-only", on):  # fmt: skip
            op.execute(statement)


def _copied() -> str:
    """SQLite makes a column NOT NULL only by copying its table; a server alters it in place."""
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    connection = op.get_bind()
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch_op:  # ADD COLUMN in place: no copy of the table
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    _append_only(False)
    with op.batch_alter_table("auditentry") as batch_op:
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    previous, hashes = GENESIS, []
    for entry in connection.execute(sa.select(_ENTRY).order_by(_ENTRY.c.id)).mappings():
        previous = entry_hash(previous, entry)
        hashes.append({"entry_id": entry["id"], "entry_hash": previous})
    if hashes:
        connection.execute(
            sa.text("UPDATE auditentry SET hash = :entry_hash WHERE id = :entry_id"), hashes
        )
    with op.batch_alter_table("auditentry", recreate=_copied()) as batch_op:
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    _append_only(True)
    migration_entry(connection, revision, current_user(), {table: {"version": 1} for table in RECORD_TABLES})


def downgrade() -> None:
    _append_only(False)
    with op.batch_alter_table("auditentry", recreate=_copied()) as batch_op:
        batch_op.drop_column("hash")
    _append_only(True)
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("version")
