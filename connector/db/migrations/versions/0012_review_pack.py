"""review packs: the Confluence space they go to and the quarterly run (site settings), where
each relationship's pack per period was written (review_packs), and the Forge environment id a
page needs to embed the app's macro

Revision ID: 0012_review_pack
Revises: 0012_conversation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from connector.db import UTCDateTime

revision: str = "0012_review_pack"
down_revision: str | None = "0012_conversation"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(sa.Column("review_space_key", sa.String(255), nullable=True))
        batch.add_column(
            sa.Column(
                "review_packs_scheduled", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("forge_installations") as batch:
        batch.add_column(sa.Column("environment_id", sa.String(64), nullable=True))
    op.create_table(
        "review_packs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.String(255), nullable=False),
        sa.Column(
            "relationship_id",
            sa.Integer(),
            sa.ForeignKey("relationships.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("space_key", sa.String(255), nullable=False),
        sa.Column("page_id", sa.String(32), nullable=True),
        sa.Column("page_url", sa.String(1024), nullable=True),
        sa.Column("page_version", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("site_id", "relationship_id", "period"),
    )
    op.create_index("ix_review_packs_site_id", "review_packs", ["site_id"])
    op.create_index("ix_review_packs_relationship_id", "review_packs", ["relationship_id"])


def downgrade() -> None:
    op.drop_table("review_packs")
    with op.batch_alter_table("forge_installations") as batch:
        batch.drop_column("environment_id")
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("review_packs_scheduled")
        batch.drop_column("review_space_key")
