"""Jira issues over REST v3: create, bulk, edit, transitions, comments, properties, links."""

from __future__ import annotations

from sandbox import Sandbox
from tests.sandbox.conftest import Client, new_issue

ADF = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
    {"type": "text", "text": "Payslips before the 25th"}]}]}  # fmt: skip


def test_create_and_read_issue(sb: Sandbox, jira: Client) -> None:
    created = jira.post(
        "/rest/api/3/issue", new_issue(description=ADF, labels=["internal-customer"])
    )

    assert created.status_code == 201
    key = created.json()["key"]
    issue = jira.get(f"/rest/api/3/issue/{key}").json()
    assert issue["fields"]["summary"] == "Payslips on time"
    assert issue["fields"]["status"]["statusCategory"]["key"] == "new"
    assert issue["fields"]["labels"] == ["internal-customer"]
    assert sb.jira.get_issue(key).project.key == "PAY"
    assert sb.contract_violations == []


def test_create_rejects_bad_fields_like_jira(jira: Client) -> None:
    answer = jira.post(
        "/rest/api/3/issue", {"fields": {"project": {"key": "NOPE"}, "issuetype": {"name": "Task"}}}
    )

    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"project", "summary"}


def test_unknown_issue_is_404(jira: Client) -> None:
    answer = jira.get("/rest/api/3/issue/PAY-999")

    assert answer.status_code == 404
    assert answer.json()["errorMessages"]


def test_bulk_create_over_fifty_is_400(sb: Sandbox, jira: Client) -> None:
    answer = jira.post(
        "/rest/api/3/issue/bulk", {"issueUpdates": [new_issue(f"n{i}") for i in range(51)]}
    )

    assert answer.status_code == 400
    assert sb.jira.issues == {}


def test_bulk_create_reports_partial_failure(sb: Sandbox, jira: Client) -> None:
    bad = {"fields": {"project": {"key": "PAY"}, "issuetype": {"name": "Task"}}}
    answer = jira.post(
        "/rest/api/3/issue/bulk", {"issueUpdates": [new_issue("a"), bad, new_issue("b")]}
    )

    assert answer.status_code == 201
    body = answer.json()
    assert [i["key"] for i in body["issues"]] == ["PAY-1", "PAY-2"]
    assert body["errors"][0]["failedElementNumber"] == 1
    assert body["errors"][0]["elementErrors"]["errors"] == {
        "summary": "You must specify a summary of the issue."
    }
    assert sb.contract_violations == []


def test_bulk_create_all_failed_is_400(jira: Client) -> None:
    bad = {"fields": {"project": {"key": "PAY"}, "issuetype": {"name": "Task"}}}
    answer = jira.post("/rest/api/3/issue/bulk", {"issueUpdates": [bad]})

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["status"] == 400


def test_edit_transition_and_delete(sb: Sandbox, jira: Client) -> None:
    key = jira.post("/rest/api/3/issue", new_issue()).json()["key"]

    assert (
        jira.put(f"/rest/api/3/issue/{key}", {"fields": {"summary": "Renamed"}}).status_code == 204
    )
    transitions = jira.get(f"/rest/api/3/issue/{key}/transitions").json()["transitions"]
    done = next(t["id"] for t in transitions if t["to"]["name"] == "Done")
    assert (
        jira.post(f"/rest/api/3/issue/{key}/transitions", {"transition": {"id": done}}).status_code
        == 204
    )
    fields = jira.get(f"/rest/api/3/issue/{key}").json()["fields"]
    assert (fields["summary"], fields["status"]["name"], fields["resolution"]["name"]) == (
        "Renamed",
        "Done",
        "Done",
    )
    assert jira.delete(f"/rest/api/3/issue/{key}").status_code == 204
    assert key not in sb.jira.issues
    assert sb.contract_violations == []


def test_epic_children_through_parent(jira: Client) -> None:
    epic = jira.post("/rest/api/3/issue", new_issue("Goal", issuetype={"name": "Epic"})).json()[
        "key"
    ]
    epic_body = new_issue("Goal", parent={"key": "x"})
    epic_body["fields"]["issuetype"] = {"name": "Epic"}
    child = jira.post("/rest/api/3/issue", new_issue("Child", parent={"key": epic})).json()["key"]

    assert (
        jira.get(f"/rest/api/3/issue/{child}", fields="parent").json()["fields"]["parent"]["key"]
        == epic
    )
    task = jira.post("/rest/api/3/issue", new_issue("Task")).json()["key"]
    wrong = jira.post("/rest/api/3/issue", new_issue("Bad", parent={"key": task}))
    assert wrong.status_code == 400
    assert "parent" in wrong.json()["errors"]


def test_comments_in_adf(jira: Client) -> None:
    key = jira.post("/rest/api/3/issue", new_issue()).json()["key"]

    made = jira.post(f"/rest/api/3/issue/{key}/comment", {"body": ADF})
    assert made.status_code == 201
    comment_id = made.json()["id"]
    assert (
        jira.put(f"/rest/api/3/issue/{key}/comment/{comment_id}", {"body": ADF}).status_code == 200
    )
    listed = jira.get(f"/rest/api/3/issue/{key}/comment").json()
    assert listed["total"] == 1
    assert listed["comments"][0]["body"]["type"] == "doc"
    assert jira.post(f"/rest/api/3/issue/{key}/comment", {"body": "plain"}).status_code == 400
    assert jira.delete(f"/rest/api/3/issue/{key}/comment/{comment_id}").status_code == 204


