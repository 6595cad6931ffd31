"""Shared by the API tests: an installed tenant and a client that signs each call as Jira does."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from connector.db import get_db
from connector.db.models import (
    Expectation,
    Goal,
    IssueLink,
    Measure,
    OutboxTask,
    Relationship,
    Team,
)
from connector.practice.roles import ADMIN_CHECK
from tests.conftest import APP_BASE_URL
from tests.support.atlassian import FakeSite, post_json

APP_KEY = "com.example.internal-customer-map"


ADMIN = "acc-1"  # the Jira administrator of the tests' sites (see `make_admins`)


def make_admins(app: Flask, *accounts: str) -> None:
    """Who holds Jira's ADMINISTER permission, at the seam `connector.practice.roles` offers
    (the real question to Jira is tested against the sandbox)."""
    admins = set(accounts)

    def check(session: object, site: object, account: str) -> bool:
        assert session is not None and isinstance(site, str) and site, "asked about no site"
        return account in admins

    app.extensions[ADMIN_CHECK] = check
    app.extensions.pop("icm.site_admin_cache", None)


class Api:
    """Calls /api/v1 as one installed site, signing each request (qsh) like Atlassian's library,
    as one user (`sub`; None: a token without a user)."""

    def __init__(self, client: FlaskClient, site: FakeSite, user: str | None = ADMIN) -> None:
        self.client = client
        self.site = site
        self.user = user

    def as_(self, user: str | None) -> Api:
        return Api(self.client, self.site, user)

    def call(self, method: str, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        url = "/api/v1" + path
        claims = {"sub": self.user} if self.user else {}
        headers = {"Authorization": f"JWT {self.site.tenant_token(method, url, **claims)}"}
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        if data is not None:
            headers["Content-Type"] = "application/json"
        return self.client.open(url, method=method, data=data, headers=headers)

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.call(method, path, body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.json


def install(app: Flask, signing_key: Any, kid: str, **site_args: Any) -> FakeSite:
    site = FakeSite(
        app_base_url=APP_BASE_URL, app_key=APP_KEY, key=signing_key, kid=kid, **site_args
    )
    response = post_json(app.test_client(), "/installed", site.payload(), site.install_token())
    assert response.status_code == 204, response.get_data(as_text=True)
    return site


def row_counts(app: Flask) -> dict[str, int]:
    """How many rows each table the API writes holds: unchanged after every refused call."""
    with get_db(app).transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Team, Relationship, Expectation, Measure, Goal, OutboxTask, IssueLink)
        }


def seed(api: Api) -> dict[str, Any]:
    """PAY supplies HR (payroll) and IT supplies PAY; one expectation of HR's, with a measure."""
    for key, name in (("PAY", "Payroll"), ("HR", "People"), ("IT", "IT Service")):
        api.ok(
            "POST",
            "/teams",
            {"key": key, "name": name, "jiraProjectKey": key, "leadAccountId": f"lead-{key}"},
            201,
        )
    payroll = api.ok(
        "POST",
        "/relationships",
        {"supplier": "PAY", "customer": "HR", "service": "monthly payroll run"},
        201,
    )
    laptops = api.ok(
        "POST", "/relationships", {"supplier": "IT", "customer": "PAY", "service": "laptops"}, 201
    )
    expectation = api.as_("lead-PAY").ok(
        "POST",
        "/expectations",
        {
            "relationshipId": payroll["id"],
            "statement": "Everyone is paid correctly on the last working day",
            "whyItMatters": "People trust us with their money",
            "measures": [
                {
                    "name": "Payslips right first time",
                    "target": 99.5,
                    "unit": "%",
                    "direction": "atLeast",
                }
            ],
            "growthOpportunity": "Self-service payslip corrections",
            "cadenceDays": 30,
            "priority": "high",
        },
        201,
    )
    return {"payroll": payroll, "laptops": laptops, "expectation": expectation}
