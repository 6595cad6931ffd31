"""perf: count bulk-create attempts per expectation and goal, so the sync searches Jira for an
issue an earlier create may have made only when there was such a create

Revision ID: 0009_perf
Revises: 0005_forge
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_perf"
down_revision: str | None = "0008_privacy"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

TABLES = (("expectations", "jira_issue_key"), ("goals", "jira_epic_key"))


def upgrade() -> None:
    for table, key in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "jira_create_attempts", sa.Integer(), nullable=False, server_default="0"
                )
            )
        # Rows without an issue yet may have been through a create before this column existed:
        # count that as one attempt, so their next push searches before creating.
        op.execute(f"UPDATE {table} SET jira_create_attempts = 1 WHERE {key} IS NULL")


def downgrade() -> None:
    for table, _key in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("jira_create_attempts")
