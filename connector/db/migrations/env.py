"""Alembic environment: run on the connection the app hands over (see connector.db)."""

from alembic import context

import connector.db.models  # noqa: F401  (registers every table on Base.metadata)
from connector.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `flask --app connector icm migrate`")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
