"""The macro routes read the database with hand-written queries: run them on both databases.

`keys` and `site` are the sample Payroll organisation on one installed site, which most macro
tests read; `site` signs its requests as Confluence signs a macro iframe.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from connector.db import get_db
from tests.macros.seed import SiteKeys, install_site, payroll_organisation
from tests.support.databases import app_config

__all__ = ["Site", "app_config"]


@dataclass
class Site:
    app: Flask
    keys: SiteKeys
    client: FlaskClient

    @property
    def site_id(self) -> str:
        return self.keys.site_id

    def get(self, path: str) -> TestResponse:
        return self.client.get(self.keys.signed(path))

    def html(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200
        return response.get_data(as_text=True)


@pytest.fixture
def keys(app: Flask) -> SiteKeys:
    with get_db(app).transaction() as session:
        keys = install_site(session)
        payroll_organisation(session, keys.site_id)
    return keys


@pytest.fixture
def site(app: Flask, keys: SiteKeys) -> Site:
    return Site(app, keys, app.test_client())
