"""The sync against the sandbox site: agreed expectations become issues in the supplier's project,
children of the goal's epic, with the entity property; faults and crashes never duplicate."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from sqlalchemy import select

from connector.db import get_db
from connector.db.models import Expectation, OutboxTask
from connector.sync.pusher import IssueWork, SyncHooks
from connector.sync.worker import drain_outbox, pending_count
from sandbox.directory import USERS
from tests.support.live import LiveSite
from webhooks.inbox import InboxDelivery
from webhooks.worker import drain_inbox

CUSTOMER_LEAD = USERS[1].account_id


def ok(
    site: LiveSite, method: str, path: str, body: Any = None, status: int = 200, **claims: Any
) -> Any:
    response = site.call(method, "/api/v1" + path, body, **claims)
    assert response.status_code == status, response.text
    return response.json()


def organisation(site: LiveSite, expectations: int = 1, goal: bool = True) -> list[int]:
    # The default caller (the sandbox's administrator) leads the supplier; HR's lead agrees.
    leads = {"PAY": USERS[0].account_id, "HR": CUSTOMER_LEAD, "IT": USERS[2].account_id}
    for key, name in (("PAY", "Payroll"), ("HR", "People"), ("IT", "IT Service")):
        team = {"key": key, "name": name, "jiraProjectKey": key, "leadAccountId": leads[key]}
        ok(site, "POST", "/teams", team, 201)
    rel = ok(
        site,
        "POST",
        "/relationships",
        {"supplier": "PAY", "customer": "HR", "service": "payroll"},
        201,
    )
    goal_id = (
        ok(site, "POST", "/goals", {"team": "PAY", "title": "Zero errors"}, 201)["id"]
        if goal
        else None
    )
    ids = []
    for n in range(expectations):
        made = ok(
            site,
            "POST",
            "/expectations",
            {
                "relationshipId": rel["id"],
                "statement": f"Paid right, every month ({n})",
                "whyItMatters": "Trust",
                "growthOpportunity": "Self-service",
                "measures": [{"name": "Right first time", "target": 99.5, "unit": "%"}],
                "goalId": goal_id,
            },
            201,
        )
        path = f"/expectations/{made['id']}/transitions"
        ok(site, "POST", path, {"to": "proposed"})
        ok(site, "POST", path, {"to": "agreed"}, sub=CUSTOMER_LEAD)
        ids.append(made["id"])
    return ids


def drain_all(site: LiveSite, hooks: SyncHooks | None = None, rounds: int = 20) -> None:
    for _ in range(rounds):
        drain_outbox(site.app, force=True, hooks=hooks)
        with get_db(site.app).transaction() as session:
            if pending_count(session) == 0:
                return
    raise AssertionError("the outbox did not drain")


def icm_issues(site: LiveSite) -> list[Any]:
    return [i for i in site.sandbox.jira.issues.values() if "internal-customer" in i.labels]


def test_agreed_expectation_becomes_a_child_of_the_goal_epic(live_site: LiveSite) -> None:
    [expectation_id] = organisation(live_site)
    drain_all(live_site)
    shown = ok(live_site, "GET", f"/expectations/{expectation_id}")
    assert shown["syncState"] == "synced"
    issue = live_site.sandbox.jira.get_issue(shown["jiraIssueKey"])
    assert issue.project.key == "PAY"
    assert issue.issuetype.name == "Task"
    assert issue.summary.startswith("People expects: Paid right")
    assert {"internal-customer", f"icm-e-{expectation_id}"} <= set(issue.labels)
    assert issue.description["type"] == "doc"
    assert issue.properties["icm.expectation"] == {
        "id": expectation_id,
        "siteId": live_site.site_id,
        "version": 1,
        "relationshipId": shown["relationshipId"],
    }
    epic = live_site.sandbox.jira.issue_by_id(issue.parent_id)
    assert epic.issuetype.name == "Epic" and epic.summary == "Zero errors"
    goal = ok(live_site, "GET", "/goals")["values"][0]
    assert goal["jiraEpicKey"] == epic.key


def test_an_edit_updates_the_issue_and_the_property(live_site: LiveSite) -> None:
    [expectation_id] = organisation(live_site, goal=False)
    drain_all(live_site)
    ok(live_site, "PATCH", f"/expectations/{expectation_id}", {"statement": "Paid by the 28th"})
    drain_all(live_site)
    shown = ok(live_site, "GET", f"/expectations/{expectation_id}")
    issue = live_site.sandbox.jira.get_issue(shown["jiraIssueKey"])
    assert issue.summary == "People expects: Paid by the 28th"
    assert issue.properties["icm.expectation"]["version"] == 2
    assert len(icm_issues(live_site)) == 1


def test_link_type_is_ensured_on_install_and_links_read_the_right_way(
    live_site: LiveSite,
) -> None:
    [expectation_id] = organisation(live_site, goal=False)
    other = live_site.sandbox.jira.create_issue(
        {
            "fields": {
                "project": {"key": "IT"},
                "summary": "New laptops",
                "issuetype": {"name": "Task"},
            }
        },
        "someone",
    )
    ok(live_site, "POST", f"/expectations/{expectation_id}/links", {"issueKey": other.key}, 201)
    drain_all(live_site)
    settings = ok(live_site, "GET", "/settings")
    assert settings["linkTypeName"] == "Internal customer" and settings["linkTypeId"]
    shown = ok(live_site, "GET", f"/expectations/{expectation_id}")
    [shown_link] = shown["links"]
    assert (shown_link["issueKey"], shown_link["issueId"], shown_link["syncState"]) == (
        other.key,
        other.id,
        "synced",
    )
    [link] = live_site.sandbox.jira.links.values()
    # The webhook reporting the app's own link updates the app's row: still one link, from the app.
    drain_webhooks(live_site, "issuelink_created")
    [seen] = ok(live_site, "GET", f"/expectations/{expectation_id}")["links"]
    assert (seen["origin"], seen["linkType"], seen["blocksExpectation"]) == (
        "app",
        "Internal customer",
        False,
    )
    assert link.type.outward == "serves"
    # "IT-1 serves PAY-1": the other team's work is the source.
    assert live_site.sandbox.jira.issue_by_id(link.source_id).key == other.key
    assert live_site.sandbox.jira.issue_by_id(link.destination_id).key == shown["jiraIssueKey"]


class Crash(Exception):
    pass


def test_crash_between_create_and_property_leaves_no_duplicate(live_site: LiveSite) -> None:
    ids = organisation(live_site, expectations=3, goal=False)

    def crash(works: list[IssueWork]) -> None:
        if any(w.property_key == "icm.expectation" for w in works):
            raise Crash

    with pytest.raises(Crash):
        drain_all(live_site, SyncHooks(after_create=crash))
    assert len(icm_issues(live_site)) == 3  # made in Jira, unknown to the app
    with get_db(live_site.app).transaction() as session:
        assert all(session.get_one(Expectation, i).jira_issue_key is None for i in ids)
    hooks = SyncHooks()
    drain_all(live_site, hooks)
    assert hooks.create_calls == []  # all three adopted, none created again
    assert len(icm_issues(live_site)) == 3
    keys = {ok(live_site, "GET", f"/expectations/{i}")["jiraIssueKey"] for i in ids}
    assert len(keys) == 3
    for key in keys:
        assert live_site.sandbox.jira.get_issue(key).properties["icm.expectation"]["id"] in ids


@pytest.mark.slow
def test_faults_do_not_duplicate(live_site: LiveSite) -> None:
    ids = organisation(live_site, expectations=60, goal=True)
    live_site.sandbox.set_faults(rate429=0.1, rate503=0.1, retryAfter=0, seed=11)
    drain_all(live_site, rounds=40)
    live_site.sandbox.set_faults(rate429=0, rate503=0)
    assert len([i for i in icm_issues(live_site) if i.issuetype.name == "Task"]) == 60
    assert len([i for i in icm_issues(live_site) if i.issuetype.name == "Epic"]) == 1
    with get_db(live_site.app).transaction() as session:
        rows = [session.get_one(Expectation, i) for i in ids]
        assert {r.sync_state for r in rows} == {"synced"}
        assert len({r.jira_issue_key for r in rows}) == 60
        assert session.query(OutboxTask).filter_by(state="pending").count() == 0


@pytest.mark.slow
def test_bulk_creates_stay_within_ceil_n_over_50(live_site: LiveSite) -> None:
    drain_all(live_site)  # the link type
    organisation(live_site, expectations=120, goal=False)
    before = len(live_site.sandbox.calls)
    hooks = SyncHooks()
    drain_all(live_site, hooks)
    calls = live_site.sandbox.calls[before:]
    # Nothing but the bulk creates: no search (nothing was ever sent to a create before), no
    # property PUT (the properties ride in the create), no single create.
    assert [(c.method, c.path.rsplit("/api/3/", 1)[1]) for c in calls] == [
        ("POST", "issue/bulk")
    ] * 3
    assert hooks.create_calls == [50, 50, 20]
    issues = icm_issues(live_site)
    assert len(issues) == 120
    assert all(i.properties.get("icm.expectation") for i in issues)


@pytest.mark.slow
def test_each_issue_written_once_per_push_within_the_per_issue_limit(
    live_site: LiveSite,
) -> None:
    ids = organisation(live_site, expectations=4, goal=True)
    live_site.sandbox.set_faults(perIssueWrites=1, perIssueWindow=60)
    drain_all(live_site)
    for i in ids:
        ok(live_site, "PATCH", f"/expectations/{i}", {"statement": f"Paid by the 28th ({i})"})
    drain_all(live_site)
    faults = live_site.sandbox.state.faults
    assert faults.per_issue_refusals == 0  # one write per issue: the edit carries the property
    live_site.sandbox.set_faults(perIssueWrites=0)
    for i in ids:
        shown = ok(live_site, "GET", f"/expectations/{i}")
        assert shown["syncState"] == "synced"
        issue = live_site.sandbox.jira.get_issue(shown["jiraIssueKey"])
        assert issue.properties["icm.expectation"]["version"] == 2
        assert issue.summary.endswith(f"Paid by the 28th ({i})")


@pytest.mark.slow
def test_per_issue_limit_is_not_retried_at_once_but_deferred(live_site: LiveSite) -> None:
    [expectation_id] = organisation(live_site, goal=False)
    drain_all(live_site)
    key = ok(live_site, "GET", f"/expectations/{expectation_id}")["jiraIssueKey"]
    live_site.sandbox.set_faults(perIssueWrites=1, perIssueWindow=60)
    faults = live_site.sandbox.state.faults
    # Someone else's write uses up the issue's budget (one write per minute here).
    assert faults.per_issue_write("PUT", f"/rest/api/3/issue/{key}") is None
    ok(live_site, "PATCH", f"/expectations/{expectation_id}", {"statement": "Paid by the 28th"})
    before = len(live_site.sandbox.calls)
    drain_outbox(live_site.app, force=True)
    edits = [c for c in live_site.sandbox.calls[before:] if c.method == "PUT"]
    assert [c.status for c in edits] == [429]  # refused once, not hammered with retries
    shown = ok(live_site, "GET", f"/expectations/{expectation_id}")
    assert shown["syncState"] == "failed"
    live_site.sandbox.set_faults(perIssueWrites=0)
    drain_all(live_site)
    assert ok(live_site, "GET", f"/expectations/{expectation_id}")["syncState"] == "synced"


def drain_webhooks(site: LiveSite, event: str, timeout: float = 10) -> None:
    """Wait for the sandbox's `event` webhook to reach the inbox, then process the inbox."""
    deadline = time.monotonic() + timeout
    while True:
        with get_db(site.app).transaction() as session:
            if session.scalars(select(InboxDelivery.id).where(InboxDelivery.event == event)).all():
                break
        assert time.monotonic() < deadline, f"no {event} webhook arrived"
        time.sleep(0.05)
    drain_inbox(site.app)


