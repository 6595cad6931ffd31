"""Asking customers for feedback on each expectation's cadence.

When an expectation comes due (a cadence has passed since it was agreed, last rated or last asked
about), the app comments on its Jira issue mentioning the customer team's lead and records an open
FeedbackRequest until a rating arrives. At most one request per expectation and cadence window:
the unique key makes a second scheduler run, or a rerun after a crash, a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, get_db, utcnow
from connector.domain.states import COMMITTED
from connector.jira.adf import adf_bullets, adf_doc, adf_mention, adf_paragraph, adf_text
from connector.jira.port import comment_id_of, jira_for
from connector.practice.crossteam import Improvement
from connector.practice.models import Expectation, Feedback

log = logging.getLogger(__name__)

SENDING, OPEN, ANSWERED, FAILED, EXPIRED = "sending", "open", "answered", "failed", "expired"
ASK = (
    " how well are we meeting this expectation? Reply with a comment whose first line reads "
    "\u201cRating: N/5 \u2014 why\u201d (1 = far from it, 5 = fully met), or rate it in the "
    "Internal customer feedback panel of this issue."
)


class FeedbackRequest(Base):
    __tablename__ = "feedback_requests"
    __table_args__ = (UniqueConstraint("expectation_id", "window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    window: Mapped[int] = mapped_column(Integer)  # cadence windows since the epoch
    state: Mapped[str] = mapped_column(String(16), default=SENDING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    comment_id: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


def window_of(at: datetime, cadence_days: int) -> int:
    return int(at.timestamp() // (max(1, cadence_days) * 86400))


def answer_open_requests(session: Session, expectation_id: int, feedback: Feedback) -> None:
    session.execute(
        update(FeedbackRequest)
        .where(
            FeedbackRequest.expectation_id == expectation_id,
            FeedbackRequest.state.in_((OPEN, SENDING, FAILED)),
        )
        .values(state=ANSWERED, answered_at=utcnow(), feedback_id=feedback.id)
        .execution_options(synchronize_session=False)
    )


def due(session: Session, site_id: str, now: datetime) -> list[Expectation]:
    """Committed expectations with an issue and a customer lead whose cadence has passed."""
    candidates = session.scalars(
        select(Expectation).where(
            Expectation.site_id == site_id,
            Expectation.state.in_([s.value for s in COMMITTED]),
            Expectation.jira_issue_key.is_not(None),
        )
    ).all()
    return [e for e in candidates if _is_due(session, e, now)]


def _is_due(session: Session, expectation: Expectation, now: datetime) -> bool:
    if not expectation.relationship.customer.lead_account_id:
        return False
    last_feedback = session.scalar(
        select(func.max(Feedback.at)).where(Feedback.expectation_id == expectation.id)
    )
    last_request = session.scalar(
        select(func.max(FeedbackRequest.requested_at)).where(
            FeedbackRequest.expectation_id == expectation.id,
            FeedbackRequest.state != FAILED,
        )
    )
    since = max(
        t
        for t in (expectation.agreed_at or expectation.created_at, last_feedback, last_request)
        if t is not None
    )
    return now - since >= timedelta(days=max(1, expectation.cadence_days))


def open_request(
    session: Session, expectation: Expectation, now: datetime
) -> FeedbackRequest | None:
    """Claim this window's request row (None when it exists and is not a failed one to retry)."""
    window = window_of(now, expectation.cadence_days)
    row = session.scalars(
        select(FeedbackRequest).where(
            FeedbackRequest.expectation_id == expectation.id, FeedbackRequest.window == window
        )
    ).first()
    if row is not None and row.state != FAILED:
        return None
    session.execute(
        update(FeedbackRequest)
        .where(FeedbackRequest.expectation_id == expectation.id, FeedbackRequest.state == OPEN)
        .values(state=EXPIRED)
        .execution_options(synchronize_session=False)
    )
    if row is None:
        row = FeedbackRequest(site_id=expectation.site_id, expectation_id=expectation.id)
        row.window = window
        session.add(row)
    row.state = SENDING
    row.requested_at = now
    row.error = None
    session.flush()
    return row


def request_body(
    expectation: Expectation, improvements: Sequence[Improvement]
) -> dict[str, object]:
    """The comment, in ADF: a mention of the customer lead, the question, and what we did."""
    lead = expectation.relationship.customer.lead_account_id or ""
    blocks = [adf_paragraph(adf_mention(lead), adf_text(ASK))]
    if improvements:
        blocks.append(adf_paragraph(adf_text("Since we last asked \u2014 you said \u2192 we did:")))
        blocks.append(adf_bullets([i.line() for i in improvements]))
    return adf_doc(*blocks)


def unannounced_improvements(session: Session, expectation_id: int) -> Sequence[Improvement]:
    return session.scalars(
        select(Improvement)
        .where(Improvement.expectation_id == expectation_id, Improvement.request_id.is_(None))
        .order_by(Improvement.done_at)
    ).all()


def send_due_requests(app: Flask, site_id: str, now: datetime) -> int:
    """Ask for feedback on every due expectation of the site; returns how many were asked."""
    database = get_db(app)
    with database.transaction() as session:
        ids = [e.id for e in due(session, site_id, now)]
    return sum(1 for expectation_id in ids if _ask(app, site_id, expectation_id, now))


def _ask(app: Flask, site_id: str, expectation_id: int, now: datetime) -> bool:
    database = get_db(app)
    try:
        with database.transaction() as session:
            expectation = session.get(Expectation, expectation_id)
            row = open_request(session, expectation, now) if expectation else None
            if expectation is None or row is None:
                return False
            improvements = unannounced_improvements(session, expectation_id)
            body = request_body(expectation, improvements)
            issue_key, request_id = str(expectation.jira_issue_key), row.id
            improvement_ids = [i.id for i in improvements]
    except IntegrityError:
        return False  # another scheduler run claimed this window first
    try:
        with database.transaction() as session:
            answer = jira_for(app, session, site_id).add_comment(issue_key, body)
    except Exception as error:  # noqa: BLE001 - any failure leaves a retryable row
        log.warning("feedback request failed", extra={"expectation": expectation_id})
        _settle(app, request_id, FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        return False
    _settle(app, request_id, OPEN, comment_id=comment_id_of(answer), improvements=improvement_ids)
    return True


def _settle(
    app: Flask,
    request_id: int,
    state: str,
    *,
    comment_id: str | None = None,
    error: str | None = None,
    improvements: Sequence[int] = (),
) -> None:
    with get_db(app).transaction() as session:
        row = session.get(FeedbackRequest, request_id)
        if row is None:
            return
        if row.state == SENDING:  # an answer may have arrived meanwhile
            row.state = state
        row.comment_id = comment_id
        row.error = error
        if improvements:
            session.execute(
                update(Improvement)
                .where(Improvement.id.in_(list(improvements)))
                .values(request_id=request_id)
                .execution_options(synchronize_session=False)
            )
