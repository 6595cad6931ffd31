"""JQL search (`/rest/api/3/search/jql`): paging by token, properties, dates, errors."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import Client, new_issue


def make(jira: Client, count: int, **fields: Any) -> list[str]:
    updates = [new_issue(f"Expectation {n}", **fields) for n in range(count)]
    return [
        i["key"]
        for i in jira.post("/rest/api/3/issue/bulk", {"issueUpdates": updates}).json()["issues"]
    ]


def test_paging_with_next_page_token(sb: Sandbox, jira: Client) -> None:
    keys = make(jira, 7)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {
            "jql": "project = PAY ORDER BY key ASC",
            "maxResults": 3,
            "fields": "summary",
        }
        if token:
            params["nextPageToken"] = token
        page = jira.get("/rest/api/3/search/jql", **params).json()
        pages += 1
        seen += [i["key"] for i in page["issues"]]
        assert "total" not in page
        if page["isLast"]:
            assert "nextPageToken" not in page
            break
        token = page["nextPageToken"]
    assert (seen, pages) == (keys, 3)
    assert sb.contract_violations == []


def test_post_search_and_default_fields(jira: Client) -> None:
    make(jira, 2)

    page = jira.post("/rest/api/3/search/jql", {"jql": "project = PAY", "maxResults": 10}).json()

    assert len(page["issues"]) == 2
    assert "fields" not in page["issues"][0]


def test_search_by_entity_property(jira: Client) -> None:
    first, second = make(jira, 2)
    jira.put(
        f"/rest/api/3/issue/{first}/properties/icm.expectation", {"id": 123, "expectationId": "e-9"}
    )
    jira.put(f"/rest/api/3/issue/{second}/properties/icm.expectation", {"id": 124})

    def keys(jql: str) -> list[str]:
        found = jira.get("/rest/api/3/search/jql", jql=jql, properties="icm.expectation").json()
        return [i["key"] for i in found["issues"]]

    assert keys("issue.property[icm.expectation].id = 123") == [first]
    assert keys("issue.property[icm.expectation].expectationId = 'e-9'") == [first]
    assert sorted(keys("issue.property[icm.expectation].id in (123, 124)")) == sorted(
        [first, second]
    )


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("labels = internal-customer", ["PAY-2"]),
        ("key in (PAY-1, PAY-3)", ["PAY-1", "PAY-3"]),
        ("parent = PAY-3", ["PAY-2"]),
        ("issuetype = Epic", ["PAY-3"]),
        ("updated >= -5m AND project = PAY", ["PAY-1", "PAY-2", "PAY-3"]),
        ('updated >= "2000-01-01 00:00" and labels = internal-customer', ["PAY-2"]),
        ("project = HR OR labels = internal-customer", ["PAY-2"]),
        ("project = PAY AND NOT (issuetype = Epic)", ["PAY-1", "PAY-2"]),
    ],
)
def test_jql_clauses(jira: Client, jql: str, expected: list[str]) -> None:
    make(jira, 1)
    jira.post("/rest/api/3/issue", new_issue("child", labels=["internal-customer"]))
    epic = jira.post("/rest/api/3/issue", new_issue("goal", issuetype={"name": "Epic"})).json()[
        "key"
    ]
    jira.put("/rest/api/3/issue/PAY-2", {"fields": {"parent": {"key": epic}}})

    found = jira.get("/rest/api/3/search/jql", jql=jql + " ORDER BY key ASC").json()

    assert [i["key"] for i in found["issues"]] == expected


@pytest.mark.parametrize(
    "jql", ["project = ", "project == PAY", "nosuchfield = 1", "project = NOPE"]
)
def test_bad_jql_is_400(sb: Sandbox, jira: Client, jql: str) -> None:
    answer = jira.get("/rest/api/3/search/jql", jql=jql)

    assert answer.status_code == 400
    assert answer.json()["errorMessages"]
    assert sb.contract_violations == []