def test_a_deleted_issue_detaches_until_reattached(live_site: LiveSite) -> None:
    [expectation_id] = organisation(live_site, goal=False)
    path = f"/expectations/{expectation_id}"
    drain_all(live_site)
    deleted = ok(live_site, "GET", path)["jiraIssueKey"]
    live_site.sandbox.jira.delete_issue(deleted, "someone")
    drain_webhooks(live_site, "jira:issue_deleted")
    shown = ok(live_site, "GET", path)
    assert (shown["syncState"], shown["jiraIssueKey"]) == ("detached", None)
    # Edits are kept in the app, but the sync never re-creates the issue on its own.
    edited = ok(live_site, "PATCH", path, {"statement": "Paid by the 28th"})
    assert edited["syncState"] == "detached"
    drain_all(live_site)
    assert icm_issues(live_site) == []
    assert ok(live_site, "GET", path)["syncState"] == "detached"
    assert ok(live_site, "POST", path + "/reattach")["syncState"] == "pending"
    drain_all(live_site)
    shown = ok(live_site, "GET", path)
    assert shown["syncState"] == "synced" and shown["jiraIssueKey"] not in (None, deleted)
    [issue] = icm_issues(live_site)
    assert issue.summary == "People expects: Paid by the 28th"
    again = live_site.call("POST", f"/api/v1{path}/reattach")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_detached"


