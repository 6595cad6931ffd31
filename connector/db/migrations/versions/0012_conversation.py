"""conversation: the follow-up questions a site's administrator chose (NULL: the defaults)

Revision ID: 0012_conversation
Revises: 0011_stemmer
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_conversation"
down_revision: str | None = "0011_stemmer"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(sa.Column("follow_ups", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("follow_ups")
