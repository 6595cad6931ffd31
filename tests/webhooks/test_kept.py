"""The inbox keeps only the fields its handlers read: every captured Jira delivery reads the same
through the handlers' views from the kept fields as from the whole payload, and keeps no name,
avatar or email address."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connector.practice.expectation_issues import issue_view
from connector.practice.feedback import comment_event
from webhooks.handlers import HANDLERS, Context, _link_event
from webhooks.kept import kept_fields

AT = datetime(2026, 11, 30, tzinfo=UTC)


def deliveries(specs: Path) -> list[dict[str, Any]]:
    folder = specs / "webhooks" / "jira"
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def views(payload: dict[str, Any]) -> dict[str, Any]:
    """What each handler reads from a payload, through the same functions it calls."""
    seen: dict[str, Any] = {"event": payload.get("webhookEvent")}
    if isinstance(payload.get("issue"), dict):
        seen["issue"] = issue_view(payload["issue"], AT)
    items = (payload.get("changelog") or {}).get("items") or []
    seen["status_changed"] = any(item.get("field") == "status" for item in items)
    if isinstance(payload.get("comment"), dict):
        issue = payload.get("issue") or {}
        seen["comment"] = comment_event(payload["comment"], issue.get("id"), issue.get("key"), AT)
    if isinstance(payload.get("issueLink"), dict):
        context = Context(None, None, "site", payload, AT)  # type: ignore[arg-type]
        seen["link"] = _link_event(context, deleted=False)
    return seen


def test_handlers_read_the_same_from_the_kept_fields(specs: Path) -> None:
    handled = [d for d in deliveries(specs) if d.get("webhookEvent") in HANDLERS]
    assert handled, "no captured delivery has a handler"
    for payload in handled:
        kept = kept_fields(payload)
        assert views(kept) == views(payload), payload["webhookEvent"]
        stored = json.dumps(kept)
        for personal in ("displayName", "avatarUrls", "emailAddress", "timeZone"):
            assert personal not in stored, (payload["webhookEvent"], personal)
        assert len(stored) < len(json.dumps(payload))


@pytest.mark.parametrize("event", ["user_updated", "worklog_created", "something_new"])
def test_events_without_a_handler_keep_their_name_only(event: str) -> None:
    payload = {
        "webhookEvent": event,
        "timestamp": 1,
        "user": {"accountId": "a", "displayName": "A"},
    }
    assert kept_fields(payload) == {"webhookEvent": event, "timestamp": 1}


@pytest.mark.parametrize(
    "restriction",
    [{"visibility": {"type": "role", "value": "Administrators"}}, {"jsdPublic": False}],
)
def test_a_restricted_comment_is_stored_without_its_text(restriction: dict[str, Any]) -> None:
    payload = {
        "webhookEvent": "comment_created",
        "comment": {"id": "7", "body": "Rating: 1/5 the board's salaries", **restriction},
        "issue": {"id": "10", "key": "PAY-1"},
    }
    kept = kept_fields(payload)
    assert "body" not in kept["comment"] and "salaries" not in json.dumps(kept)
    assert {k: kept["comment"][k] for k in restriction} == restriction  # the handler sees why
    public = kept_fields({**payload, "comment": {"id": "8", "body": "Rating: 4/5 fine"}})
    assert public["comment"]["body"] == "Rating: 4/5 fine"
