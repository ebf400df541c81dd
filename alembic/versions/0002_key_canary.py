"""key canary: one encrypted row the bot reads at start to know its keys fit the data

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - kept like every revision (alembic #1647)
from alembic import op

import reflect_bot.db.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('key_canary',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', reflect_bot.db.types.EncryptedText(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('key_canary')
