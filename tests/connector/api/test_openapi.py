"""The OpenAPI document is valid, covers every route, and live answers match it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate

from connector.api.openapi import document
from tests.support.api import Api, seed


def test_document_is_valid_openapi_3(app: Flask) -> None:
    body = app.test_client().get("/api/v1/openapi.json").json
    validate(body)
    assert body["openapi"].startswith("3.0")
    assert body["servers"] == [{"url": "https://icm.example.test/api/v1"}]
    expectation = body["components"]["schemas"]["ExpectationIn"]
    assert expectation["additionalProperties"] is False
    assert "relationshipId" in expectation["required"]
    sync_state = body["components"]["schemas"]["ExpectationOut"]["properties"]["syncState"]
    assert "detached" in sync_state["enum"] and "reattach" in sync_state["description"]
    feedback = body["paths"]["/expectations/{expectationId}/feedback"]
    assert set(feedback) == {"get", "post"} and "403" in feedback["post"]["responses"]
    goal_id = body["paths"]["/goals/{goalId}"]["get"]["parameters"][0]["schema"]
    assert goal_id == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}  # what int4 holds


def test_every_route_is_documented(app: Flask) -> None:
    paths = document("http://localhost")["paths"]
    documented = {(path, method.upper()) for path, ops in paths.items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.rule != "/api/v1/openapi.json":
            path = rule.rule.removeprefix("/api/v1")
            for name in rule.arguments:
                camel = name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:])
                path = path.replace(f"<int:{name}>", f"{{{camel}}}").replace(
                    f"<{name}>", f"{{{camel}}}"
                )
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented


@pytest.fixture
def spec() -> OpenAPI:
    return OpenAPI.from_dict(document("http://localhost"))


def check(spec: OpenAPI, method: str, path: str, body: Any, response: Any) -> None:
    route, _, query = path.partition("?")
    request = MockRequest(
        "http://localhost",
        method.lower(),
        "/api/v1" + route,
        args=dict(pair.split("=") for pair in query.split("&") if pair),
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "JWT x"},
        content_type="application/json",
    )
    if response.status_code < 400:  # refused requests are refused for not matching
        spec.validate_request(request)
    spec.validate_response(
        request,
        MockResponse(
            response.get_data(),
            status_code=response.status_code,
            content_type=response.content_type or "application/json",
        ),
    )


def test_live_answers_match_the_document(api: Api, spec: OpenAPI) -> None:
    made = seed(api)
    expectation = made["expectation"]["id"]
    goal = api.ok("POST", "/goals", {"team": "PAY", "title": "Zero errors"}, 201)
    calls = [
        ("GET", "/teams", None),
        ("GET", "/teams/PAY", None),
        ("PATCH", "/teams/IT", {"name": "IT"}),
        ("GET", "/teams/PAY/map", None),
        ("GET", "/relationships?team=PAY&side=supplier", None),
        ("GET", f"/relationships/{made['payroll']['id']}", None),
        ("GET", "/expectations?limit=1", None),
        ("GET", f"/expectations/{expectation}", None),
        ("PATCH", f"/expectations/{expectation}", {"goalId": goal["id"]}),
        ("POST", f"/expectations/{expectation}/transitions", {"to": "proposed"}),
        ("POST", f"/expectations/{expectation}/links", {"issueKey": "IT-1"}),
        ("POST", f"/expectations/{expectation}/feedback", {"rating": 4, "comment": "on time"}),
        ("POST", f"/expectations/{expectation}/feedback", {"rating": 5, "comment": None}),
        ("GET", f"/expectations/{expectation}/feedback", None),
        ("GET", "/goals", None),
        ("GET", f"/goals/{goal['id']}", None),
        ("GET", "/settings", None),
        ("PUT", "/settings", {"issueType": "Story"}),
        # errors are documented too
        ("GET", "/teams/NOPE", None),
        ("POST", f"/expectations/{expectation}/transitions", {"to": "met"}),
        ("POST", "/teams", {"key": "x"}),
        ("DELETE", f"/goals/{goal['id']}", None),
        ("POST", f"/expectations/{expectation}/reattach", None),  # 409: not detached
        ("POST", f"/expectations/{expectation}/feedback", {"rating": 6}),
        ("GET", "/expectations/999999/feedback", None),
    ]
    for method, path, body in calls:
        response = api.call(method, path, body)
        assert response.status_code < 500, response.json
        check(spec, method, path, body, response)
