"""The record: every table of db/models.py, and the audit trail made append-only.

Revision ID: 0001_record
Revises: 
Create Date: 2026-11-28 02:40:17.605348
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

from db.dialects import append_only, guarded_operations


revision = '0001_record'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actor',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('actor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actor_name'), ['name'], unique=False)

    op.create_table('agreement',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('short_title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_citation', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('auditentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('who', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('operation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('row_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditentry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_row_id'), ['row_id'], unique=False)

    op.create_table('importfile',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('imported_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('importfile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_importfile_sha256'), ['sha256'], unique=False)

    op.create_table('actoralias',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('alias_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alias_key', name='uq_actoralias_alias_key')
    )
    with op.batch_alter_table('actoralias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actoralias_actor_id'), ['actor_id'], unique=False)

    op.create_table('event',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('agreement_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('date_precision', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sub_event_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('admin1', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('admin2', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('admin3', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('geo_precision', sa.Integer(), nullable=True),
    sa.Column('fatalities', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('source_reference', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('source_accessed_on', sa.Date(), nullable=True),
    sa.Column('reliability', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('credibility', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('import_file_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_file_id'], ['importfile.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_event_type'), ['event_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_import_file_id'), ['import_file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_occurred_on'), ['occurred_on'], unique=False)

    op.create_table('metric',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('agreement_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('tolerance', sa.Float(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_metric_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('obligation',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('agreement_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('parent_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('beneficiary_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('deadline_on', sa.Date(), nullable=True),
    sa.Column('deadline_rule', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ongoing', sa.Boolean(), nullable=False),
    sa.Column('deadline_note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['actor.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['obligation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligation_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index('ix_obligation_parent_position', ['agreement_id', 'parent_id', 'position'], unique=False)

    op.create_table('party',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('agreement_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('represented_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agreement_id', 'actor_id', name='uq_party_agreement_actor')
    )
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('obligation_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('confidence', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('assessed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_obligation_id'), ['obligation_id'], unique=False)

    op.create_table('eventactor',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'actor_id')
    )
    with op.batch_alter_table('eventactor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eventactor_actor_id'), ['actor_id'], unique=False)

    op.create_table('eventobligation',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('obligation_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('bearing', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'obligation_id')
    )
    with op.batch_alter_table('eventobligation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eventobligation_obligation_id'), ['obligation_id'], unique=False)

    op.create_table('metricobligation',
    sa.Column('metric_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('obligation_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.ForeignKeyConstraint(['metric_id'], ['metric.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('metric_id', 'obligation_id')
    )
    with op.batch_alter_table('metricobligation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_metricobligation_obligation_id'), ['obligation_id'], unique=False)

    op.create_table('obligationdependency',
    sa.Column('obligation_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('depends_on_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['depends_on_id'], ['obligation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('obligation_id', 'depends_on_id')
    )
    op.create_table('obligationobligor',
    sa.Column('obligation_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('obligation_id', 'actor_id')
    )
    op.create_table('observation',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('metric_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('date_precision', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('qualifier', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('claimant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['claimant_id'], ['actor.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['metric_id'], ['metric.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_claimant_id'), ['claimant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_metric_id'), ['metric_id'], unique=False)

    op.create_table('targetpoint',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('metric_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('obligation_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['metric_id'], ['metric.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('targetpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targetpoint_metric_id'), ['metric_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targetpoint_obligation_id'), ['obligation_id'], unique=False)



    _append_only(True)


def _append_only(on: bool) -> None:
    dialect = op.get_bind().dialect.name
    for operation in guarded_operations(dialect):
        for statement in append_only(dialect, "auditentry", f"auditentry_no_{operation.lower()}", operation,
                                     "the audit trail is append-only", on):  # fmt: skip
            op.execute(statement)


def downgrade() -> None:
    _append_only(False)
    with op.batch_alter_table('targetpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targetpoint_obligation_id'))
        batch_op.drop_index(batch_op.f('ix_targetpoint_metric_id'))

    op.drop_table('targetpoint')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_metric_id'))
        batch_op.drop_index(batch_op.f('ix_observation_event_id'))
        batch_op.drop_index(batch_op.f('ix_observation_claimant_id'))

    op.drop_table('observation')
    op.drop_table('obligationobligor')
    op.drop_table('obligationdependency')
    with op.batch_alter_table('metricobligation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metricobligation_obligation_id'))

    op.drop_table('metricobligation')
    with op.batch_alter_table('eventobligation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eventobligation_obligation_id'))

    op.drop_table('eventobligation')
    with op.batch_alter_table('eventactor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eventactor_actor_id'))

    op.drop_table('eventactor')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_obligation_id'))

    op.drop_table('assessment')
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_agreement_id'))
        batch_op.drop_index(batch_op.f('ix_party_actor_id'))

    op.drop_table('party')
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_index('ix_obligation_parent_position')
        batch_op.drop_index(batch_op.f('ix_obligation_beneficiary_id'))

    op.drop_table('obligation')
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metric_agreement_id'))

    op.drop_table('metric')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_occurred_on'))
        batch_op.drop_index(batch_op.f('ix_event_import_file_id'))
        batch_op.drop_index(batch_op.f('ix_event_event_type'))
        batch_op.drop_index(batch_op.f('ix_event_agreement_id'))

    op.drop_table('event')
    with op.batch_alter_table('actoralias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actoralias_actor_id'))

    op.drop_table('actoralias')
    with op.batch_alter_table('importfile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_importfile_sha256'))

    op.drop_table('importfile')
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_row_id'))
        batch_op.drop_index(batch_op.f('ix_auditentry_at'))

    op.drop_table('auditentry')
    op.drop_table('agreement')
    with op.batch_alter_table('actor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actor_name'))

    op.drop_table('actor')
