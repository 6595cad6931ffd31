"""Fixtures for the feedback loop: an installed site and an app on SQLite or PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.atlassian import FakeSite
from tests.support.databases import app_config
from tests.webhooks.support import install

__all__ = ["app_config"]


@pytest.fixture
def any_app(app: Flask) -> Flask:
    """The app on SQLite, and on PostgreSQL when it is configured (see app_config)."""
    return app


@pytest.fixture
def site(app: Flask, signing_key: Any, kid: str) -> FakeSite:
    return install(app, signing_key, kid)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
