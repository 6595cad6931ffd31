"""Every REST call is verified like Atlassian does: HS256, iss = app key, qsh, exp."""

from __future__ import annotations

import time

import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import Client, new_issue


def test_signed_call_is_accepted_and_recorded(sb: Sandbox, jira: Client) -> None:
    answer = jira.get("/rest/api/3/myself")

    assert answer.status_code == 200
    assert answer.json()["accountType"] == "app"
    assert ("GET", "/rest/api/3/myself", 200) in sb.calls


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret": "a-wrong-shared-secret-that-is-long-enough-for-hs256"},
        {"qsh": "0" * 64},
        {"exp": int(time.time()) - 120, "iat": int(time.time()) - 400},
        {"iss": "some-other-app"},
    ],
    ids=["bad-secret", "bad-qsh", "expired", "wrong-iss"],
)
def test_wrongly_signed_call_is_refused_and_changes_nothing(
    sb: Sandbox, jira: Client, overrides: dict[str, object]
) -> None:
    answer = jira.call("POST", "/rest/api/3/issue", json=new_issue(), **overrides)

    assert answer.status_code == 401
    assert answer.json()["errorMessages"]
    assert sb.jira.issues == {}
    assert ("POST", "/rest/api/3/issue", 401) in sb.calls


def test_unsigned_call_is_refused(sb: Sandbox, jira: Client) -> None:
    import requests

    assert requests.get(f"{sb.url}/rest/api/3/myself", timeout=5).status_code == 401


def test_jira_token_does_not_open_confluence(sb: Sandbox, jira: Client, confluence: Client) -> None:
    url = f"{sb.url}/wiki/api/v2/spaces"
    import requests

    token = jira.token("GET", "/api/v2/spaces")
    answer = requests.get(url, headers={"Authorization": f"JWT {token}"}, timeout=5)

    assert answer.status_code == 401
    assert confluence.get("/api/v2/spaces").status_code == 200


def test_query_parameters_are_covered_by_qsh(jira: Client) -> None:
    import requests

    url, relative = jira.url_for("/rest/api/3/search/jql", {"jql": "project = PAY"})
    token = jira.token("GET", relative)
    tampered = url.replace("PAY", "HR")

    assert (
        requests.get(tampered, headers={"Authorization": f"JWT {token}"}, timeout=5).status_code
        == 401
    )
    assert (
        requests.get(url, headers={"Authorization": f"JWT {token}"}, timeout=5).status_code == 200
    )
