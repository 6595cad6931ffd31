"""measure values: each measure's values over time (by hand or counted by JQL), disputes beside
them, and the state of counting a measure by JQL

Revision ID: 0010_measure_values
Revises: 0012_review_pack
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from connector.db import UTCDateTime

revision: str = "0010_measure_values"
down_revision: str | None = "0012_review_pack"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measure_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(255), nullable=False),
        sa.Column("expectation_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("disputed_by", sa.String(128), nullable=True),
        sa.Column("dispute_comment", sa.Text(), nullable=True),
        sa.Column("disputed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["expectation_id"],
            ["expectations.id"],
            name=op.f("fk_measure_values_expectation_id_expectations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measures.id"],
            name=op.f("fk_measure_values_measure_id_measures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_values")),
    )
    op.create_index(op.f("ix_measure_values_site_id"), "measure_values", ["site_id"])
    op.create_index(op.f("ix_measure_values_expectation_id"), "measure_values", ["expectation_id"])
    op.create_index("ix_measure_values_measure_day", "measure_values", ["measure_id", "day"])
    with op.batch_alter_table("measures") as batch:
        batch.add_column(sa.Column("counted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("count_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("count_after", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("measures") as batch:
        batch.drop_column("count_after")
        batch.drop_column("count_error")
        batch.drop_column("counted_at")
    op.drop_index("ix_measure_values_measure_day", table_name="measure_values")
    op.drop_index(op.f("ix_measure_values_expectation_id"), table_name="measure_values")
    op.drop_index(op.f("ix_measure_values_site_id"), table_name="measure_values")
    op.drop_table("measure_values")
