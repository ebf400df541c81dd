"""portfolio: profile on the clinician, CPD activities, evidence choices

Revision ID: 0005_portfolio
Revises: 0004_reflection_concepts
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate renders sqlmodel.sql.sqltypes.AutoString
from alembic import op

import reflect_bot.db.types

revision: str = '0005_portfolio'
down_revision: str | None = '0004_reflection_concepts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cpd_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('title', reflect_bot.db.types.EncryptedText(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('created_at', reflect_bot.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cpd_activity', schema=None) as batch_op:
        batch_op.create_index('ix_cpd_activity_clinician_done', ['clinician_id', 'done_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cpd_activity_clinician_id'), ['clinician_id'], unique=False)

    op.create_table('evidence_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reflection_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('choice_id', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('options', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('chosen_at', reflect_bot.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reflection_id'], ['reflection.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reflection_id', 'profile_id', 'choice_id', name='uq_evidence_choice')
    )
    with op.batch_alter_table('evidence_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_choice_reflection_id'), ['reflection_id'], unique=False)

    with op.batch_alter_table('clinician', schema=None) as batch_op:
        batch_op.add_column(sa.Column('portfolio_profile', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        # Clinicians already there have not been asked yet.
        batch_op.add_column(sa.Column('profile_asked', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('clinician', schema=None) as batch_op:
        batch_op.drop_column('profile_asked')
        batch_op.drop_column('portfolio_profile')

    with op.batch_alter_table('evidence_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_choice_reflection_id'))

    op.drop_table('evidence_choice')
    with op.batch_alter_table('cpd_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cpd_activity_clinician_id'))
        batch_op.drop_index('ix_cpd_activity_clinician_done')

    op.drop_table('cpd_activity')
