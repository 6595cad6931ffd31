"""Migrations and models agree, on SQLite and PostgreSQL: no change left without a migration."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

import connector.db.models  # noqa: F401
from connector.db import Base


def test_models_match_the_migrated_schema(db_session: Session) -> None:
    context = MigrationContext.configure(
        db_session.connection(), opts={"compare_type": True, "render_as_batch": True}
    )
    differences = compare_metadata(context, Base.metadata)
    assert differences == []
