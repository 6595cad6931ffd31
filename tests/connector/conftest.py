"""Fixtures for the connector's tests: every app test runs on SQLite, and on PostgreSQL when
ICM_TEST_POSTGRES_URL names a server (CI sets it), since some failures show on only one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from connector.db import Base, Database
from tests.conftest import _migrated
from tests.support.api import Api, install


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_config(
    request: pytest.FixtureRequest,
    app_config: dict[str, Any],
    migrated_databases: dict[str, Database],
) -> Iterator[dict[str, Any]]:
    if request.param == "sqlite":
        yield app_config
        return
    # The app commits, so its rows are removed after each test: the PostgreSQL database is
    # shared with the savepoint-isolated store tests, which expect it empty.
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


@pytest.fixture
def api(app: Flask, signing_key: Any, kid: str) -> Api:
    """/api/v1 as one installed Jira site, each call signed like Atlassian's library signs it."""
    return Api(app.test_client(), install(app, signing_key, kid))
