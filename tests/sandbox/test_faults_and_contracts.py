"""Injected faults (429/503) and checks against Atlassian's published OpenAPI documents."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from sandbox import Sandbox
from sandbox.contracts import default_specs_dir
from tests.sandbox.conftest import Client, new_issue

needs_specs = pytest.mark.skipif(
    not (default_specs_dir() / "jira").is_dir(),
    reason="Atlassian's OpenAPI documents are not beside the checkout (set ICM_SPECS_DIR)",
)


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
