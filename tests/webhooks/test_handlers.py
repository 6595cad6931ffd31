"""Each event through the whole path (signed delivery -> inbox -> worker -> domain), fed with the
payloads captured from a real Jira Cloud site (one line per case)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from connector.db import get_db
from connector.practice.crossteam import Improvement, IssueLink, link_made
from connector.practice.expectations import add_link
from connector.practice.models import Expectation, Feedback
from tests.support.atlassian import FakeSite
from tests.webhooks.support import (
    CUSTOMER_MEMBER,
    INTEGRATOR,
    ROBIN,
    SLUG,
    SUPPLIER_LEAD,
    SUPPLIER_MEMBER,
    captured,
    comment_payload,
    deliver,
    mentions,
    seed_app,
    use_fake_jira,
)
from webhooks.inbox import InboxDelivery
from webhooks.worker import drain_inbox

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def send(app: Flask, client: FlaskClient, site: FakeSite, payload: dict[str, Any]) -> str:
    """Deliver and process one payload; returns the delivery's final state."""
    response = deliver(client, site, SLUG[payload["webhookEvent"]], payload)
    assert response.status_code == 204
    drain_inbox(app)
    with get_db(app).transaction() as session:
        row = session.scalars(select(InboxDelivery).order_by(InboxDelivery.id.desc())).first()
        assert row is not None
        assert row.last_error is None, row.last_error
        return row.state


def ratings(app: Flask) -> list[tuple[str | None, int, str | None]]:
    with get_db(app).transaction() as session:
        rows = session.scalars(select(Feedback).order_by(Feedback.id))
        return [(f.external_id, f.rating, f.comment) for f in rows]


def expectation(app: Flask, expectation_id: int) -> Expectation:
    with get_db(app).transaction() as session:
        found = session.get(Expectation, expectation_id)
        assert found is not None
        return found


def with_comment(name: str, body: str, author: str = ROBIN) -> dict[str, Any]:
    payload = copy.deepcopy(captured(name))
    payload["comment"]["body"] = body
    payload["comment"]["author"]["accountId"] = author
    return payload


def restricted(name: str = "comment_created.json", **fields: Any) -> dict[str, Any]:
    payload = with_comment(name, "Rating: 1/5 — the salaries of the board are wrong")
    payload["comment"].update(fields)
    return payload


@pytest.mark.parametrize(
    ("payloads", "expected"),
    [
        pytest.param(lambda: [captured("comment_created.json")], [], id="captured-no-rating"),
        pytest.param(
            lambda: [with_comment("comment_created.json", "Rating: 4/5 — on time\nthanks")],
            [("19259", 4, "on time\nthanks")],
            id="rating-comment",
        ),
        pytest.param(
            lambda: [
                with_comment("comment_created.json", "Rating: 4/5"),
                with_comment("comment_updated.json", "*Rating:* 2/5 - late again"),
            ],
            [("19259", 2, "late again")],
            id="edited-rating-updates-the-row",
        ),
        pytest.param(
            lambda: [
                with_comment("comment_updated.json", "Rating: 2/5"),
                with_comment("comment_created.json", "Rating: 4/5"),
            ],
            [("19259", 2, None)],
            id="older-create-after-edit-is-dropped",
        ),
        pytest.param(
            lambda: [with_comment("comment_created.json", "Rating: 5/5", author=SUPPLIER_LEAD)],
            [],
            id="supplier-cannot-rate-in-comments",
        ),
        pytest.param(
            lambda: [with_comment("comment_created.json", "Rating: 5/5", author=SUPPLIER_MEMBER)],
            [],
            id="supplier-member-cannot-rate-in-comments",
        ),
        pytest.param(
            lambda: [with_comment("comment_created.json", "Rating: 3/5", author="acc-stranger")],
            [],
            id="stranger-cannot-rate-in-comments",
        ),
        pytest.param(
            lambda: [with_comment("comment_created.json", "Rating: 3/5", author=CUSTOMER_MEMBER)],
            [("19259", 3, None)],
            id="customer-member-rates-in-comments",
        ),
        pytest.param(
            lambda: [restricted(visibility={"type": "role", "value": "Administrators"})],
            [],
            id="comment-restricted-to-a-role-is-not-kept",
        ),
        pytest.param(
            lambda: [restricted(jsdPublic=False)],
            [],
            id="internal-note-is-not-kept",
        ),
        pytest.param(
            lambda: [
                with_comment("comment_created.json", "Rating: 4/5 public"),
                restricted("comment_updated.json", visibility={"type": "group", "value": "hr"}),
            ],
            [],
            id="comment-restricted-later-loses-its-rating",
        ),
        pytest.param(
            lambda: [with_comment("comment_created.json", "Rating: 2/5", author=INTEGRATOR)],
            [("19259", 2, None)],
            id="integrator-rates-in-comments",
        ),
        pytest.param(
            lambda: [
                with_comment("comment_created.json", "Rating: 4/5"),
                with_comment("comment_updated.json", "on reflection, no rating"),
            ],
            [],
            id="rating-edited-away",
        ),
        pytest.param(
            lambda: [
                with_comment("comment_created.json", "Rating: 4/5"),
                {**with_comment("comment_updated.json", ""), "webhookEvent": "comment_deleted"},
            ],
            [],
            id="deleted-comment-removes-rating",
        ),
    ],
)
def test_comment_events(
    app: Flask, client: FlaskClient, site: FakeSite, payloads: Any, expected: list[Any]
) -> None:
    seed_app(app, site.cloud_id)
    for payload in payloads():
        assert send(app, client, site, payload) == "done"
    assert ratings(app) == expected


