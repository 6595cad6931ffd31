"""Injected faults (429/503) and checks against Atlassian's published OpenAPI documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from sandbox import Sandbox
from sandbox.adf import from_text
from sandbox.contracts import ContractChecker, default_specs_dir
from tests.sandbox.conftest import Client, new_issue

# The specs fixture skips locally, and fails in CI, when the OpenAPI documents are missing.
needs_specs = pytest.mark.usefixtures("specs")


def test_rate_limit_answers_429_with_jira_headers_and_changes_nothing(
    sb: Sandbox, jira: Client
) -> None:
    sb.set_faults(rate429=1.0, retryAfter=2, seed=1)

    answer = jira.post("/rest/api/3/issue", new_issue())

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "2"
    assert answer.headers["X-RateLimit-Remaining"] == "0"
    assert answer.headers["RateLimit-Reason"] == "jira-burst-based"
    assert "X-RateLimit-Reset" in answer.headers
    assert sb.jira.issues == {}


def test_faults_are_a_deterministic_share(sb: Sandbox, jira: Client) -> None:
    def run() -> list[int]:
        requests.post(
            f"{sb.url}/_sandbox/faults",
            json={"rate429": 0.3, "rate503": 0.2, "seed": 42},
            timeout=5,
        )
        return [jira.get("/rest/api/3/myself").status_code for _ in range(30)]

    first, second = run(), run()

    assert first == second
    assert {429, 503, 200} == set(first)


def test_faults_can_be_switched_off(sb: Sandbox, jira: Client) -> None:
    sb.set_faults(rate503=1.0)
    assert jira.get("/rest/api/3/myself").status_code == 503
    sb.set_faults(rate503=0.0)
    assert jira.get("/rest/api/3/myself").status_code == 200


def test_unknown_fault_setting_is_400(sb: Sandbox) -> None:
    answer = requests.post(f"{sb.url}/_sandbox/faults", json={"rate500": 1}, timeout=5)

    assert answer.status_code == 400


@needs_specs
def test_malformed_request_is_a_contract_violation(sb: Sandbox, jira: Client) -> None:
    answer = jira.post("/rest/api/3/issue/bulk", {"issueUpdates": {"fields": {}}})

    assert answer.status_code == 400
    assert "Contract violation" in answer.json()["errorMessages"][0]
    assert "issueUpdates" in sb.contract_violations[0]
    assert sb.jira.issues == {}


@needs_specs
def test_missing_required_member_is_a_contract_violation(sb: Sandbox, jira: Client) -> None:
    answer = jira.post(
        "/rest/api/3/issueLink", {"type": {"name": "Relates"}, "inwardIssue": {"key": "PAY-1"}}
    )

    assert answer.status_code == 400
    assert "outwardIssue" in sb.contract_violations[0]


@needs_specs
def test_empty_jql_is_a_contract_violation(sb: Sandbox, jira: Client) -> None:
    assert jira.get("/rest/api/3/search/jql", jql="").status_code == 400
    assert "jql" in sb.contract_violations[0]


@needs_specs
def test_validation_cost_is_measured(sb: Sandbox, jira: Client) -> None:
    for _ in range(5):
        jira.get("/rest/api/3/myself")
    checker = sb.state.contracts

    assert checker.checks >= 10
    assert checker.seconds / checker.checks < 0.05


def test_without_specs_the_sandbox_runs_unvalidated(tmp_path: Path) -> None:
    with Sandbox(specs_dir=tmp_path) as sandbox:
        assert sandbox.state.contracts.enabled is False


JIRA_TIME = "2026-11-27T10:00:00.000+0000"
COMMENT = "/rest/api/3/issue/PAY-1/comment"


def _checked_response(path: str, body: dict[str, Any], status: int = 201) -> list[str]:
    """The checker's findings on one response (a POST of a comment, or a GET for others)."""
    method = "POST" if path.endswith("/comment") else "GET"
    payload = {"body": {"type": "doc", "version": 1, "content": []}} if method == "POST" else None
    request = Request(EnvironBuilder(method=method, path=path, json=payload).get_environ())
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    return ContractChecker(default_specs_dir()).check_response(request, response)


def _comment(created: str, updated: str = JIRA_TIME) -> dict[str, Any]:
    return {"id": "10000", "created": created, "updated": updated, "self": "https://x/c/10000"}


@needs_specs
def test_jiras_own_timestamp_style_is_the_one_allowed_date_time_deviation(
    sb: Sandbox, jira: Client
) -> None:
    key = jira.post("/rest/api/3/issue", new_issue()).json()["key"]
    answer = jira.post(f"/rest/api/3/issue/{key}/comment", {"body": from_text("Rating: 4/5")})

    assert answer.status_code == 201
    assert answer.json()["created"].endswith("+0000")  # as real Jira sends it
    assert sb.contract_violations == []
    assert _checked_response(COMMENT, _comment(JIRA_TIME)) == []
    assert _checked_response(COMMENT, _comment("2026-11-27T10:00:00.000+00:00")) == []


@needs_specs
@pytest.mark.parametrize(
    "created",
    [
        "yesterday",
        "2026-11-27 10:00:00",  # no `T`, no offset
        "2026-11-27T10:00:00.000",  # no offset at all
        "2026-13-27T10:00:00.000+0000",  # Jira's shape, but no 13th month
        "2026-11-27T25:00:00.000+0000",  # nor a 25th hour
        "2026-11-27T10:00:00+0000",  # Jira always sends milliseconds
        "2026-11-27T10:00:00.000+00",
    ],
)
def test_a_malformed_date_time_is_still_reported(created: str) -> None:
    [finding] = _checked_response(COMMENT, _comment(created))

    assert f"created: '{created}' is not a 'date-time'" in finding
    assert "updated" not in finding.partition(";")[2]  # the well-formed Jira one is set aside


@needs_specs
def test_the_jira_allowance_does_not_reach_confluence() -> None:
    page = {
        "id": "1",
        "status": "current",
        "title": "Customers",
        "spaceId": "2",
        "createdAt": JIRA_TIME,
        "version": {"number": 1, "createdAt": JIRA_TIME},
    }

    findings = _checked_response("/wiki/api/v2/pages/1", page, status=200)

    assert findings and "is not a 'date-time'" in findings[0]
