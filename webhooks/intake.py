"""Taking a verified delivery into the inbox: no Jira calls, no domain work, one INSERT.

Only the fields the handlers read are stored (`webhooks.kept`), not the whole payload. A body that
is not a JSON object naming its `webhookEvent` is stored as received, `parked` with the reason (for
inspection, until PARKED_KEEP_DAYS), and answered 400; an event outside the dispatch table is
stored `ignored`, by name only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from flask import Response, current_app
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers

from connector.domain.caller import Caller
from connector.domain.errors import BadRequest
from connector.web.limits import MAX_JSON_DEPTH, json_depth
from webhooks.committer import GroupCommitter
from webhooks.handlers import HANDLERS, IGNORED
from webhooks.inbox import Delivery, DeliveryState, event_time, store
from webhooks.kept import kept_fields

log = logging.getLogger(__name__)

SLUGS = {
    "issue-updated": "jira:issue_updated",
    "issue-deleted": "jira:issue_deleted",
    "comment-created": "comment_created",
    "comment-updated": "comment_updated",
    "comment-deleted": "comment_deleted",
    "issuelink-created": "issuelink_created",
    "issuelink-deleted": "issuelink_deleted",
}
COMMITTER = "icm.inbox_committer"  # app.extensions key of the group committer, when there is one


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def receive(
    session: Callable[[], Session],
    caller: Caller,
    event: str,
    headers: Mapping[str, str] | Headers,
    raw: bytes,
) -> bool:
    """Store one delivery of `event` (the name it is stored under if the body names none); True
    when new, False for a duplicate. BadRequest (after storing it as parked) when the body cannot
    be read. `session` gives the request's session, asked for only when there is no group
    committer (SQLite): on PostgreSQL a delivery opens no ORM session at all."""
    text = raw.decode("utf-8", errors="replace")
    payload, problem = _parse(text)
    if payload:
        event = str(payload["webhookEvent"])
    state, error = _triage(event, problem)
    delivery = Delivery(
        site_id=caller.site_id,
        client_key=caller.installation,
        event=event,
        webhook_id=headers.get("X-Atlassian-Webhook-Identifier") or None,
        retry_count=_int(headers.get("X-Atlassian-Webhook-Retry")),
        flow=headers.get("X-Atlassian-Webhook-Flow") or None,
        body=_kept(payload) if payload else text,  # at most the route's body limit (web.limits)
        event_at=event_time(payload.get("timestamp")) if payload else None,
        state=state,
        error=error,
    )
    fresh = commit(session, delivery)
    if problem:
        log.warning(
            "malformed webhook parked",
            extra={"event": event, "client_key": caller.installation, "error": problem},
        )
        raise BadRequest(f"the webhook body could not be read: {problem}", code="malformed_webhook")
    return fresh


def commit(session: Callable[[], Session], delivery: Delivery) -> bool:
    """Store the delivery and commit it before returning: through the process's group committer
    when the app has one (PostgreSQL), else in the request's own session."""
    committer: GroupCommitter | None = current_app.extensions.get(COMMITTER)
    if committer is not None:
        return committer.submit(delivery)
    own = session()
    fresh = store(own, delivery)
    own.commit()
    return fresh


def acknowledgement(fresh: bool) -> Response:
    """The answer to a stored delivery: 204 (no Content-Type: `connector.web.headers`), flagged
    when it was a duplicate."""
    response = Response(status=204)
    if not fresh:
        response.headers["X-ICM-Duplicate"] = "1"
    return response


def _kept(payload: dict[str, Any]) -> str:
    kept = kept_fields(payload)
    try:
        return orjson.dumps(kept).decode()  # compact; non-ASCII as UTF-8 rather than escaped
    except TypeError:  # a lone surrogate (escaped in the body): the json module keeps it
        return json.dumps(kept, separators=(",", ":"))


def _parse(text: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        payload = orjson.loads(text)  # faster than the json module (bench/README.md)
    except orjson.JSONDecodeError:
        payload, problem = _parse_strictly(text)  # what orjson refuses, json decides as before
        if problem:
            return None, problem
    if json_depth(payload) > MAX_JSON_DEPTH:
        return None, f"the body nests deeper than {MAX_JSON_DEPTH} levels"
    if not isinstance(payload, dict):
        return None, "the body is not a JSON object"
    if not isinstance(payload.get("webhookEvent"), str) or not payload["webhookEvent"]:
        return None, "the body names no webhookEvent"
    return payload, None


def _parse_strictly(text: str) -> tuple[Any, str | None]:
    """The json module's reading of a body orjson refused (lone surrogates, NaN, nesting deeper
    than orjson's 1,024 levels), so that what is parked, and why, does not depend on orjson."""
    try:
        return json.loads(text), None
    except ValueError:
        return None, "the body is not JSON"
    except RecursionError:
        return None, f"the body nests deeper than {MAX_JSON_DEPTH} levels"


def _triage(event: str, problem: str | None) -> tuple[DeliveryState, str | None]:
    if problem:
        return DeliveryState.PARKED, problem
    if event in HANDLERS:
        return DeliveryState.PENDING, None
    if event in IGNORED:
        return DeliveryState.IGNORED, None
    log.info("unknown webhook event ignored", extra={"event": event[:64]})
    return DeliveryState.IGNORED, f"no handler for event {event[:64]!r}"
