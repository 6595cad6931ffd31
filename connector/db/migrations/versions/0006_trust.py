"""trust: the app-kept member list of each team

Revision ID: 0006_trust
Revises: 0005_forge
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from connector.db import UTCDateTime

revision: str = "0006_trust"
down_revision: str | None = "0005_forge"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(255), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_members_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("team_id", "account_id", name=op.f("uq_team_members_team_id")),
    )
    op.create_index(op.f("ix_team_members_site_id"), "team_members", ["site_id"])
    op.create_index(op.f("ix_team_members_team_id"), "team_members", ["team_id"])
    op.create_index(op.f("ix_team_members_account_id"), "team_members", ["account_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_team_members_account_id"), table_name="team_members")
    op.drop_index(op.f("ix_team_members_team_id"), table_name="team_members")
    op.drop_index(op.f("ix_team_members_site_id"), table_name="team_members")
    op.drop_table("team_members")
