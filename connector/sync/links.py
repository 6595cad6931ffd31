"""Cross-team links: the site's `Internal customer` link type, and links to other teams' work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connector.jira import JiraCallFailed, JiraSite, LinkType
from connector.organisation import Expectation, SyncState
from connector.services.settings import site_settings
from connector.sync.models import IssueLink, OutboxTask
from connector.sync.outbox import complete, defer
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
        defer(session, tasks, exc.message)
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
        if link is None or link.sync_state == SyncState.SYNCED.value:
            complete(task)
            continue
        error = _push_link(session, jira, link)
        if error is None:
            complete(task)
        else:
            defer(session, [task], error)


def _push_link(session: Session, jira: JiraSite, link: IssueLink) -> str | None:
    expectation = session.get_one(Expectation, link.expectation_id)
    if expectation.jira_issue_key is None:
        return "waiting for the expectation's issue"
    settings = site_settings(session, link.site_id)
    try:
        if settings.link_type_id is None:
            found = jira.ensure_link_type(
                settings.link_type_name, outward=OUTWARD, inward=INWARD, fallback=FALLBACK
            )
            settings.link_type_id, settings.link_type_name = found.id, found.name
        link_type = LinkType(settings.link_type_id, settings.link_type_name)
        link.jira_link_id = jira.link_issues(
            link_type, source=link.issue_key, target=expectation.jira_issue_key
        )
    except JiraCallFailed as exc:
        link.sync_state, link.sync_error = SyncState.FAILED.value, exc.message
        return exc.message
    link.sync_state, link.sync_error = SyncState.SYNCED.value, None
    return None
