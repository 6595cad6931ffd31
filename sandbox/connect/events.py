"""Webhook bodies in the shapes Jira and Confluence Cloud actually deliver (REST v2 style)."""

from __future__ import annotations

import time
from typing import Any

from sandbox.confluence.store import Page
from sandbox.jira.render import JiraRenderer
from sandbox.jira.store import JiraEvent, Link

COMMENT_ISSUE_FIELDS = ("summary", "issuetype", "project", "priority", "status", "assignee")


def timestamp_ms() -> int:
    return int(time.time() * 1000)


def jira_payload(event: JiraEvent, renderer: JiraRenderer) -> dict[str, Any]:
    """The body of one Jira webhook, built at the moment of the change."""
    body: dict[str, Any] = {"timestamp": timestamp_ms(), "webhookEvent": event.webhook_event}
    if event.link is not None:
        body["issueLink"] = issue_link(event.link)
        return body
    issue = event.issue
    assert issue is not None  # noqa: S101 - every non-link event names its issue
    if event.webhook_event.startswith("comment_") and event.comment is not None:
        body["comment"] = renderer.comment(event.comment)
        fields = renderer.fields(issue)
        body["issue"] = {
            "id": issue.id,
            "self": renderer.api(f"issue/{issue.id}"),
            "key": issue.key,
            "fields": {k: fields[k] for k in COMMENT_ISSUE_FIELDS},
        }
        return body
    if event.type_name:
        body["issue_event_type_name"] = event.type_name
    body["user"] = renderer.user(event.actor)
    full = renderer.issue(issue)
    full.pop("expand", None)
    body["issue"] = full
    if event.changelog:
        body["changelog"] = {"id": str(int(time.time() * 1000) % 10**7), "items": event.changelog}
    if event.comment is not None:
        body["comment"] = renderer.comment(event.comment)
    return body


def issue_link(link: Link) -> dict[str, Any]:
    return {
        "id": int(link.id),
        "sourceIssueId": int(link.source_id),
        "destinationIssueId": int(link.destination_id),
        "issueLinkType": {
            "id": int(link.type.id),
            "name": link.type.name,
            "outwardName": link.type.outward,
            "inwardName": link.type.inward,
            "isSubTaskLinkType": False,
            "isSystemLinkType": False,
        },
        "systemLink": False,
    }


def confluence_page_payload(page: Page, actor: str, site_url: str) -> dict[str, Any]:
    created = int(page.created.timestamp() * 1000)
    body: dict[str, Any] = {
        "userAccountId": actor,
        "accountType": "customer",
        "timestamp": timestamp_ms(),
        "updateTrigger": "edit_page" if page.version.number > 1 else None,
        "page": {
            "id": int(page.id),
            "idAsString": page.id,
            "title": page.title,
            "spaceKey": page.space.key,
            "spaceId": int(page.space.id),
            "contentType": "page",
            "version": page.version.number,
            "creatorAccountId": page.author,
            "lastModifierAccountId": page.version.author,
            "creationDate": created,
            "modificationDate": int(page.version.created.timestamp() * 1000),
            "self": f"{site_url}/wiki/spaces/{page.space.key}/pages/{page.id}",
        },
    }
    if page.version.number == 1:
        del body["updateTrigger"]  # page_created carries none
    return body
