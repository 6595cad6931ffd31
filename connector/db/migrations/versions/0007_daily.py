"""daily: the search index of expectations' words, and the record of scheduled job runs

Revision ID: 0007_daily
Revises: 0005_forge
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from connector.db import UTCDateTime
from connector.domain.words import terms_of

revision: str = "0007_daily"
down_revision: str | None = "0006_trust"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expectation_terms",
        sa.Column("expectation_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(64), nullable=False),
        sa.Column("site_id", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(
            ["expectation_id"],
            ["expectations.id"],
            name=op.f("fk_expectation_terms_expectation_id_expectations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("expectation_id", "term", name=op.f("pk_expectation_terms")),
    )
    op.create_index(
        "ix_expectation_terms_site_id_term",
        "expectation_terms",
        ["site_id", "term", "expectation_id"],
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("site_id", sa.String(255), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    op.create_index("ix_job_runs_job_id", "job_runs", ["job", "id"])
    op.create_index(op.f("ix_job_runs_site_id"), "job_runs", ["site_id"])
    _index_existing_expectations()


def _index_existing_expectations() -> None:
    connection = op.get_bind()
    names: dict[int, list[str]] = {}
    for expectation_id, name in connection.execute(
        sa.text("SELECT expectation_id, name FROM measures ORDER BY expectation_id, position")
    ):
        names.setdefault(expectation_id, []).append(name)
    rows = connection.execute(
        sa.text(
            "SELECT id, site_id, statement, why_it_matters, growth_opportunity FROM expectations"
        )
    )
    terms_table = sa.table(
        "expectation_terms",
        sa.column("expectation_id", sa.Integer),
        sa.column("term", sa.String),
        sa.column("site_id", sa.String),
    )
    for expectation_id, site_id, *texts in rows.all():
        found = terms_of([*texts, *names.get(expectation_id, [])])
        if found:
            connection.execute(
                terms_table.insert(),
                [{"expectation_id": expectation_id, "term": t, "site_id": site_id} for t in found],
            )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("expectation_terms")
