"""What a request may bring: body sizes per route (413 before reading), JSON nesting (400), ids
and cursors that no row can have (400/404, never a 500)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
import requests
from flask import Flask

from sandbox.serving import serving
from tests.support.api import Api, row_counts, seed
from tests.support.atlassian import post_json

# docs/personal-data.md "Limits", stated here as documented (not imported from the code under test).
KIB, MIB = 1024, 1024 * 1024
API_LIMIT = 256 * KIB
WEBHOOK_LIMIT = 1 * MIB
JSON_LEVELS = 64  # "JSON nested deeper than 64 levels is a 400"


def cursor(after: Any) -> str:
    raw = json.dumps({"after": after}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_an_anonymous_huge_body_is_refused_before_it_is_read(app: Flask) -> None:
    client = app.test_client()
    for path, limit in (
        ("/installed", API_LIMIT),
        ("/api/v1/teams", API_LIMIT),
        ("/webhooks/jira/issue-updated", WEBHOOK_LIMIT),
        ("/webhooks/confluence/page-updated", WEBHOOK_LIMIT),
        ("/forge/events", WEBHOOK_LIMIT),
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


# A chunked body as gunicorn hands it over: no length, the stream ends where the body does.
AS_GUNICORN: dict[str, Any] = {
    "environ_overrides": {"wsgi.input_terminated": True, "CONTENT_LENGTH": ""}
}


def signed_post(api: Api, path: str, body: bytes, *, chunked: bool = False) -> Any:
    """POST /api/v1`path` as the api's user; `chunked`: without Content-Length."""
    url = "/api/v1" + path
    headers = {
        "Authorization": f"JWT {api.site.tenant_token('POST', url, sub=api.user)}",
        "Content-Type": "application/json",
    }
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
        return api.client.open(
            url, method="POST", input_stream=io.BytesIO(body), headers=headers, **AS_GUNICORN
        )
    return api.client.post(url, data=body, headers=headers)


def team_padded_to(size: int, key: str) -> bytes:
    """A valid team body of exactly `size` bytes (JSON whitespace after it)."""
    body = json.dumps({"key": key, "name": "Padded"}).encode()
    return body + b" " * (size - len(body))


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_api_body_of_256_kib_fits_and_one_byte_more_is_refused(
    api: Api, app: Flask, chunked: bool
) -> None:
    fits = signed_post(api, "/teams", team_padded_to(API_LIMIT, "FITS"), chunked=chunked)
    assert fits.status_code == 201, fits.get_data(as_text=True)
    before = row_counts(app)

    over = signed_post(api, "/teams", team_padded_to(API_LIMIT + 1, "OVER"), chunked=chunked)

    assert over.status_code == 413, over.get_data(as_text=True)
    assert over.json["error"]["code"] == "request_entity_too_large"
    assert over.json["error"]["message"] == (
        "the body (sent without Content-Length) is over 262144 bytes; this route takes at most "
        "262144"
        if chunked
        else "the body is 262145 bytes; this route takes at most 262144"
    )
    assert row_counts(app) == before  # nothing of a truncated body was taken


def test_a_chunked_body_is_read_one_byte_past_the_cap_and_no_further(api: Api) -> None:
    url = "/api/v1/teams"
    stream = io.BytesIO(team_padded_to(API_LIMIT + 100, "OVER"))
    headers = {
        "Authorization": f"JWT {api.site.tenant_token('POST', url, sub=api.user)}",
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    }
    answer = api.client.open(
        url, method="POST", input_stream=stream, headers=headers, **AS_GUNICORN
    )
    assert answer.status_code == 413
    assert stream.tell() == API_LIMIT + 1


def test_a_request_without_a_body_passes_as_gunicorn_hands_it_over(api: Api) -> None:
    """gunicorn marks every request's input terminated, a GET's included."""
    url = "/api/v1/teams"
    headers = {"Authorization": f"JWT {api.site.tenant_token('GET', url, sub=api.user)}"}
    answer = api.client.open(url, method="GET", headers=headers, **AS_GUNICORN)
    assert answer.status_code == 200, answer.get_data(as_text=True)


@pytest.mark.parametrize("depth", [JSON_LEVELS, JSON_LEVELS - 1])
def test_json_nested_64_levels_is_read(api: Api, depth: int) -> None:
    lists = depth - 1  # inside the object, the first level
    nested = '{"key": "DEEP", "name": ' + "[" * lists + "]" * lists + "}"
    response = api.post("/teams", raw=nested)
    assert response.status_code == 422, response.get_data(as_text=True)  # read; not a team
    assert "name" in response.json["error"]["details"]


def test_objects_nested_65_deep_are_refused_like_lists(api: Api) -> None:
    nested = '{"a": ' * (JSON_LEVELS + 1) + "1" + "}" * (JSON_LEVELS + 1)
    response = api.post("/teams", raw=nested)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == {
        "code": "too_deeply_nested",
        "message": "the JSON nests deeper than 64 levels",
        "details": {"maxDepth": 64},
    }


@pytest.mark.parametrize("depth", [JSON_LEVELS + 1, 100_000])
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
