"""Webhooks: sent on change, shaped like Jira's captured deliveries, signed, retried, duplicated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from sandbox import Sandbox
from tests.sandbox.conftest import Client, new_issue
from tests.sandbox.fake_app import FakeApp


def same_shape(ours: object, theirs: object, where: str = "") -> list[str]:
    """Keys the captured payload has that ours lacks (recursively, first list item only)."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        missing = [
            f"{where}.{k}"
            for k in theirs
            if k not in ours and not k.startswith(("customfield", "tmp"))
        ]
        for key in theirs.keys() & ours.keys():
            missing += same_shape(ours[key], theirs[key], f"{where}.{key}")
        return missing
    if isinstance(theirs, list) and isinstance(ours, list) and theirs and ours:
        return same_shape(ours[0], theirs[0], where + "[0]")
    return []


def test_issue_and_comment_events_are_delivered_signed(
    sb: Sandbox, app: FakeApp, jira: Client
) -> None:
    key = jira.post("/rest/api/3/issue", new_issue()).json()["key"]
    requests.post(
        f"{sb.url}/_sandbox/jira/issue/{key}/comment", json={"body": "Rating: 4/5 good"}, timeout=5
    )
    requests.post(f"{sb.url}/_sandbox/jira/issue/{key}/transition", json={"to": "Done"}, timeout=5)

    assert sb.webhooks.wait_idle(5)
    assert app.failures == []
    comment = app.events("comment_created")[0]
    assert comment["body"]["comment"]["body"] == "Rating: 4/5 good"
    assert comment["headers"]["X-Atlassian-Webhook-Flow"] == "Primary"
    assert comment["headers"]["X-Atlassian-Webhook-Retry"] == "0"
    status_change = [
        w
        for w in app.events("jira:issue_updated")
        if w["body"].get("issue_event_type_name") == "issue_generic"
    ]
    items = {i["field"]: i for i in status_change[0]["body"]["changelog"]["items"]}
    assert (items["status"]["fromString"], items["status"]["toString"]) == ("To Do", "Done")
    assert len(app.events("jira:issue_created")) == 1


def test_text_edits_are_issue_updated_events(sb: Sandbox, app: FakeApp, jira: Client) -> None:
    key = jira.post("/rest/api/3/issue", new_issue()).json()["key"]
    edit = {"fields": {"summary": "HR expects: payslips right", "labels": ["internal-customer"]}}
    assert jira.put(f"/rest/api/3/issue/{key}", edit).status_code == 204
    assert jira.put(f"/rest/api/3/issue/{key}", edit).status_code == 204  # no change: no event
    assert sb.webhooks.wait_idle(5)
    updates = app.events("jira:issue_updated")
    assert len(updates) == 1
    items = {i["field"]: i for i in updates[0]["body"]["changelog"]["items"]}
    assert items["summary"]["toString"] == "HR expects: payslips right"
    assert items["labels"]["toString"] == "internal-customer"


@pytest.mark.parametrize(
    ("capture", "event"),
    [
        ("jira_issue_created.json", "jira:issue_created"),
        ("jira_issue_updated.status_change.json", "jira:issue_updated"),
        ("comment_created.json", "comment_created"),
        ("comment_updated.json", "comment_updated"),
        ("issuelink_created.json", "issuelink_created"),
        ("issuelink_deleted.json", "issuelink_deleted"),
    ],
)
def test_payloads_have_the_captured_shape(
    sb: Sandbox, app: FakeApp, jira: Client, specs: Path, capture: str, event: str
) -> None:
    # Skips only when the specs are absent; a capture missing from them fails.
    reference = json.loads((specs / "webhooks" / "jira" / capture).read_text())
    a = jira.post("/rest/api/3/issue", new_issue("A")).json()["key"]
    b = jira.post("/rest/api/3/issue", new_issue("B")).json()["key"]
    made = requests.post(
        f"{sb.url}/_sandbox/jira/issue/{a}/comment", json={"body": "hi"}, timeout=5
    ).json()
    requests.put(
        f"{sb.url}/_sandbox/jira/issue/{a}/comment/{made['id']}", json={"body": "edited"}, timeout=5
    )
    requests.post(f"{sb.url}/_sandbox/jira/issue/{a}/transition", json={"to": "Done"}, timeout=5)
    link = requests.post(
        f"{sb.url}/_sandbox/jira/issueLink",
        json={"type": "Blocks", "inward": a, "outward": b},
        timeout=5,
    ).json()
    requests.delete(f"{sb.url}/_sandbox/jira/issueLink/{link['id']}", timeout=5)
    assert sb.webhooks.wait_idle(5)

    bodies = [w["body"] for w in app.events(event)]
    if event == "jira:issue_updated":
        bodies = [b for b in bodies if b.get("issue_event_type_name") == "issue_generic"]
    assert bodies, f"no {event} delivered"
    missing = same_shape(bodies[0], reference)
    # Inside issue.fields the capture has a real site's whole field set; the app reads these.
    read_by_app = (".status", ".summary", ".issuetype", ".project", ".labels", ".parent")
    assert [m for m in missing if ".fields." not in m or m.endswith(read_by_app)] == []
    if event.startswith("issuelink"):
        assert isinstance(bodies[0]["issueLink"]["sourceIssueId"], int)


def test_server_errors_are_retried_with_the_same_identifier(
    sb: Sandbox, app: FakeApp, jira: Client
) -> None:
    app.fail_webhooks = 2
    jira.post("/rest/api/3/issue", new_issue())

    assert sb.webhooks.wait_idle(5)
    created = app.events("jira:issue_created")
    assert [w["headers"]["X-Atlassian-Webhook-Retry"] for w in created] == ["0", "1", "2"]
    assert len({w["headers"]["X-Atlassian-Webhook-Identifier"] for w in created}) == 1
    record = requests.get(f"{sb.url}/_sandbox/webhooks", timeout=5).json()[0]
    assert record["outcome"] == "delivered"
    assert [a["status"] for a in record["attempts"]] == [500, 500, 204]


def test_duplicates_and_drops(sb: Sandbox, app: FakeApp, jira: Client) -> None:
    sb.set_faults(duplicateWebhooks=1.0, seed=3)
    jira.post("/rest/api/3/issue", new_issue())
    assert sb.webhooks.wait_idle(5)
    created = app.events("jira:issue_created")
    assert len(created) == 2
    assert (
        created[0]["headers"]["X-Atlassian-Webhook-Identifier"]
        == created[1]["headers"]["X-Atlassian-Webhook-Identifier"]
    )

    sb.set_faults(duplicateWebhooks=0.0, dropWebhooks=1.0)
    jira.post("/rest/api/3/issue", new_issue())
    assert sb.webhooks.wait_idle(5)
    assert len(app.events("jira:issue_created")) == 2
    assert sb.webhooks.records()[-1]["outcome"] == "dropped"


def test_reorder_window_can_deliver_out_of_order(sb: Sandbox, app: FakeApp, jira: Client) -> None:
    sb.set_faults(reorderWebhooks=5, seed=7)
    for n in range(10):
        jira.post("/rest/api/3/issue", new_issue(f"n{n}"))
    assert sb.webhooks.wait_idle(5)
    order = [w["body"]["issue"]["key"] for w in app.events("jira:issue_created")]
    assert sorted(order) == sorted(set(order)) and len(order) == 10
    assert order != sorted(order, key=lambda k: int(k.split("-")[1]))
