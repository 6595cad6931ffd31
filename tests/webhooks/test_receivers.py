"""The receivers: verified, stored, de-duplicated, acknowledged; bad bodies parked with a 400."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from connector.db import get_db
from tests.support.atlassian import FakeSite
from tests.webhooks.support import captured, deliver, install
from webhooks.handlers import HANDLERS, IGNORED
from webhooks.inbox import InboxDelivery
from webhooks.intake import SLUGS
from webhooks.kept import kept_fields


def rows(app: Flask) -> list[InboxDelivery]:
    with get_db(app).transaction() as session:
        return list(session.scalars(select(InboxDelivery).order_by(InboxDelivery.id)))


def test_every_declared_receiver_has_a_handler(app: Flask) -> None:
    with open(app.config["DESCRIPTOR_PATH"], encoding="utf-8") as handle:
        declared = json.load(handle)["productModules"]["jira"]["modules"]["webhooks"]
    for hook in declared:
        slug = hook["url"].rsplit("/", 1)[1]
        assert SLUGS[slug] == hook["event"]
        assert hook["event"] in HANDLERS
    assert not set(HANDLERS) & IGNORED


def test_delivery_is_stored_with_its_headers(any_app: Flask, signing_key: Any, kid: str) -> None:
    site = install(any_app, signing_key, kid)
    body = captured("comment_created.json")
    response = deliver(
        any_app.test_client(), site, "comment-created", body, webhook_id="w-1", retry=2
    )
    assert response.status_code == 204
    [row] = rows(any_app)
    assert (row.event, row.webhook_id, row.retry_count, row.flow) == (
        "comment_created",
        "w-1",
        2,
        "Primary",
    )
    assert (row.site_id, row.client_key, row.state) == (site.cloud_id, site.client_key, "pending")
    assert row.event_at is not None and int(row.event_at.timestamp() * 1000) == body["timestamp"]
    # Only what the handler reads is kept: no display names, avatars or email addresses.
    assert json.loads(row.body) == kept_fields(body)
    assert json.loads(row.body)["comment"]["author"] == {
        "accountId": body["comment"]["author"]["accountId"]
    }
    for personal in ("displayName", "avatarUrls", "emailAddress", "self"):
        assert personal not in row.body


def test_duplicate_identifier_is_acknowledged_once(
    any_app: Flask, signing_key: Any, kid: str
) -> None:
    site = install(any_app, signing_key, kid)
    client = any_app.test_client()
    body = captured("comment_created.json")
    first = deliver(client, site, "comment-created", body, webhook_id="same")
    again = deliver(client, site, "comment-created", body, webhook_id="same", retry=1)
    assert (first.status_code, again.status_code) == (204, 204)
    assert again.headers["X-ICM-Duplicate"] == "1"
    assert len(rows(any_app)) == 1


@pytest.mark.parametrize(
    ("case", "token_path"),
    [("unsigned", None), ("other-path", "/webhooks/jira/issue-deleted")],
)
def test_unverified_deliveries_are_refused(
    client: FlaskClient, site: FakeSite, app: Flask, case: str, token_path: str | None
) -> None:
    path = "/webhooks/jira/issue-updated"
    headers = {"Content-Type": "application/json"}
    if token_path:
        headers["Authorization"] = f"JWT {site.tenant_token('POST', token_path)}"
    response = client.post(path, data="{}", headers=headers)
    assert response.status_code == 401, case
    assert rows(app) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("not json", "the body is not JSON"),
        ("[1, 2]", "the body is not a JSON object"),
        ('{"timestamp": 1}', "the body names no webhookEvent"),
    ],
)
def test_malformed_body_is_parked_and_refused(
    client: FlaskClient,
    site: FakeSite,
    app: Flask,
    caplog: pytest.LogCaptureFixture,
    body: str,
    problem: str,
) -> None:
    caplog.set_level(logging.INFO)
    response = deliver(client, site, "issue-updated", body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_webhook"
    [row] = rows(app)
    assert (row.state, row.last_error, row.body) == ("parked", problem, body)
    assert site.shared_secret not in caplog.text
    assert "JWT" not in caplog.text.replace("JWT realm", "")


@pytest.mark.parametrize(
    ("event", "error"),
    [("jira:issue_created", None), ("sprint_started", None), ("jira:mystery", "no handler")],
)
def test_unhandled_events_are_acknowledged_and_ignored(
    client: FlaskClient, site: FakeSite, app: Flask, event: str, error: str | None
) -> None:
    body = {**captured("jira_issue_created.json"), "webhookEvent": event}
    assert deliver(client, site, "issue-updated", body).status_code == 204
    [row] = rows(app)
    assert row.state == "ignored"
    assert (row.last_error or "").startswith(error or "") and bool(row.last_error) == bool(error)


def test_unknown_receiver_path_is_404(client: FlaskClient, site: FakeSite) -> None:
    response = deliver(client, site, "worklog-created", {"webhookEvent": "worklog_created"})
    assert response.status_code == 404


@pytest.mark.parametrize("event", sorted(IGNORED))
def test_each_ignored_event_is_stored_as_ignored(
    client: FlaskClient, site: FakeSite, app: Flask, event: str
) -> None:
    assert deliver(client, site, "issue-updated", {"webhookEvent": event}).status_code == 204
    assert [(r.event, r.state, r.last_error) for r in rows(app)] == [(event, "ignored", None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"\\ud800 half a pair"', "\ud800 half a pair"),  # a lone surrogate escape
        ("NaN", None),  # the json module's extension; orjson refuses both
    ],
)
def test_bodies_orjson_refuses_are_read_as_the_json_module_reads_them(
    client: FlaskClient, site: FakeSite, app: Flask, text: str, expected: str | None
) -> None:
    body = json.dumps(captured("comment_created.json")).replace(
        '"webhookEvent"', f'"odd": {text}, "webhookEvent"', 1
    )
    comment = captured("comment_created.json")["comment"]
    if expected is not None:  # the comment's text itself, which the inbox keeps
        body = body.replace(json.dumps(comment["body"]), text, 1)
    assert deliver(client, site, "comment-created", body).status_code == 204
    [row] = rows(app)
    assert (row.state, row.last_error) == ("pending", None)
    if expected is not None:
        assert json.loads(row.body)["comment"]["body"] == expected


def test_a_body_nested_beyond_orjsons_limit_is_parked_with_the_depth_reason(
    client: FlaskClient, site: FakeSite, app: Flask
) -> None:
    body = "[" * 2000 + "]" * 2000  # orjson stops at 1,024 levels, the json module recurses
    assert deliver(client, site, "comment-created", body).status_code == 400
    [row] = rows(app)
    assert (row.state, row.last_error) == ("parked", "the body nests deeper than 64 levels")