def test_a_link_target_is_checked_with_the_users_own_right_to_browse_it(
    live_site: LiveSite,
) -> None:
    """The worker links as the app, which sees every project: the supplier may link only an
    issue Jira lets it browse, and a missing one is answered alike (issue #24)."""
    [expectation_id] = organisation(live_site, goal=False)
    secret = live_site.sandbox.jira.create_issue(
        {"fields": {"project": {"key": "FIN"}, "summary": "Audit", "issuetype": {"name": "Task"}}},
        "someone",
    )
    made = requests.post(
        f"{live_site.sandbox.url}/_sandbox/projects/FIN/browsers",
        json={"accountIds": [USERS[3].account_id]},
        timeout=10,
    )
    assert made.status_code == 200
    path = f"/api/v1/expectations/{expectation_id}/links"
    answers = {
        key: live_site.call("POST", path, {"issueKey": key}) for key in (secret.key, "SECRET-1")
    }
    for answer in answers.values():
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "issue_not_browsable"
    messages = {answer.json()["error"]["message"].split(" ", 1)[1] for answer in answers.values()}
    assert len(messages) == 1  # no telling a missing issue from a hidden one
    assert ok(live_site, "GET", f"/expectations/{expectation_id}")["links"] == []
    asked = [c for c in live_site.sandbox.calls if c.path == "/rest/api/3/permissions/check"]
    assert asked and all(c.status == 200 for c in asked)
    # Once the supplier may browse the project, the same link is made.
    requests.post(
        f"{live_site.sandbox.url}/_sandbox/projects/FIN/browsers",
        json={"accountIds": [USERS[0].account_id]},
        timeout=10,
    )
    ok(live_site, "POST", f"/expectations/{expectation_id}/links", {"issueKey": secret.key}, 201)
