"""tenants: one row per installation, keyed by clientKey

Revision ID: 0001_tenants
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from connector.db import UTCDateTime

revision: str = "0001_tenants"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("client_key", sa.String(255), nullable=False),
        sa.Column("site_id", sa.String(255), nullable=False),
        sa.Column("product_type", sa.String(32), nullable=False),
        sa.Column("app_key", sa.String(80), nullable=False),
        sa.Column("base_url", sa.String(512), nullable=False),
        sa.Column("display_url", sa.String(512), nullable=True),
        sa.Column("shared_secret", sa.String(512), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("cloud_id", sa.String(64), nullable=True),
        sa.Column("installation_id", sa.String(255), nullable=True),
        sa.Column("description", sa.String(1024), nullable=True),
        sa.Column("installed_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("client_key", name=op.f("pk_tenants")),
        sa.UniqueConstraint("installation_id", name=op.f("uq_tenants_installation_id")),
    )
    op.create_index(op.f("ix_tenants_site_id"), "tenants", ["site_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_tenants_site_id"), table_name="tenants")
    op.drop_table("tenants")
