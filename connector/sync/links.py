"""Cross-team links: the site's `Internal customer` link type, and links to other teams' work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connector.jira.site import JiraCallFailed, JiraSite, LinkType
from connector.practice.crossteam import IssueLink, LinkState, link_made
from connector.practice.models import Expectation
from connector.practice.outbox import OutboxTask, complete, defer
from connector.practice.settings import site_settings
from connector.sync.pusher import SyncHooks

OUTWARD = "serves"
INWARD = "is served by"
FALLBACK = "Relates"


def ensure_link_type(
    session: Session, jira: JiraSite, tasks: list[OutboxTask], _hooks: SyncHooks
) -> None:
    settings = site_settings(session, tasks[0].site_id)
    try:
        found = jira.ensure_link_type(
            settings.link_type_name, outward=OUTWARD, inward=INWARD, fallback=FALLBACK
        )
    except JiraCallFailed as exc:
        defer(tasks, exc.message)
        return
    settings.link_type_id = found.id
    if found.name != settings.link_type_name:
        settings.link_type_name = found.name
    for task in tasks:
        complete(task)


def push_links(
    session: Session, jira: JiraSite, tasks: list[OutboxTask], _hooks: SyncHooks
) -> None:
    for task in tasks:
        link = session.get(IssueLink, task.ref_id) if task.ref_id else None
        if link is None or link.state in (LinkState.SYNCED, LinkState.REMOVED):
            complete(task)
            continue
        error = _push_link(session, jira, link)
        if error is None:
            complete(task)
        else:
            defer([task], error)


def _push_link(session: Session, jira: JiraSite, link: IssueLink) -> str | None:
    expectation = session.get_one(Expectation, link.expectation_id)
    if expectation.jira_issue_key is None:
        return "waiting for the expectation's issue"  # not pushed yet, or detached
    if link.other_issue_key is None:
        return "the link names no issue to link to"  # only the app's own links are pushed
    settings = site_settings(session, link.site_id)
    try:
        if settings.link_type_id is None:
            found = jira.ensure_link_type(
                settings.link_type_name, outward=OUTWARD, inward=INWARD, fallback=FALLBACK
            )
            settings.link_type_id, settings.link_type_name = found.id, found.name
        link_type = LinkType(settings.link_type_id, settings.link_type_name)
        made = jira.link_issues(
            link_type, source=link.other_issue_key, target=expectation.jira_issue_key
        )
    except JiraCallFailed as exc:
        link.state, link.sync_error = LinkState.FAILED.value, exc.message
        return exc.message
    link.link_type_name = link_type.name
    link_made(session, link, jira_link_id=made.link_id, other_issue_id=made.source_id)
    return None
