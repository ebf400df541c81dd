"""reflection concepts: the concept cards a reflection carried by meaning, kept or removed

Revision ID: 0004_reflection_concepts
Revises: 0003_answer_flag
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import reflect_bot.db.types

revision: str = '0004_reflection_concepts'
down_revision: str | None = '0003_answer_flag'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reflection_concept',
    sa.Column('reflection_id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kept', sa.Boolean(), nullable=True),
    sa.Column('confirmed_at', reflect_bot.db.types.UTCDateTime(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sentence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reflection_id'], ['reflection.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reflection_id', 'slug')
    )


def downgrade() -> None:
    op.drop_table('reflection_concept')
