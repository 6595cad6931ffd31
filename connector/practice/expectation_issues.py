"""What happens to an expectation when its Jira issue changes: status moves the state machine
(done -> met, reopened from done -> agreed), a deleted issue detaches the expectation (its data is
kept). An event older than the newest one applied (`Expectation.jira_event_at`) changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, lazyload

from connector.domain.states import ExpectationState, allowed_from
from connector.practice.models import Expectation, SyncState

log = logging.getLogger(__name__)

DETACHED = SyncState.DETACHED.value  # sync_state of an expectation whose Jira issue was deleted
DONE = "done"


@dataclass(frozen=True)
class IssueView:
    """The fields of a Jira issue the feedback loop reads (from a webhook or a search)."""

    id: str
    key: str
    summary: str
    status_category: str | None  # new | indeterminate | done
    at: datetime


def jira_time(value: Any) -> datetime | None:
    """Jira's `2020-07-28T14:12:54.883-0700` (or ISO 8601) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    for parse in (datetime.fromisoformat, _strptime):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    return None


def _strptime(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


def issue_view(issue: Mapping[str, Any], at: datetime) -> IssueView:
    fields = issue.get("fields") or {}
    status = fields.get("status") or {}
    category = (status.get("statusCategory") or {}).get("key")
    return IssueView(
        id=str(issue.get("id", "")),
        key=str(issue.get("key", "")),
        summary=str(fields.get("summary") or ""),
        status_category=str(category) if category else None,
        at=at,
    )


def expectation_for_issue(
    session: Session, site_id: str, issue_id: str | None, issue_key: str | None
) -> Expectation | None:
    conditions = []
    if issue_id:
        conditions.append(Expectation.jira_issue_id == str(issue_id))
    if issue_key:
        conditions.append(Expectation.jira_issue_key == issue_key)
    if not conditions:
        return None
    query = (
        select(Expectation)
        .where(Expectation.site_id == site_id, or_(*conditions))
        .options(lazyload(Expectation.measures))  # the feedback loop rarely reads them
        .limit(1)
    )
    return session.scalars(query).first()


def apply_status(expectation: Expectation, issue: IssueView) -> str:
    """Move the expectation's state to follow its issue's status category."""
    if expectation.jira_event_at is not None and expectation.jira_event_at >= issue.at:
        return "stale: a newer event for this issue was applied"
    expectation.jira_event_at = issue.at
    if issue.key and expectation.jira_issue_key != issue.key:
        expectation.jira_issue_key = issue.key  # the issue moved project
    target = _target_state(expectation.state, issue.status_category)
    if target is None:
        return f"no state change ({expectation.state}, status {issue.status_category})"
    log.info(
        "expectation state follows Jira",
        extra={"expectation": expectation.id, "from": expectation.state, "to": target.value},
    )
    expectation.state = target.value
    return f"state {target.value}"


def _target_state(state: str, category: str | None) -> ExpectationState | None:
    if category == DONE:
        wanted = ExpectationState.MET
    elif category is not None and state == ExpectationState.MET:
        wanted = ExpectationState.AGREED  # reopened in Jira
    else:
        return None
    if state == wanted or wanted not in allowed_from(state):
        return None
    return wanted


def detach(
    session: Session, site_id: str, issue_id: str | None, issue_key: str | None, at: datetime
) -> str:
    """The issue is gone from Jira: keep the expectation and its feedback, forget the issue."""
    expectation = expectation_for_issue(session, site_id, issue_id, issue_key)
    if expectation is None:
        return "ignored: not an expectation's issue"
    expectation.sync_error = f"the Jira issue {issue_key or issue_id} was deleted in Jira"
    expectation.sync_state = DETACHED
    expectation.jira_issue_key = None
    expectation.jira_issue_id = None
    expectation.jira_event_at = at
    return "detached"
