"""privacy: secrets encrypted at rest, the personal-data reporting cycle, former leads

Encrypts every existing shared secret and Forge app token with the first key of ICM_SECRET_KEYS
(the keyring of the engine running the migration); downgrading decrypts them again.

Revision ID: 0008_privacy
Revises: 0005_forge
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from connector.db import UTCDateTime
from connector.db.secrets import keyring_of

revision: str = "0008_privacy"
down_revision: str | None = "0007_daily"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# (table, primary key, secret column): read by name, as they stood at this revision.
SECRETS = (
    ("tenants", "client_key", "shared_secret"),
    ("forge_installations", "installation_id", "system_token"),
)


def _rewrite(change: Callable[[str], str]) -> None:
    """Apply `change` to every stored secret (no rows: no key needed)."""
    bind = op.get_bind()
    for name, key, column in SECRETS:
        table = sa.table(name, sa.column(key), sa.column(column))
        rows = bind.execute(
            sa.select(table.c[key], table.c[column]).where(table.c[column].is_not(None))
        ).all()
        for row_key, value in rows:
            bind.execute(
                sa.update(table).where(table.c[key] == row_key).values({column: change(value)})
            )


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.alter_column(
            "shared_secret", existing_type=sa.String(512), type_=sa.Text(), existing_nullable=False
        )
    _rewrite(lambda clear: keyring_of(op.get_bind()).encrypt(clear))

    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("lead_closed_at", UTCDateTime(), nullable=True))

    op.create_table(
        "privacy_accounts",
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_privacy_accounts")),
    )
    op.create_table(
        "privacy_cycles",
        sa.Column("site_id", sa.String(255), nullable=False),
        sa.Column("period_seconds", sa.Integer(), nullable=False),
        sa.Column("next_run_at", UTCDateTime(), nullable=False),
        sa.Column("last_outcome", sa.String(255), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_privacy_cycles")),
    )


def downgrade() -> None:
    op.drop_table("privacy_cycles")
    op.drop_table("privacy_accounts")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("lead_closed_at")
    _rewrite(lambda token: keyring_of(op.get_bind()).decrypt(token))
    with op.batch_alter_table("tenants") as batch:
        batch.alter_column(
            "shared_secret", existing_type=sa.Text(), type_=sa.String(512), existing_nullable=False
        )
