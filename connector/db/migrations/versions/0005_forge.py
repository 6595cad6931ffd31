"""forge: installations of the Forge app, keyed by installationId

Revision ID: 0005_forge
Revises: 0004_inbox
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from connector.db import UTCDateTime

revision: str = "0005_forge"
down_revision: str | None = "0004_inbox"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forge_installations",
        sa.Column("installation_id", sa.String(255), nullable=False),
        sa.Column("app_id", sa.String(255), nullable=False),
        sa.Column("site_id", sa.String(255), nullable=False),
        sa.Column("cloud_id", sa.String(64), nullable=True),
        sa.Column("product", sa.String(32), nullable=False),
        sa.Column("api_base_url", sa.String(512), nullable=False),
        sa.Column("site_url", sa.String(512), nullable=True),
        sa.Column("environment", sa.String(64), nullable=True),
        sa.Column("app_version", sa.String(64), nullable=True),
        sa.Column("connect_client_key", sa.String(255), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("system_token", sa.Text(), nullable=True),
        sa.Column("system_token_expires_at", UTCDateTime(), nullable=True),
        sa.Column("installed_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("installation_id", name=op.f("pk_forge_installations")),
    )
    op.create_index(op.f("ix_forge_installations_site_id"), "forge_installations", ["site_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_forge_installations_site_id"), table_name="forge_installations")
    op.drop_table("forge_installations")
