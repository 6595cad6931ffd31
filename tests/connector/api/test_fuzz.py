"""Property-based fuzzing of /api/v1 against its own OpenAPI document (schemathesis): bad input is
a documented 4xx with the error body, never a 500, and every answer matches the document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import EnvironBuilder, FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import BaseSchema, Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from connector.api.routing import OPERATIONS
from tests.support.api import Api, seed
from tests.support.atlassian import FakeSite

pytestmark = pytest.mark.slow


class SigningClient(FlaskClient):
    """Signs each request once werkzeug has built it, so the qsh hashes exactly what is sent."""

    def __init__(self, app: Flask, site: FakeSite) -> None:
        super().__init__(app, app.response_class)
        self.site = site

    def open(self, *args: Any, **kwargs: Any) -> Any:
        buffered = kwargs.pop("buffered", False)
        follow_redirects = kwargs.pop("follow_redirects", False)
        builder = EnvironBuilder(self.application, *args, **kwargs)
        try:
            request = builder.get_request()
        finally:
            builder.close()
        token = self.site.tenant_token(request.method, request.environ["REQUEST_URI"], sub="acc-1")
        request.environ["HTTP_AUTHORIZATION"] = f"JWT {token}"
        return super().open(request, buffered=buffered, follow_redirects=follow_redirects)


def error_body(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every refusal is `{"error": {"code", "message", "details"}}` (DESIGN §5)."""
    if 400 <= response.status_code < 500:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and error["code"], error
        assert isinstance(error["message"], str) and error["message"], error
        assert isinstance(error["details"], dict), error
    return None


def authenticated(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 401 means the fuzzer tested the signature, not the input: the signing is wrong."""
    assert response.status_code != 401, response.text
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_body,
    authenticated,
]


@dataclass
class Fuzz:
    """The app's own document, a client signing as the installed site, and ids that exist."""

    schema: BaseSchema
    client: SigningClient
    known: dict[str, list[Any]]

    def with_known(self, values: Any, data: st.DataObject) -> Any:
        """`values`, ids and keys maybe swapped for ones that exist: more calls get past 404."""
        if not isinstance(values, dict):
            return values
        return {
            name: data.draw(st.sampled_from([value, *self.known[name]]))
            if name in self.known
            else value
            for name, value in values.items()
        }


@pytest.fixture
def fuzz(app: Flask, api: Api) -> Fuzz:
    """A seeded site, and the document as the running app serves it."""
    made = seed(api)
    goal = api.ok("POST", "/goals", {"team": "PAY", "title": "Zero errors"}, 201)
    expectation = made["expectation"]["id"]
    api.as_("lead-HR").ok("POST", f"/expectations/{expectation}/feedback", {"rating": 4}, 201)
    known: dict[str, list[Any]] = {
        "key": ["PAY", "HR", "IT"],
        "expectationId": [expectation],
        "relationshipId": [made["payroll"]["id"], made["laptops"]["id"]],
        "goalId": [goal["id"]],
        "team": ["PAY", "HR"],
        "supplier": ["PAY", "IT"],
        "customer": ["HR", "PAY"],
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return Fuzz(schema, SigningClient(app, api.site), known)


@pytest.mark.parametrize(("method", "path"), [(op.method, op.path) for op in OPERATIONS], ids=str)
def test_operation_answers_match_the_document(fuzz: Fuzz, method: str, path: str) -> None:
    operation = fuzz.schema[path][method]
    cases = st.one_of([operation.as_strategy(generation_mode=mode) for mode in GenerationMode])

    @given(case=cases, data=st.data())
    @settings(
        max_examples=40,
        derandomize=True,  # the same cases on every run: CI failures reproduce
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def call(case: Case, data: st.DataObject) -> None:
        case.path_parameters = fuzz.with_known(case.path_parameters, data)
        case.query = fuzz.with_known(case.query, data)
        case.body = fuzz.with_known(case.body, data)
        case.call_and_validate(session=fuzz.client, checks=CHECKS)

    call()
