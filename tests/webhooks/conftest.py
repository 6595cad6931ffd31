"""Fixtures for the feedback loop: an installed site and an app on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, text

import connector.models  # noqa: F401  (every table, for the truncation below)
from connector import create_app
from connector.db import Base, get_db
from tests.support.atlassian import FakeSite
from tests.webhooks.support import install


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_app(request: pytest.FixtureRequest, app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app on a fresh SQLite file, or on the test PostgreSQL database (emptied afterwards)."""
    if request.param == "sqlite":
        application = create_app(app_config)
        yield application
        get_db(application).engine.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    application = create_app({**app_config, "DATABASE_URL": url})
    database = get_db(application)
    database.migrate()
    try:
        yield application
    finally:
        with database.engine.begin() as connection:
            present = set(inspect(connection).get_table_names())
            names = ", ".join(
                f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name in present
            )
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        database.engine.dispose()


@pytest.fixture
def site(app: Flask, signing_key: Any, kid: str) -> FakeSite:
    return install(app, signing_key, kid)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
