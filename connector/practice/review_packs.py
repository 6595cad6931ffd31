"""Review packs: a Confluence page per relationship and period, written by the app for the
quarterly review meeting between a supplier team and its customer.

The page goes in the space an administrator chose (`SiteSettings.review_space_key`), under a
parent page per relationship, with a stable title ("Payroll → People Operations: review
2026-Q4"): asking again updates that page. One row per relationship and period records where
the page is and whether the last write worked; a failed one is listed in the operations view
with a retry. The same table holds the integrators' pages (`connector.practice.review_integrator`):
a row per integrator and period, with no relationship. Confluence is reached through
`connector.jira.confluence` (either platform).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, utcnow
from connector.domain.errors import Conflict, NotFound, ValidationFailed
from connector.domain.periods import Period
from connector.jira.confluence import ConfluenceSite, WrittenPage, confluence_site
from connector.jira.site import JiraCallFailed
from connector.practice.models import Relationship
from connector.practice.relationships import relationship_by_id
from connector.practice.review_content import ReviewContent, review_content
from connector.practice.review_document import parent_document, review_document
from connector.practice.settings import site_settings

log = logging.getLogger(__name__)

ERROR_LENGTH = 500
TITLE_NAME_LENGTH = 230


class PackState(enum.StrEnum):
    WRITTEN = "written"
    FAILED = "failed"


class ReviewPack(Base):
    """Where one relationship's review pack (or one integrator's page) for one period was
    written, and how it went. Exactly one of `relationship_id` and `integrator_account_id` is
    set."""

    __tablename__ = "review_packs"
    __table_args__ = (
        UniqueConstraint("site_id", "relationship_id", "period"),
        UniqueConstraint("integrator_account_id", "site_id", "period"),
        CheckConstraint(
            "(relationship_id IS NULL) <> (integrator_account_id IS NULL)", name="one_subject"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    relationship_id: Mapped[int | None] = mapped_column(
        ForeignKey("relationships.id", ondelete="CASCADE"), index=True
    )
    # The integrator whose page this is (migration 0014_integrator_page).
    integrator_account_id: Mapped[str | None] = mapped_column(String(128), index=True)
    period: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(255))
    space_key: Mapped[str] = mapped_column(String(255))
    page_id: Mapped[str | None] = mapped_column(String(32))
    page_url: Mapped[str | None] = mapped_column(String(1024))
    page_version: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def titles(session: Session, relationship: Relationship, period: Period) -> tuple[str, str]:
    """The parent page's title and the pack's. The service is named only when the two teams
    have more than one relationship (titles are unique in a space)."""
    name = f"{relationship.supplier.name} → {relationship.customer.name}"
    twins = session.scalar(
        select(func.count()).where(
            Relationship.site_id == relationship.site_id,
            Relationship.supplier_id == relationship.supplier_id,
            Relationship.customer_id == relationship.customer_id,
        )
    )
    if (twins or 0) > 1:
        name += f" ({relationship.service[:80]})"
    name = name[:TITLE_NAME_LENGTH]  # Confluence's titles hold 255 characters
    return f"{name}: reviews", f"{name}: review {period.label}"


def review_space(session: Session, site_id: str) -> str:
    key = site_settings(session, site_id).review_space_key
    if not key:
        raise Conflict(
            "no Confluence space is chosen for review packs: an administrator sets"
            " reviewSpaceKey in the settings (PUT /api/v1/settings)",
            code="review_space_missing",
        )
    return key


def require_started(period: Period, now: datetime) -> None:
    if period.starts_at > now:
        raise ValidationFailed(
            f"period {period.label} has not started yet",
            details={"period": [f"starts on {period.first_day.isoformat()}"]},
        )


def _found(session: Session, relationship: Relationship, period: Period) -> ReviewPack | None:
    return session.scalars(
        select(ReviewPack).where(
            ReviewPack.site_id == relationship.site_id,
            ReviewPack.relationship_id == relationship.id,
            ReviewPack.period == period.label,
        )
    ).first()


def unwritten_row(session: Session, site_id: str, period: Period, **subject: Any) -> ReviewPack:
    """A new row for a page not written yet (a relationship's pack or an integrator's page)."""
    row = ReviewPack(
        site_id=site_id,
        period=period.label,
        attempts=0,
        state=PackState.FAILED.value,  # until a write succeeds
        error="not written yet",
        **subject,
    )
    session.add(row)
    return row


def _row(session: Session, relationship: Relationship, period: Period) -> ReviewPack:
    return _found(session, relationship, period) or unwritten_row(
        session, relationship.site_id, period, relationship_id=relationship.id
    )


def write_review_pack(
    app: Flask, session: Session, relationship: Relationship, period: Period, now: datetime
) -> ReviewPack:
    """Write (or rewrite) the pack; the row says how it went (a failure is recorded, not raised)."""
    require_started(period, now)
    space_key = review_space(session, relationship.site_id)
    parent_title, title = titles(session, relationship, period)
    row = _row(session, relationship, period)
    row.title, row.space_key, row.requested_at = title, space_key, now
    row.attempts = (row.attempts or 0) + 1
    content = review_content(session, relationship, period, now)
    try:
        confluence = confluence_site(app, session, relationship.site_id)
        written = _write(confluence, space_key, parent_title, title, content, now)
    except (JiraCallFailed, LookupError) as exc:
        record_failure(row, exc)
        log.warning(
            "review pack not written",
            extra={"relationship": relationship.id, "period": period.label, "error": row.error},
        )
    else:
        record_written(row, written, now)
    session.flush()
    return row


def record_failure(row: ReviewPack, exc: Exception) -> None:
    row.state = PackState.FAILED.value
    row.error = str(exc)[:ERROR_LENGTH]


def record_written(row: ReviewPack, written: WrittenPage, now: datetime) -> None:
    row.state, row.error = PackState.WRITTEN.value, None
    row.page_id, row.page_url, row.page_version = written.id, written.url, written.version
    row.written_at = now


def _write(
    confluence: ConfluenceSite,
    space_key: str,
    parent_title: str,
    title: str,
    content: ReviewContent,
    now: datetime,
) -> WrittenPage:
    """Three or four calls: the space, the parent (made once), the pack (found, then written)."""
    space_id = confluence.space_id(space_key)
    parent = confluence.write_page(
        space_id, parent_title, parent_document(content), only_create=True
    )
    return confluence.write_page(
        space_id,
        title,
        review_document(content, confluence.macro_node, now),
        parent_id=parent.id,
        message="Review pack rewritten by the Internal Customer Map",
    )


def pack_by_id(session: Session, site_id: str, pack_id: int) -> ReviewPack:
    row = session.get(ReviewPack, pack_id)
    if row is None or row.site_id != site_id:
        raise NotFound(f"no review pack {pack_id} on this site", details={"id": pack_id})
    return row


def failed_packs(session: Session, site_id: str, limit: int = 50) -> list[ReviewPack]:
    return list(
        session.scalars(
            select(ReviewPack)
            .where(ReviewPack.site_id == site_id, ReviewPack.state == PackState.FAILED.value)
            .order_by(ReviewPack.requested_at.desc())
            .limit(limit)
        )
    )


def retry_pack(app: Flask, session: Session, row: ReviewPack, now: datetime) -> ReviewPack:
    """Write a relationship's pack again (an integrator's page: `review_integrator.retry_page`)."""
    if row.relationship_id is None:
        raise Conflict(f"review pack {row.id} is an integrator's page", code="integrator_page")
    relationship = relationship_by_id(session, row.site_id, row.relationship_id)
    return write_review_pack(app, session, relationship, Period.parse(row.period), now)


def live_relationships(session: Session, site_id: str) -> Iterator[Relationship]:
    yield from session.scalars(
        select(Relationship)
        .where(Relationship.site_id == site_id, Relationship.state == "active")
        .order_by(Relationship.id)
    )


def scheduled_on(session: Session, site_id: str, now: datetime) -> bool:
    """Whether the quarterly run writes this site's packs today: its settings ask for it, a
    space is chosen, and today is in the quarter's last week."""
    settings = site_settings(session, site_id)
    if not (settings.review_packs_scheduled and settings.review_space_key):
        return False
    return Period.of(now.date()).in_last_week(now.date())


def written_on(pack: ReviewPack | None, now: datetime) -> bool:
    written = pack.written_at if pack is not None and pack.state == PackState.WRITTEN else None
    return written is not None and written.date() == now.date()


def write_site_packs(app: Flask, session: Session, site_id: str, now: datetime) -> int:
    """The quarterly run for one site: when its settings ask for it and today is in the
    quarter's last week, every live relationship's pack for this quarter (one written today is
    left alone, so hourly or repeated runs write each once a day). Packs written."""
    if not scheduled_on(session, site_id, now):
        return 0
    period = Period.of(now.date())
    written = 0
    for relationship in list(live_relationships(session, site_id)):
        if written_on(_found(session, relationship, period), now):
            continue
        pack = write_review_pack(app, session, relationship, period, now)
        written += pack.state == PackState.WRITTEN
    return written
