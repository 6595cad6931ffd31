"""What a request may bring: body sizes per route (413 before reading), JSON nesting (400), ids
and cursors that no row can have (400/404, never a 500)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests
from flask import Flask

from connector.web.limits import DEFAULT_BODY_LIMIT, MAX_JSON_DEPTH, WEBHOOK_BODY_LIMIT
from sandbox.serving import serving
from tests.support.api import Api, row_counts, seed
from tests.support.atlassian import post_json


def cursor(after: Any) -> str:
    raw = json.dumps({"after": after}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_an_anonymous_huge_body_is_refused_before_it_is_read(app: Flask) -> None:
    client = app.test_client()
    for path, limit in (
        ("/installed", DEFAULT_BODY_LIMIT),
        ("/api/v1/teams", DEFAULT_BODY_LIMIT),
        ("/webhooks/jira/issue-updated", WEBHOOK_BODY_LIMIT),
        ("/forge/events", WEBHOOK_BODY_LIMIT),
    ):
        response = client.post(
            path, data=b" " * (limit + 1), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413, (path, response.get_data(as_text=True))
        assert response.json["error"]["code"] == "request_entity_too_large"


def test_a_jira_sized_delivery_still_fits(api: Api) -> None:
    big = {"webhookEvent": "jira:issue_updated", "padding": "x" * (600 * 1024)}
    path = "/webhooks/jira/issue-updated"
    response = api.client.post(
        path,
        data=json.dumps(big),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"JWT {api.site.tenant_token('POST', path)}",
            "X-Atlassian-Webhook-Identifier": "big-1",
        },
    )
    assert response.status_code == 204, response.get_data(as_text=True)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_json_nested_too_deep_is_a_400(api: Api, app: Flask, depth: int) -> None:
    before = row_counts(app)
    nested = "[" * depth + "]" * depth
    response = api.post("/teams", raw=nested)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "too_deeply_nested"
    installed = app.test_client().post(
        "/installed", data=nested, headers={"Content-Type": "application/json"}
    )
    assert installed.status_code in (400, 401)  # no token: refused before the body is read
    assert row_counts(app) == before


def test_installed_verifies_the_token_before_reading_the_body(
    app: Flask, signing_key: Any, kid: str
) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    unsigned = app.test_client().post(
        "/installed", data=nested, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401
    assert unsigned.json["error"]["code"] == "token_missing"


@pytest.mark.parametrize(
    "value", [cursor(10**30), cursor(-1), cursor(True), cursor(2**31), "A" * 100]
)
def test_cursors_no_page_can_have_are_a_400(api: Api, value: str) -> None:
    seed(api)
    for path in ("/teams", "/expectations", "/relationships", "/goals"):
        response = api.get(f"{path}?cursor={value}")
        assert response.status_code in (400, 422), (path, response.get_data(as_text=True))


def test_a_cursor_at_the_last_id_is_fine(api: Api) -> None:
    seed(api)
    assert api.ok("GET", f"/teams?cursor={cursor(2**31 - 1)}")["values"] == []


def test_a_huge_id_in_a_body_is_refused(api: Api) -> None:
    response = api.post("/expectations", {"relationshipId": 10**30, "statement": "x"})
    assert response.status_code == 422


def test_lifecycle_refuses_a_body_from_an_unsigned_caller(app: Flask) -> None:
    response = post_json(app.test_client(), "/installed", {"clientKey": "x"}, None)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("path", "limit"), [("/api/v1/teams", 256 * 1024), ("/webhooks/jira/issue-updated", 1024**2)]
)
def test_a_chunked_body_over_the_cap_is_refused(
    api: Api, app: Flask, path: str, limit: int
) -> None:
    """Sent without Content-Length (chunked) through a real HTTP server: a body over the cap is a
    413, not its first `limit` bytes taken as the whole (issue #24); one at the cap still fits."""
    seed(api)
    before = row_counts(app)
    team = json.dumps({"key": "BIG", "name": "Big"}).encode()

    def chunks(size: int) -> Any:
        body = team + b" " * (size - len(team))
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    with serving(app) as server:
        url = f"http://127.0.0.1:{server.server_port}{path}"
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"JWT {api.site.tenant_token('POST', path, sub='acc-1')}",
        }
        over = requests.post(url, data=chunks(limit + 1), headers=headers, timeout=30)
        assert over.status_code == 413, over.text
        assert over.json()["error"]["code"] == "request_entity_too_large"
        assert row_counts(app) == before
        if path.startswith("/api"):
            at_cap = requests.post(url, data=chunks(limit), headers=headers, timeout=30)
            assert at_cap.status_code == 201, at_cap.text


@pytest.mark.parametrize(
    "path",
    [
        "/feedback/panel?issue.key=PAY%00-1",
        "/macros/customer-map?team=PA%00Y",
        "/macros/expectations?team=%00&side=supplier",
        "/pages/team?project.key=P%00",
        "/api/v1/teams/PAY%00/members",
    ],
)
def test_nul_in_a_path_or_query_is_a_400(api: Api, path: str) -> None:
    """PostgreSQL refuses NUL in a statement: a 400 naming it, never a 500 (issue #24)."""
    seed(api)
    joiner = "&" if "?" in path else "?"
    token = api.site.tenant_token("GET", path.replace("%00", "\x00"), sub="acc-1")
    response = api.client.get(f"{path}{joiner}jwt={token}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "NUL (U+0000)" in response.get_data(as_text=True)