def test_entity_properties(jira: Client) -> None:
    key = jira.post("/rest/api/3/issue", new_issue()).json()["key"]
    path = f"/rest/api/3/issue/{key}/properties/icm.expectation"

    assert jira.put(path, {"id": 7}).status_code == 201
    assert jira.put(path, {"id": 8}).status_code == 200
    assert jira.get(path).json() == {"key": "icm.expectation", "value": {"id": 8}}
    assert [k["key"] for k in jira.get(f"/rest/api/3/issue/{key}/properties").json()["keys"]] == [
        "icm.expectation"
    ]
    assert jira.put(path, {"blob": "x" * 33000}).status_code == 400
    assert jira.delete(path).status_code == 204
    assert jira.get(path).status_code == 404


def test_bulk_create_and_edit_set_entity_properties(sb: Sandbox, jira: Client) -> None:
    with_prop = {**new_issue("a"), "properties": [{"key": "icm.expectation", "value": {"id": 1}}]}
    too_long = {**new_issue("b"), "properties": [{"key": "icm.x", "value": "x" * 33000}]}
    no_value = {**new_issue("c"), "properties": [{"key": "icm.x"}]}
    answer = jira.post("/rest/api/3/issue/bulk", {"issueUpdates": [with_prop, too_long, no_value]})

    assert answer.status_code == 201
    body = answer.json()
    [made] = body["issues"]
    assert [e["failedElementNumber"] for e in body["errors"]] == [1, 2]
    assert sb.jira.get_issue(made["key"]).properties == {"icm.expectation": {"id": 1}}
    assert len(sb.jira.issues) == 1  # the refused items made nothing
    edit = {"fields": {}, "properties": [{"key": "icm.expectation", "value": {"id": 2}}]}
    assert jira.put(f"/rest/api/3/issue/{made['key']}", edit).status_code == 204
    assert sb.jira.get_issue(made["key"]).properties == {"icm.expectation": {"id": 2}}
    bad_edit = {"fields": {"summary": "Renamed"}, "properties": [{"key": "", "value": 1}]}
    assert jira.put(f"/rest/api/3/issue/{made['key']}", bad_edit).status_code == 400
    assert sb.jira.get_issue(made["key"]).summary == "a"  # nothing half-written
    assert sb.contract_violations == []


def test_per_issue_write_limit(sb: Sandbox, jira: Client) -> None:
    key = jira.post("/rest/api/3/issue", new_issue()).json()["key"]
    sb.set_faults(perIssueWrites=2, perIssueWindow=60)

    assert jira.put(f"/rest/api/3/issue/{key}", {"fields": {"summary": "1"}}).status_code == 204
    path = f"/rest/api/3/issue/{key}/properties/icm.x"
    assert jira.put(path, {"n": 1}).status_code == 201
    refused = jira.put(f"/rest/api/3/issue/{key}", {"fields": {"summary": "3"}})
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Reason"] == "jira-per-issue-on-write"
    assert jira.get(f"/rest/api/3/issue/{key}").status_code == 200  # reads are not limited
    other = jira.post("/rest/api/3/issue", new_issue("other")).json()["key"]
    assert jira.put(f"/rest/api/3/issue/{other}", {"fields": {"summary": "x"}}).status_code == 204
    sb.set_faults(perIssueWrites=0)


def test_link_types_and_links(sb: Sandbox, jira: Client) -> None:
    names = [t["name"] for t in jira.get("/rest/api/3/issueLinkType").json()["issueLinkTypes"]]
    assert names == ["Blocks", "Cloners", "Duplicate", "Relates"]
    made = jira.post(
        "/rest/api/3/issueLinkType",
        {"name": "Internal customer", "inward": "is served by", "outward": "serves"},
    )
    assert made.status_code == 201
    assert (
        jira.post(
            "/rest/api/3/issueLinkType", {"name": "Relates", "inward": "a", "outward": "b"}
        ).status_code
        == 400
    )

    a = jira.post("/rest/api/3/issue", new_issue("A")).json()["key"]
    b = jira.post("/rest/api/3/issue", new_issue("B", project="HR")).json()["key"]
    link = {
        "type": {"name": "Internal customer"},
        "inwardIssue": {"key": a},
        "outwardIssue": {"key": b},
    }
    assert jira.post("/rest/api/3/issueLink", link).status_code == 201
    links_of_a = jira.get(f"/rest/api/3/issue/{a}", fields="issuelinks").json()["fields"][
        "issuelinks"
    ]
    assert links_of_a[0]["outwardIssue"]["key"] == b
    link_id = links_of_a[0]["id"]
    assert jira.get(f"/rest/api/3/issueLink/{link_id}").json()["inwardIssue"]["key"] == a
    assert jira.delete(f"/rest/api/3/issueLink/{link_id}").status_code == 204
    assert sb.jira.links == {}
    assert sb.contract_violations == []


def test_projects_and_issue_types(sb: Sandbox, jira: Client) -> None:
    projects = jira.get("/rest/api/3/project/search").json()["values"]
    assert {p["key"] for p in projects} >= {"PAY", "HR", "IT", "FIN"}
    assert jira.get("/rest/api/3/project/PAY").json()["name"] == "Payroll"
    types = {t["name"]: t for t in jira.get("/rest/api/3/issuetype").json()}
    assert types["Epic"]["hierarchyLevel"] == 1
    assert jira.get("/rest/api/3/issuetype/project", projectId="10000").status_code == 200
    assert sb.contract_violations == []