@pytest.mark.parametrize(
    ("name", "state_before", "state_after"),
    [
        ("jira_issue_updated.status_change.json", "agreed", "met"),
        ("jira_issue_updated.status_change.json", "at_risk", "met"),
        ("jira_issue_updated.status_change.json", "proposed", "proposed"),
        ("jira_issue_updated.description_change.json", "agreed", "agreed"),
        ("jira_issue_updated.assignee_change.json", "met", "met"),
    ],
)
def test_issue_updated(
    app: Flask, client: FlaskClient, site: FakeSite, name: str, state_before: str, state_after: str
) -> None:
    payload = captured(name)
    issue = payload["issue"]
    org = seed_app(app, site.cloud_id, issues=[(issue["key"], issue["id"])], state=state_before)
    assert send(app, client, site, payload) == "done"
    assert expectation(app, org.expectation_ids[0]).state == state_after


def test_reopened_issue_moves_met_back_to_agreed(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    payload = copy.deepcopy(captured("jira_issue_updated.status_change.json"))
    issue = payload["issue"]
    org = seed_app(app, site.cloud_id, issues=[(issue["key"], issue["id"])], state="met")
    issue["fields"]["status"]["statusCategory"]["key"] = "indeterminate"
    assert send(app, client, site, payload) == "done"
    assert expectation(app, org.expectation_ids[0]).state == "agreed"


def test_older_status_event_never_overwrites_newer(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    done = copy.deepcopy(captured("jira_issue_updated.status_change.json"))
    issue = done["issue"]
    org = seed_app(app, site.cloud_id, issues=[(issue["key"], issue["id"])], state="agreed")
    reopened = copy.deepcopy(done)
    reopened["issue"]["fields"]["status"]["statusCategory"]["key"] = "new"
    reopened["timestamp"] = done["timestamp"] - 60_000  # happened a minute earlier
    send(app, client, site, done)
    send(app, client, site, reopened)
    assert expectation(app, org.expectation_ids[0]).state == "met"


def test_deleted_issue_detaches_and_keeps_data(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    payload = {**captured("jira_issue_created.json"), "webhookEvent": "jira:issue_deleted"}
    issue = payload["issue"]
    org = seed_app(app, site.cloud_id, issues=[(issue["key"], issue["id"])])
    assert send(app, client, site, payload) == "done"
    detached = expectation(app, org.expectation_ids[0])
    assert (detached.jira_issue_key, detached.jira_issue_id, detached.sync_state) == (
        None,
        None,
        "detached",
    )
    assert detached.statement.startswith("Payslips")


def links(app: Flask) -> list[tuple[str, str, bool, bool]]:
    with get_db(app).transaction() as session:
        return [
            (r.link_type_name, r.other_issue_id, r.blocks_expectation, r.state == "removed")
            for r in session.scalars(select(IssueLink))
        ]


def test_issue_links_are_recorded_then_removed(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    created = captured("issuelink_created.json")
    seed_app(
        app, site.cloud_id, issues=[("PAY-7", str(created["issueLink"]["destinationIssueId"]))]
    )
    send(app, client, site, created)
    assert links(app) == [("Blocks", "20192", True, False)]
    send(app, client, site, captured("issuelink_deleted.json"))
    assert links(app) == [("Blocks", "20192", True, True)]


@pytest.mark.parametrize("webhook_first", [False, True])
def test_the_apps_link_and_its_webhook_are_one_row(
    app: Flask, client: FlaskClient, site: FakeSite, webhook_first: bool
) -> None:
    created = captured("issuelink_created.json")
    link = created["issueLink"]
    org = seed_app(app, site.cloud_id, issues=[("PAY-7", str(link["destinationIssueId"]))])
    if webhook_first:  # the webhook's worker ran before the push committed the link's id
        send(app, client, site, created)
    with get_db(app).transaction() as session:
        row = add_link(session, site.cloud_id, org.expectation_ids[0], "IT-42")
        link_made(
            session, row, jira_link_id=str(link["id"]), other_issue_id=str(link["sourceIssueId"])
        )
    if not webhook_first:
        send(app, client, site, created)
    with get_db(app).transaction() as session:
        [only] = session.scalars(select(IssueLink)).all()
        assert (only.origin, only.state, only.jira_link_id, only.other_issue_key) == (
            "app",
            "synced",
            str(link["id"]),
            "IT-42",
        )
        assert only.event_at is not None and only.blocks_expectation
    send(app, client, site, captured("issuelink_deleted.json"))
    assert links(app) == [("Blocks", "20192", True, True)]


def test_link_between_other_issues_is_ignored(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    seed_app(app, site.cloud_id)
    assert send(app, client, site, captured("issuelink_created.json")) == "done"
    assert links(app) == []


def test_done_improvement_closes_the_loop(app: Flask, client: FlaskClient, site: FakeSite) -> None:
    jira = use_fake_jira(app)
    link = captured("issuelink_created.json")
    seed_app(app, site.cloud_id, issues=[("PAY-7", str(link["issueLink"]["sourceIssueId"]))])
    send(app, client, site, link)
    done = copy.deepcopy(captured("jira_issue_updated.status_change.json"))
    done["issue"].update(id=str(link["issueLink"]["destinationIssueId"]), key="IT-42")
    done["issue"]["fields"]["summary"] = "Automate the payslip check"
    send(app, client, site, done)
    send(app, client, site, {**done, "timestamp": done["timestamp"] + 1})  # a second "done"
    [(key, adf)] = jira.comments
    assert key == "PAY-7" and mentions(adf) == [ROBIN]
    assert "You said → we did: Automate the payslip check (IT-42)" in str(adf)
    with get_db(app).transaction() as session:
        [improvement] = session.scalars(select(Improvement)).all()
        assert improvement.comment_id and improvement.announced_at


def test_comment_time_decides_between_create_and_delete(
    app: Flask, client: FlaskClient, site: FakeSite
) -> None:
    seed_app(app, site.cloud_id)
    created = comment_payload("comment_created", comment_id="7", body="Rating: 3/5", at=T0)
    deleted = comment_payload(
        "comment_deleted", comment_id="7", body="", at=T0 + timedelta(minutes=1), created=T0
    )
    send(app, client, site, deleted)
    send(app, client, site, created)  # redelivered late: must not resurrect the rating
    assert ratings(app) == []
