"""stemmer: rebuild the search index with Snowball's English stemmer (connector/domain/words.py)

The terms stored before were the hand-written stemmer's (`cookies` -> `cooky`, `cookie` ->
`cooki`); every expectation's terms are computed again, a thousand expectations at a time.

Revision ID: 0011_stemmer
Revises: 0009_perf
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from connector.domain.words import terms_of

revision: str = "0011_stemmer"
down_revision: str | None = "0009_perf"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

CHUNK = 1000
TERMS = sa.table(
    "expectation_terms",
    sa.column("expectation_id", sa.Integer),
    sa.column("term", sa.String),
    sa.column("site_id", sa.String),
)


def upgrade() -> None:
    reindex()


def downgrade() -> None:
    reindex()  # the earlier stemmer is gone: the index stays consistent with the code there is


def reindex() -> None:
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM expectation_terms"))
    after = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, site_id, statement, why_it_matters, growth_opportunity "
                "FROM expectations WHERE id > :after ORDER BY id LIMIT :chunk"
            ),
            {"after": after, "chunk": CHUNK},
        ).all()
        if not rows:
            return
        after = rows[-1][0]
        names: dict[int, list[str]] = {}
        for expectation_id, name in connection.execute(
            sa.text(
                "SELECT expectation_id, name FROM measures "
                "WHERE expectation_id > :low AND expectation_id <= :high "
                "ORDER BY expectation_id, position"
            ),
            {"low": rows[0][0] - 1, "high": after},
        ):
            names.setdefault(expectation_id, []).append(name)
        batch = [
            {"expectation_id": expectation_id, "term": term, "site_id": site_id}
            for expectation_id, site_id, *texts in rows
            for term in terms_of([*texts, *names.get(expectation_id, [])])
        ]
        if batch:
            connection.execute(TERMS.insert(), batch)
