"""integrator_page: an integrator's review page has a review_packs row too (no relationship,
the integrator's accountId), so a failed write is listed and retried as a relationship's pack is

Revision ID: 0014_integrator_page
Revises: 0013_forge_multi
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_integrator_page"
down_revision: str | None = "0013_forge_multi"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

ONE_SUBJECT = "(relationship_id IS NULL) <> (integrator_account_id IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("review_packs") as batch:
        batch.add_column(sa.Column("integrator_account_id", sa.String(128), nullable=True))
        batch.alter_column("relationship_id", existing_type=sa.Integer(), nullable=True)
        batch.create_index(op.f("ix_review_packs_integrator_account_id"), ["integrator_account_id"])
        batch.create_unique_constraint(
            op.f("uq_review_packs_integrator_account_id"),
            ["integrator_account_id", "site_id", "period"],
        )
        batch.create_check_constraint(op.f("ck_review_packs_one_subject"), sa.text(ONE_SUBJECT))


def downgrade() -> None:
    op.execute("DELETE FROM review_packs WHERE relationship_id IS NULL")
    with op.batch_alter_table("review_packs") as batch:
        batch.drop_constraint(op.f("ck_review_packs_one_subject"), type_="check")
        batch.drop_constraint(op.f("uq_review_packs_integrator_account_id"), type_="unique")
        batch.drop_index(op.f("ix_review_packs_integrator_account_id"))
        batch.alter_column("relationship_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("integrator_account_id")
