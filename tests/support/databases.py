"""App tests on both databases: an `app_config` fixture that conftests re-export where the data
layer matters (PostgreSQL whenever ICM_TEST_POSTGRES_URL is set, as in CI)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

import connector.db.models  # noqa: F401  (every table, so each is emptied)
from connector.db import Base, Database
from tests.conftest import _migrated


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_config(
    request: pytest.FixtureRequest,
    app_config: dict[str, Any],
    migrated_databases: dict[str, Database],
) -> Iterator[dict[str, Any]]:
    """The app on a fresh SQLite file, or on the migrated PostgreSQL test database.

    The app commits, so on PostgreSQL its rows are removed around each test: that database is
    shared with the savepoint-isolated store tests, which expect it empty.
    """
    if request.param == "sqlite":
        yield app_config
        return
    database = _migrated("postgres", request, migrated_databases)
    empty(database)
    try:
        yield {**app_config, "DATABASE_URL": database.url}
    finally:
        empty(database)


def empty(database: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
