"""answer flag: an answer the identifying-details check flagged and the clinician kept

Such an answer is never quoted outside the clinician's own journal (digest excerpts,
supervision briefs) and is listed before an export. Existing answers start unflagged: the
check ran on them when they were sent, and they are read again when next edited.

Revision ID: 0003_answer_flag
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - kept like every revision (alembic #1647)
from alembic import op

revision: str = '0003_answer_flag'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('answer') as batch_op:
        batch_op.add_column(
            sa.Column(
                'identifying_flagged', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('answer') as batch_op:
        batch_op.drop_column('identifying_flagged')
