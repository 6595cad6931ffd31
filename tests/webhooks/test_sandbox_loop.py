"""The feedback loop against the sandbox site over real HTTP: signed webhooks in, a dropped
webhook repaired by reconciliation, and a feedback request posted as a Jira comment."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from connector import scheduler
from connector.db import get_db, utcnow
from connector.practice.models import Expectation, Feedback, Team
from sandbox.directory import USERS
from tests.support.live import LiveSite
from tests.webhooks.support import seed_app
from webhooks.inbox import InboxDelivery
from webhooks.worker import drain_inbox

CUSTOMER_LEAD = USERS[1].account_id  # Emma leads HR in the sandbox


def sandbox(live: LiveSite, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, f"{live.sandbox.url}/_sandbox{path}", json=body, timeout=10)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def expectation_issue(live: LiveSite) -> tuple[str, int]:
    """An expectation's issue in PAY, and the expectation recorded against it."""
    fields = {
        "project": {"key": "PAY"},
        "summary": "HR expects payslips right the first time",
        "issuetype": {"name": "Task"},
        "labels": ["internal-customer"],
    }
    # The property the app writes on its issues: the Connect comment webhooks' JQL filter
    # (atlassian-connect.json) lets only comments on such issues through.
    marked = [{"key": "icm.expectation", "value": {"id": 1}}]
    created = sandbox(live, "POST", "/jira/issue", {"fields": fields, "properties": marked})
    org = seed_app(live.app, live.site_id, issues=[(created["key"], created["id"])])
    with get_db(live.app).transaction() as session:
        for team in session.scalars(select(Team).where(Team.site_id == live.site_id)):
            team.lead_account_id = CUSTOMER_LEAD if team.key == "HR" else USERS[0].account_id
    return created["key"], org.expectation_ids[0]


def ratings(live: LiveSite) -> list[tuple[int, str | None]]:
    with get_db(live.app).transaction() as session:
        return [(f.rating, f.comment) for f in session.scalars(select(Feedback))]


def state(live: LiveSite, expectation_id: int) -> str:
    with get_db(live.app).transaction() as session:
        found = session.get(Expectation, expectation_id)
        assert found is not None
        return found.state


def wait_for_deliveries(live: LiveSite, count: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with get_db(live.app).transaction() as session:
            if len(session.scalars(select(InboxDelivery.id)).all()) >= count:
                return
        assert time.monotonic() < deadline, "the sandbox's webhooks did not arrive"
        time.sleep(0.05)


@pytest.mark.slow
def test_signed_webhooks_flow_in(live_site: LiveSite) -> None:
    key, expectation_id = expectation_issue(live_site)
    sandbox(
        live_site,
        "POST",
        f"/jira/issue/{key}/comment",
        {"body": "Rating: 4/5 — on time", "accountId": CUSTOMER_LEAD},
    )
    sandbox(live_site, "POST", f"/jira/issue/{key}/transition", {"to": "Done"})
    wait_for_deliveries(live_site, 3)  # comment_created, issue_updated (commented), status
    drain_inbox(live_site.app)
    assert ratings(live_site) == [(4, "on time")]
    assert state(live_site, expectation_id) == "met"


@pytest.mark.slow
def test_dropped_webhooks_are_repaired_by_reconciliation(live_site: LiveSite) -> None:
    key, expectation_id = expectation_issue(live_site)
    before = len(live_site.sandbox.webhooks.records())
    live_site.sandbox.set_faults(dropWebhooks=1.0)
    sandbox(
        live_site,
        "POST",
        f"/jira/issue/{key}/comment",
        {"body": "Rating: 2/5 — late twice", "accountId": CUSTOMER_LEAD},
    )
    sandbox(live_site, "POST", f"/jira/issue/{key}/transition", {"to": "Done"})
    assert live_site.sandbox.webhooks.wait_idle(10)  # nothing still in flight to the app
    sent = [d["outcome"] for d in live_site.sandbox.webhooks.records()[before:]]
    assert len(sent) >= 3 and set(sent) == {"dropped"}, sent
    drain_inbox(live_site.app)
    assert ratings(live_site) == [] and state(live_site, expectation_id) == "agreed"
    for minutes in (0, 1):  # a second run finds the same issue and changes nothing
        scheduler.reconcile(live_site.app, utcnow() + timedelta(minutes=minutes))
    assert ratings(live_site) == [(2, "late twice")]
    assert state(live_site, expectation_id) == "met"


@pytest.mark.slow
def test_feedback_request_is_a_jira_comment_mentioning_the_lead(live_site: LiveSite) -> None:
    key, _ = expectation_issue(live_site)
    assert scheduler.request_feedback_due(live_site.app, utcnow()) == 1
    assert scheduler.request_feedback_due(live_site.app, utcnow()) == 0
    comments = live_site.sandbox.jira.find_issue(key).comments
    assert len(comments) == 1
    assert f"'id': '{CUSTOMER_LEAD}'" in str(comments[0].body)
