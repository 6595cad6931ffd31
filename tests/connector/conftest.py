"""Fixtures for the connector's tests, which run on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from connector.practice.roles import BROWSE_CHECK
from tests.support.api import ADMIN, Api, install, make_admins
from tests.support.databases import app_config

__all__ = ["app_config"]


@pytest.fixture
def api(app: Flask, signing_key: Any, kid: str) -> Api:
    """/api/v1 as one installed Jira site, each call signed like Atlassian's library signs it."""
    make_admins(app, ADMIN)
    # Every issue may be browsed by everyone, at the seam `connector.practice.roles` offers (the
    # real question to Jira, and a refusal, are tested against the sandbox).
    app.extensions[BROWSE_CHECK] = lambda _session, _site, _account, _key: True
    return Api(app.test_client(), install(app, signing_key, kid))
