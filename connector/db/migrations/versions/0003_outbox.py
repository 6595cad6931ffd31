"""outbox: changes waiting for Jira, issue links (made by the app or read from Jira), indexes
for keyset pages

Revision ID: 0003_outbox
Revises: 0002_organisation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import connector.db

revision: str = "0003_outbox"
down_revision: str | None = "0002_organisation"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", connector.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", connector.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", connector.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_site_id", "outbox", ["site_id"])
    op.create_index("ix_outbox_state_due_at", "outbox", ["state", "due_at"])
    # One row per Jira issue link and expectation: made by the app (origin `app`, through the
    # outbox) or read back from Jira (origin `jira`); see connector.practice.crossteam.IssueLink.
    op.create_table(
        "issue_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=255), nullable=False),
        sa.Column("expectation_id", sa.Integer(), nullable=False),
        sa.Column("expectation_side", sa.String(length=12), nullable=False),
        sa.Column("other_issue_key", sa.String(length=32), nullable=True),
        sa.Column("other_issue_id", sa.String(length=32), nullable=True),
        sa.Column("other_expectation_id", sa.Integer(), nullable=True),
        sa.Column("other_summary", sa.String(length=500), nullable=True),
        sa.Column("other_status_category", sa.String(length=16), nullable=True),
        sa.Column("jira_link_id", sa.String(length=32), nullable=True),
        sa.Column("link_type_name", sa.String(length=64), nullable=False),
        sa.Column("outward_name", sa.String(length=64), nullable=True),
        sa.Column("inward_name", sa.String(length=64), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sync_error", sa.Text(), nullable=True),
        sa.Column("event_at", connector.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", connector.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["expectation_id"],
            ["expectations.id"],
            name=op.f("fk_issue_links_expectation_id_expectations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_links")),
        sa.UniqueConstraint(
            "site_id", "jira_link_id", "expectation_id", name=op.f("uq_issue_links_site_id")
        ),
    )
    op.create_index("ix_issue_links_site_id", "issue_links", ["site_id"])
    op.create_index("ix_issue_links_expectation_id", "issue_links", ["expectation_id"])
    op.create_index("ix_issue_links_other_issue_id", "issue_links", ["other_issue_id"])
    # Keyset pages: `WHERE site_id = ? AND id > ? ORDER BY id` stays an index range scan.
    for table in ("teams", "relationships", "expectations", "goals"):
        op.create_index(f"ix_{table}_site_id_id", table, ["site_id", "id"])


def downgrade() -> None:
    for table in ("teams", "relationships", "expectations", "goals"):
        op.drop_index(f"ix_{table}_site_id_id", table_name=table)
    op.drop_table("issue_links")
    op.drop_table("outbox")
