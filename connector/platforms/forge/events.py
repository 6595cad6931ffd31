"""Forge product events in the webhook shapes the handlers already read.

A Forge trigger posts `{"eventType": "avi:jira:updated:issue", "issue": ..., "changelog": ...}`;
the Connect webhook for the same change says `{"webhookEvent": "jira:issue_updated", ...}` with
the same `issue`, `comment` and `changelog` objects. Translating here keeps one inbox, one
dispatch table and one set of handlers for both platforms.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector.domain.errors import BadRequest

# Forge event -> the Connect webhook event of the same change.
WEBHOOK_EVENTS = {
    "avi:jira:updated:issue": "jira:issue_updated",
    "avi:jira:deleted:issue": "jira:issue_deleted",
    "avi:jira:commented:issue": "comment_created",
    "avi:jira:updated:comment": "comment_updated",
    "avi:jira:deleted:comment": "comment_deleted",
    "avi:jira:created:issuelink": "issuelink_created",
    "avi:jira:deleted:issuelink": "issuelink_deleted",
}
LIFECYCLE_EVENTS = frozenset({"avi:forge:installed:app", "avi:forge:upgraded:app"})


def is_lifecycle(payload: Mapping[str, Any]) -> bool:
    """A life-cycle event, by what its payload documentedly carries: the installation's `id` and
    the `app` object (platform/forge/events-reference/life-cycle lists `id`, `installerAccountId`,
    `app {id, version}`, `environment`, and no event name); a product event carries an
    `eventType` (platform/forge/events-reference/jira) and none of those."""
    app = payload.get("app")
    return (
        "eventType" not in payload
        and isinstance(payload.get("id"), str)
        and isinstance(app, Mapping)
        and isinstance(app.get("id"), str)
    )


_LINK_FIELDS = ("id", "sourceIssueId", "destinationIssueId", "issueLinkType", "systemLink")
_VOLATILE = ("retryContext", "contextToken", "context")


@dataclass(frozen=True)
class WebhookDelivery:
    """A Forge event as the webhook intake takes it."""

    event: str
    body: bytes
    identifier: str  # the same for every retry of one event: what de-duplicates it
    retry: int


def as_webhook(payload: Mapping[str, Any]) -> WebhookDelivery:
    """The Connect-shaped delivery for a Forge product event; BadRequest for other events."""
    event_type = payload.get("eventType")
    event = WEBHOOK_EVENTS.get(str(event_type))
    if event is None:
        raise BadRequest(
            f"no product event handler for eventType {str(event_type)[:64]!r}; "
            f"expected one of {sorted(WEBHOOK_EVENTS)}",
            code="unknown_event",
        )
    body: dict[str, Any] = {
        k: v for k, v in payload.items() if k not in _VOLATILE and k != "eventType"
    }
    body["webhookEvent"] = event
    body.setdefault("timestamp", int(time.time() * 1000))
    if event.startswith("issuelink_") and "issueLink" not in body:
        body["issueLink"] = {k: body.pop(k) for k in _LINK_FIELDS if k in body}
    retry = payload.get("retryContext") or {}
    count = retry.get("retryCount", 0) if isinstance(retry, Mapping) else 0
    return WebhookDelivery(
        event=event,
        body=json.dumps(body).encode(),
        identifier=event_identifier(payload),
        retry=count if isinstance(count, int) else 0,
    )


def event_identifier(payload: Mapping[str, Any]) -> str:
    """A stable id for one event: retries carry the same payload (plus retry bookkeeping)."""
    stable = {k: v for k, v in payload.items() if k not in _VOLATILE}
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()
    return f"forge-{digest[:40]}"
