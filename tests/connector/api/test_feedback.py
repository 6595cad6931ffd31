"""Feedback through the REST routes: 201, 422 with details, 404 across sites.

The rating grammar itself: tests/connector/domain/test_ratings.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from connector.platforms.connect import tokens
from tests.support.atlassian import FakeSite
from tests.webhooks.support import ROBIN, SUPPLIER_LEAD, install, seed_app


def call(
    client: FlaskClient, site: FakeSite, method: str, path: str, body: Any = None, sub: str = ROBIN
) -> Any:
    token = tokens.sign_context_token(
        client_key=site.client_key, shared_secret=site.shared_secret, subject=sub
    )
    headers = {"Authorization": f"JWT {token}", "Content-Type": "application/json"}
    data = None if body is None else json.dumps(body)
    return client.open(path, method=method, data=data, headers=headers)


def test_feedback_through_the_api(app: Flask, signing_key: Any, kid: str) -> None:
    site = install(app, signing_key, kid)
    client = app.test_client()
    [expectation_id] = seed_app(app, site.cloud_id).expectation_ids
    path = f"/api/v1/expectations/{expectation_id}/feedback"
    for rating in (5, 4, 4):
        given = call(client, site, "POST", path, {"rating": rating, "comment": "ok"})
        assert given.status_code == 201, given.json
    assert given.json["source"] == "api" and given.json["authorAccountId"] == ROBIN
    listed = call(client, site, "GET", path)
    assert listed.status_code == 200
    assert [v["rating"] for v in listed.json["values"]] == [4, 4, 5]
    # One author, one cadence window: only the latest rating counts.
    assert listed.json["health"]["n"] == 1 and listed.json["health"]["band"] == "no_feedback"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"rating": 6}, 422, "rating"),
        ({"rating": "5"}, 422, "rating"),
        ({"comment": "no rating"}, 422, "rating"),
        ({"rating": 3, "stars": 3}, 422, "stars"),
        ([], 400, None),
    ],
)
def test_bad_feedback_is_refused_with_details(
    app: Flask, signing_key: Any, kid: str, body: Any, status: int, field: str | None
) -> None:
    site = install(app, signing_key, kid)
    [expectation_id] = seed_app(app, site.cloud_id).expectation_ids
    path = f"/api/v1/expectations/{expectation_id}/feedback"
    response = call(app.test_client(), site, "POST", path, body)
    assert response.status_code == status
    if field:
        assert field in response.json["error"]["details"]


def test_other_sites_expectation_is_404_and_supplier_is_403(
    app: Flask, signing_key: Any, kid: str
) -> None:
    ours, theirs = install(app, signing_key, kid), install(app, signing_key, kid)
    [foreign] = seed_app(app, theirs.cloud_id).expectation_ids
    client = app.test_client()
    path = f"/api/v1/expectations/{foreign}/feedback"
    assert call(client, ours, "POST", path, {"rating": 3}).status_code == 404
    assert call(client, ours, "GET", path).status_code == 404
    supplier = call(client, theirs, "POST", path, {"rating": 5}, sub=SUPPLIER_LEAD)
    assert supplier.status_code == 403


def test_rating_panel_renders_and_records(app: Flask, signing_key: Any, kid: str) -> None:
    site = install(app, signing_key, kid)
    seed_app(app, site.cloud_id)
    client = app.test_client()
    path = "/feedback/panel?issue.key=TES-1"

    def panel(**claims: Any) -> str:
        token = site.tenant_token("GET", path, **claims)
        html = client.get(path, headers={"Authorization": f"JWT {token}"})
        assert html.status_code == 200
        return str(html.get_data(as_text=True))

    page = panel(sub=ROBIN)  # the customer side: the comment, then the labelled scale, Submit
    assert "Payslips are right" in page
    assert page.index('id="icm-comment"') < page.index('name="rating" value="1"')
    assert '<input type="radio" name="rating" value="5" required> 5 Fully met</label>' in page
    assert "Submit your rating" in page
    for viewer in ({"sub": SUPPLIER_LEAD}, {}):  # the supplier, and a token without a user
        shown = panel(**viewer)
        assert 'name="rating"' not in shown and "<button" not in shown
        assert "Only the customer side (its lead and members)" in shown
    # The panel posts to the app's public URL, which may carry a path behind a proxy.
    assert f'data-action="{app.config["BASE_URL"]}/feedback/panel"' in page
    given = call(client, site, "POST", "/feedback/panel", {"issueKey": "TES-1", "rating": 4})
    assert given.status_code == 201 and given.json["source"] == "panel"
    missing = call(client, site, "POST", "/feedback/panel", {"issueKey": "NOPE-1", "rating": 4})
    assert missing.status_code == 404
