"""Reconciliation: webhooks are not guaranteed delivery, so the scheduler asks Jira by JQL which
expectation issues changed since its last run (minus a margin) and replays what it finds through
the same services as the webhook handlers: status changes, rating comments, deleted comments.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, get_db
from connector.jira.port import jira_for
from connector.practice.expectation_issues import (
    apply_status,
    expectation_for_issue,
    issue_view,
    jira_time,
)
from connector.practice.feedback import SOURCE_COMMENT, CommentEvent, apply_comment, comment_event
from connector.practice.models import Feedback

log = logging.getLogger(__name__)

LABEL = "internal-customer"
MARGIN = timedelta(minutes=10)
FIRST_LOOKBACK = timedelta(days=1)
FIELDS = ("summary", "status", "updated", "comment")


class ReconcileMark(Base):
    """When reconciliation last completed for a site."""

    __tablename__ = "reconcile_marks"

    site_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime())


def jql_since(last_run: datetime | None, now: datetime) -> str:
    """Relative minutes, so the site's time zone cannot shift the window."""
    since = (last_run or now - FIRST_LOOKBACK) - MARGIN
    minutes = max(1, math.ceil((now - since).total_seconds() / 60))
    return f'labels = {LABEL} AND updated >= "-{minutes}m" ORDER BY updated ASC'


def reconcile_site(app: Flask, site_id: str, now: datetime) -> int:
    """Replay what Jira says about the site's recently updated expectation issues."""
    database = get_db(app)
    with database.transaction() as session:
        mark = session.get(ReconcileMark, site_id)
        jql = jql_since(mark.last_run_at if mark else None, now)
        issues = list(jira_for(app, session, site_id).search_jql(jql, FIELDS, 100))
    for issue in issues:
        with database.transaction() as session:
            apply_issue(session, site_id, issue, now)
    with database.transaction() as session:
        mark = session.get(ReconcileMark, site_id) or ReconcileMark(site_id=site_id)
        mark.last_run_at = now
        session.add(mark)
    return len(issues)


def apply_issue(session: Session, site_id: str, issue: Mapping[str, Any], now: datetime) -> None:
    fields = issue.get("fields") or {}
    view = issue_view(issue, jira_time(fields.get("updated")) or now)
    expectation = expectation_for_issue(session, site_id, view.id, view.key)
    if expectation is None:
        return
    outcome = apply_status(expectation, view)
    log.debug("reconciled status", extra={"issue": view.key, "outcome": outcome})
    listing = fields.get("comment") or {}
    comments = listing.get("comments") or []
    seen = set()
    for comment in comments:
        event = comment_event(comment, view.id, view.key, now)
        seen.add(event.comment_id)
        apply_comment(session, site_id, event)
    if listing.get("total", len(comments)) <= len(comments):
        _forget_deleted(session, site_id, expectation.id, view.id, view.key, seen, now)


def _forget_deleted(
    session: Session,
    site_id: str,
    expectation_id: int,
    issue_id: str,
    issue_key: str,
    seen: set[str],
    now: datetime,
) -> None:
    """The issue lists every comment: a rated comment no longer there was deleted."""
    rated = session.scalars(
        select(Feedback.external_id).where(
            Feedback.expectation_id == expectation_id, Feedback.source == SOURCE_COMMENT
        )
    )
    for comment_id in [c for c in rated if c and c not in seen]:
        deleted = CommentEvent(comment_id, issue_id, issue_key, None, "", now, now, deleted=True)
        apply_comment(session, site_id, deleted)
