"""One handler per Jira event, in a dispatch table, and the events deliberately left alone.

A handler reads the stored payload, calls one domain service, and returns what happened (for the
log). Handlers are idempotent: the worker delivers at least once, and reconciliation replays what
Jira says through the same services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from connector.jira.port import jira_for
from connector.practice.crossteam import (
    LinkEvent,
    announce,
    apply_link,
    note_linked_issue,
    record_improvements,
)
from connector.practice.expectation_issues import (
    DONE,
    apply_status,
    detach,
    expectation_for_issue,
    issue_view,
)
from connector.practice.feedback import CommentEvent, apply_comment, comment_event

log = logging.getLogger(__name__)


class MalformedPayload(ValueError):
    """The body lacks what its event must carry; retrying will not help."""


@dataclass(frozen=True)
class Context:
    app: Flask
    session: Session
    site_id: str
    payload: Mapping[str, Any]
    at: datetime  # the event's timestamp (or when it was received)


Handler = Callable[[Context], str]


def _require(mapping: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = mapping.get(name)
    if not isinstance(value, Mapping):
        raise MalformedPayload(f"the payload has no {name!r} object")
    return value


def issue_updated(ctx: Context) -> str:
    issue = issue_view(_require(ctx.payload, "issue"), ctx.at)
    items = (ctx.payload.get("changelog") or {}).get("items") or []
    status_changed = any(item.get("field") == "status" for item in items)
    expectation = expectation_for_issue(ctx.session, ctx.site_id, issue.id, issue.key)
    if expectation is not None:
        return apply_status(expectation, issue) if status_changed else "no status change"
    if not (status_changed and issue.status_category == DONE):
        note_linked_issue(ctx.session, ctx.site_id, issue)
        return "ignored: not an expectation's issue"
    improvements = record_improvements(ctx.session, ctx.site_id, issue)
    if improvements:
        jira = jira_for(ctx.app, ctx.session, ctx.site_id)
        for improvement in improvements:
            announce(ctx.session, jira, improvement)
    return f"improvements: {len(improvements)}"


def issue_deleted(ctx: Context) -> str:
    issue = _require(ctx.payload, "issue")
    return detach(ctx.session, ctx.site_id, str(issue.get("id", "")), issue.get("key"), ctx.at)


def _comment_event(ctx: Context, *, deleted: bool) -> CommentEvent:
    comment, issue = _require(ctx.payload, "comment"), _require(ctx.payload, "issue")
    if not comment.get("id"):
        raise MalformedPayload("the comment has no id")
    issue_id = str(issue.get("id") or "") or None
    return comment_event(comment, issue_id, issue.get("key"), ctx.at, deleted=deleted)


def comment_changed(ctx: Context) -> str:
    return apply_comment(ctx.session, ctx.site_id, _comment_event(ctx, deleted=False))


def comment_deleted(ctx: Context) -> str:
    return apply_comment(ctx.session, ctx.site_id, _comment_event(ctx, deleted=True))


def _link_event(ctx: Context, *, deleted: bool) -> LinkEvent:
    link = _require(ctx.payload, "issueLink")
    kind = link.get("issueLinkType") or {}
    try:
        return LinkEvent(
            link_id=str(link["id"]),
            source_id=str(link["sourceIssueId"]),
            destination_id=str(link["destinationIssueId"]),
            type_name=str(kind.get("name") or ""),
            outward=kind.get("outwardName"),
            inward=kind.get("inwardName"),
            at=ctx.at,
            deleted=deleted,
        )
    except KeyError as missing:
        raise MalformedPayload(f"the issue link has no {missing}") from None


def issuelink_created(ctx: Context) -> str:
    return apply_link(ctx.session, ctx.site_id, _link_event(ctx, deleted=False))


def issuelink_deleted(ctx: Context) -> str:
    return apply_link(ctx.session, ctx.site_id, _link_event(ctx, deleted=True))


HANDLERS: dict[str, Handler] = {
    "jira:issue_updated": issue_updated,
    "jira:issue_deleted": issue_deleted,
    "comment_created": comment_changed,
    "comment_updated": comment_changed,
    "comment_deleted": comment_deleted,
    "issuelink_created": issuelink_created,
    "issuelink_deleted": issuelink_deleted,
}

# Acknowledged and stored as `ignored`: nothing in the practice changes when they happen.
IGNORED: frozenset[str] = frozenset(
    {
        "jira:issue_created",  # the app creates expectation issues itself
        "jira:worklog_updated",
        "worklog_created",
        "worklog_updated",
        "worklog_deleted",
        "attachment_created",
        "attachment_deleted",
        "project_created",
        "project_updated",
        "project_deleted",
        "sprint_started",
        "sprint_closed",
        "board_updated",
        "user_created",
        "user_updated",
        "user_deleted",
        "issue_property_set",
        "issue_property_deleted",
        "jira:version_released",
    }
)


def handler_for(event: str) -> Handler | None:
    return HANDLERS.get(event)
