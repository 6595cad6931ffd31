"""Feedback on expectations: from the REST API, the issue panel, and rating comments in Jira.

Who may rate, however the rating comes (API, panel, a Jira comment): the customer side (its lead and
members) and the relationship's integrator, never the supplier side (`connector.domain.roles`).
Counting: every rating is kept; `connector.domain.health.counted` makes one per author per cadence
window count (the latest). A comment's rating lives in one row (`external_id` = comment id):
an edit updates it, a deletion removes it, and an older event never overwrites a newer one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, utcnow
from connector.domain.errors import NotFound, ValidationFailed
from connector.domain.ratings import comment_text, parse_rating
from connector.domain.roles import USER_REQUIRED, Action, refusal, require, require_user
from connector.practice.expectation_issues import expectation_for_issue, jira_time
from connector.practice.feedback_requests import answer_open_requests
from connector.practice.models import Expectation, Feedback, Relationship
from connector.practice.roles import relationship_standing

log = logging.getLogger(__name__)

SOURCE_COMMENT = "jira-comment"
SOURCE_API = "api"
SOURCE_PANEL = "panel"


class CommentMark(Base):
    """The newest event applied for one Jira comment on an expectation's issue (and tombstones),
    so a late or redelivered older event is recognised and dropped."""

    __tablename__ = "jira_comments"
    __table_args__ = (UniqueConstraint("site_id", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255))
    comment_id: Mapped[str] = mapped_column(String(64))
    expectation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    event_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


@dataclass(frozen=True)
class CommentEvent:
    comment_id: str
    issue_id: str | None
    issue_key: str | None
    author: str | None
    text: str
    created: datetime
    at: datetime  # the comment's `updated` (or, for a deletion, the webhook's timestamp)
    deleted: bool = False
    restricted: bool = False  # visible to a role or group only, or internal (JSM)


def comment_event(
    comment: Mapping[str, Any],
    issue_id: str | None,
    issue_key: str | None,
    at: datetime,
    *,
    deleted: bool = False,
) -> CommentEvent:
    """A Jira comment (a webhook's, body in wiki markup, or one listed by the REST API, body in
    ADF) as an event. `at` is when it was seen: the `created` of a comment without one, and for a
    deletion the event's time unless the comment was updated later."""
    created = jira_time(comment.get("created")) or at
    updated = jira_time(comment.get("updated")) or created
    return CommentEvent(
        comment_id=str(comment.get("id")),
        issue_id=issue_id,
        issue_key=issue_key,
        author=(comment.get("author") or {}).get("accountId"),
        text=comment_text(comment.get("body") or ""),
        created=created,
        at=max(at, updated) if deleted else updated,
        deleted=deleted,
        restricted=is_restricted(comment),
    )


def is_restricted(comment: Mapping[str, Any]) -> bool:
    """A comment not every reader of the issue sees: `visibility` set (a role or a group), or
    `jsdPublic: false` (a Service Management internal note). Its text is never kept, and its
    rating does not count: the macros and the API would show its score and author to readers
    the comment was hidden from."""
    return bool(comment.get("visibility")) or comment.get("jsdPublic") is False


def rating_refusal(
    session: Session, site_id: str, relationship: Relationship, account_id: str | None
) -> str | None:
    """Why this account's rating does not count, or None if it does."""
    if not account_id:
        return USER_REQUIRED
    standing = relationship_standing(session, site_id, account_id, relationship)
    return refusal(Action.RATE, standing)


def site_expectation(session: Session, site_id: str, expectation_id: int) -> Expectation:
    expectation = session.get(Expectation, expectation_id)
    if expectation is None or expectation.site_id != site_id:
        raise NotFound(f"no expectation {expectation_id} on this site")
    return expectation


def record_feedback(
    session: Session,
    site_id: str,
    expectation_id: int,
    *,
    rating: int,
    comment: str | None = None,
    author: str | None,
    source: str = SOURCE_API,
) -> Feedback:
    """A rating given in the app (REST API, issue panel, macro)."""
    expectation = site_expectation(session, site_id, expectation_id)
    if not 1 <= rating <= 5:
        raise ValidationFailed("rating must be 1..5", details={"rating": [f"got {rating}"]})
    require_user(author)
    require(Action.RATE, relationship_standing(session, site_id, author, expectation.relationship))
    feedback = Feedback(
        site_id=site_id,
        expectation_id=expectation.id,
        rating=rating,
        comment=comment or None,
        author_account_id=str(author),
        source=source,
        at=utcnow(),
    )
    session.add(feedback)
    session.flush()
    answer_open_requests(session, expectation.id, feedback)
    return feedback


def feedback_for(session: Session, site_id: str, expectation_id: int) -> Sequence[Feedback]:
    site_expectation(session, site_id, expectation_id)
    return session.scalars(
        select(Feedback)
        .where(Feedback.site_id == site_id, Feedback.expectation_id == expectation_id)
        .order_by(Feedback.at.desc(), Feedback.id.desc())
    ).all()


def apply_comment(session: Session, site_id: str, event: CommentEvent) -> str:
    """Bring one comment's feedback up to date with `event`; returns what happened (for logs)."""
    expectation = expectation_for_issue(session, site_id, event.issue_id, event.issue_key)
    if expectation is None:
        return "ignored: not an expectation's issue"
    mark = session.scalars(
        select(CommentMark).where(
            CommentMark.site_id == site_id, CommentMark.comment_id == event.comment_id
        )
    ).first()
    if mark is not None and mark.event_at >= event.at:
        return "stale: a newer event for this comment was applied"
    if mark is None:
        mark = CommentMark(site_id=site_id, comment_id=event.comment_id)
        session.add(mark)
    mark.expectation_id = expectation.id
    mark.event_at = event.at
    mark.deleted = event.deleted
    if event.deleted:
        remove_comment_feedback(session, site_id, event.comment_id)
        return "removed"
    return _rate_from_comment(session, expectation, event)


def _rate_from_comment(session: Session, expectation: Expectation, event: CommentEvent) -> str:
    if event.restricted:
        remove_comment_feedback(session, expectation.site_id, event.comment_id)
        return "ignored: a restricted comment"
    parsed = parse_rating(event.text)
    refused = rating_refusal(session, expectation.site_id, expectation.relationship, event.author)
    if parsed is None or refused:
        remove_comment_feedback(session, expectation.site_id, event.comment_id)
        if parsed is not None:
            log.info(
                "rating comment ignored",
                extra={"comment": event.comment_id, "reason": refused, "issue": event.issue_key},
            )
            return f"ignored: {refused}"
        return "no rating"
    feedback = session.scalars(
        select(Feedback).where(
            Feedback.site_id == expectation.site_id,
            Feedback.source == SOURCE_COMMENT,
            Feedback.external_id == event.comment_id,
        )
    ).first()
    if feedback is None:
        feedback = Feedback(
            site_id=expectation.site_id,
            source=SOURCE_COMMENT,
            external_id=event.comment_id,
            expectation_id=expectation.id,
        )
        session.add(feedback)
    feedback.rating = parsed.value
    feedback.comment = parsed.comment
    feedback.author_account_id = str(event.author)
    feedback.at = event.created
    session.flush()
    answer_open_requests(session, expectation.id, feedback)
    return f"rated {parsed.value}/5"


def remove_comment_feedback(session: Session, site_id: str, comment_id: str) -> None:
    session.execute(
        delete(Feedback).where(
            Feedback.site_id == site_id,
            Feedback.source == SOURCE_COMMENT,
            Feedback.external_id == comment_id,
        )
    )
