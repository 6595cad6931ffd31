"""Jira's records as the sandbox keeps them: issues, comments, links, and change events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox import adf
from sandbox.directory import DEFAULT_PRIORITY, STATUSES, IssueType, Project, Status, now


@dataclass
class Comment:
    id: str
    issue_id: str
    author: str
    body: dict[str, Any]
    text: str
    created: datetime
    updated: datetime
    update_author: str


@dataclass
class Issue:
    id: str
    key: str
    project: Project
    issuetype: IssueType
    summary: str
    reporter: str
    created: datetime
    description: dict[str, Any] | None = None
    labels: list[str] = field(default_factory=list)
    status: Status = STATUSES[0]
    resolved: datetime | None = None
    assignee: str | None = None
    priority: tuple[str, str] = DEFAULT_PRIORITY
    parent_id: str | None = None
    duedate: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    updated: datetime = field(default_factory=now)
    status_changed: datetime = field(default_factory=now)


@dataclass
class LinkType:
    id: str
    name: str
    inward: str
    outward: str


@dataclass
class Link:
    """`source` is the issue the outward description reads from ("source blocks destination")."""

    id: str
    type: LinkType
    source_id: str
    destination_id: str


@dataclass
class JiraEvent:
    webhook_event: str
    actor: str
    issue: Issue | None = None
    type_name: str | None = None
    changelog: list[dict[str, Any]] = field(default_factory=list)
    comment: Comment | None = None
    link: Link | None = None
    secondary: bool = False


Listener = Callable[[JiraEvent], None]


def change_item(
    field: str, old: Any, new: Any, old_text: str | None, new_text: str | None
) -> dict[str, Any]:
    return {
        "field": field,
        "fieldtype": "jira",
        "fieldId": field,
        "from": old,
        "fromString": old_text,
        "to": new,
        "toString": new_text,
    }


def creation_log(issue: Issue) -> list[dict[str, Any]]:
    """The changelog Jira attaches to `jira:issue_created`: what differs from an empty issue."""
    items = [
        change_item("summary", None, None, None, issue.summary),
        change_item("status", None, issue.status.id, None, issue.status.name),
        change_item("priority", None, issue.priority[0], None, issue.priority[1]),
    ]
    if issue.description is not None:
        items.append(change_item("description", None, None, None, adf.to_text(issue.description)))
    if issue.labels:
        items.append(change_item("labels", None, None, None, " ".join(issue.labels)))
    return items
