"""forge_multi: one Forge installation spans Jira and Confluence; preUninstall marks it uninstalled

Revision ID: 0013_forge_multi
Revises: 0012_review_pack
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from connector.db import UTCDateTime

revision: str = "0013_forge_multi"
down_revision: str | None = "0010_measure_values"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forge_installations") as batch:
        # The Atlassian apps the installation spans (its token's contexts), comma-separated.
        batch.add_column(sa.Column("products", sa.String(64), nullable=True))
        batch.add_column(sa.Column("uninstalled_at", UTCDateTime(), nullable=True))
        # "preUninstall" (Forge said so: final) or "silence" (no invocation for a day: a fallback).
        batch.add_column(sa.Column("uninstalled_by", sa.String(16), nullable=True))
    op.execute("UPDATE forge_installations SET products = product")
    with op.batch_alter_table("forge_installations") as batch:
        batch.alter_column("products", existing_type=sa.String(64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("forge_installations") as batch:
        batch.drop_column("uninstalled_by")
        batch.drop_column("uninstalled_at")
        batch.drop_column("products")
