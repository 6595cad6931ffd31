"""Cross-team work around expectations: Jira issue links between an expectation's issue and other
teams' issues (so the integrator view can show what blocks what), and the improvements that close
the loop ("You said → we did") when such a linked issue is done.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, utcnow
from connector.expectation_issues import IssueView, expectation_for_issue
from connector.jira_access import (
    JiraPort,
    adf_doc,
    adf_mention,
    adf_paragraph,
    adf_text,
    comment_id_of,
)
from connector.organisation import Expectation

log = logging.getLogger(__name__)

BLOCKS = "Blocks"


class CrossTeamLink(Base):
    """A Jira issue link seen from one expectation's issue (one row per expectation side)."""

    __tablename__ = "cross_team_links"
    __table_args__ = (UniqueConstraint("site_id", "link_id", "expectation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    link_id: Mapped[str] = mapped_column(String(32))
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    expectation_side: Mapped[str] = mapped_column(String(12))  # source | destination
    other_issue_id: Mapped[str] = mapped_column(String(32), index=True)
    other_expectation_id: Mapped[int | None] = mapped_column(Integer)
    other_issue_key: Mapped[str | None] = mapped_column(String(32))
    other_summary: Mapped[str | None] = mapped_column(String(500))
    other_status_category: Mapped[str | None] = mapped_column(String(16))
    link_type_name: Mapped[str] = mapped_column(String(64))
    outward_name: Mapped[str | None] = mapped_column(String(64))
    inward_name: Mapped[str | None] = mapped_column(String(64))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    event_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def blocks_expectation(self) -> bool:
        """Jira reads a link as "source blocks destination"."""
        return self.link_type_name == BLOCKS and self.expectation_side == "destination"


class Improvement(Base):
    """Work done in answer to an expectation: announced once on the expectation's issue."""

    __tablename__ = "improvements"
    __table_args__ = (UniqueConstraint("expectation_id", "issue_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    issue_id: Mapped[str] = mapped_column(String(32))
    issue_key: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(500))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    comment_id: Mapped[str | None] = mapped_column(String(64))
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    request_id: Mapped[int | None] = mapped_column(Integer)  # the feedback request that cited it

    def line(self) -> str:
        return f"{self.summary} ({self.issue_key or self.issue_id})"


@dataclass(frozen=True)
class LinkEvent:
    link_id: str
    source_id: str
    destination_id: str
    type_name: str
    outward: str | None
    inward: str | None
    at: datetime
    deleted: bool = False


def apply_link(session: Session, site_id: str, event: LinkEvent) -> str:
    sides = (
        ("source", event.source_id, event.destination_id),
        ("destination", event.destination_id, event.source_id),
    )
    touched = 0
    for side, mine, other in sides:
        expectation = expectation_for_issue(session, site_id, mine, None)
        if expectation is not None:
            touched += _apply_link_side(session, expectation, side, other, event)
    return f"links updated: {touched}" if touched else "ignored: no expectation issue linked"


def _apply_link_side(
    session: Session, expectation: Expectation, side: str, other: str, event: LinkEvent
) -> int:
    row = session.scalars(
        select(CrossTeamLink).where(
            CrossTeamLink.site_id == expectation.site_id,
            CrossTeamLink.link_id == event.link_id,
            CrossTeamLink.expectation_id == expectation.id,
        )
    ).first()
    if row is not None and row.event_at >= event.at:
        return 0
    partner = expectation_for_issue(session, expectation.site_id, other, None)
    if row is None:
        row = CrossTeamLink(
            site_id=expectation.site_id, link_id=event.link_id, expectation_id=expectation.id
        )
        session.add(row)
    row.expectation_side = side
    row.other_issue_id = other
    row.other_expectation_id = partner.id if partner else None
    row.link_type_name = event.type_name
    row.outward_name = event.outward
    row.inward_name = event.inward
    row.removed = event.deleted
    row.event_at = event.at
    return 1


def links_for(
    session: Session, site_id: str, expectation_ids: Iterable[int]
) -> dict[int, list[CrossTeamLink]]:
    """Live links per expectation, for the integrator view (`blocks_expectation` marks blockers)."""
    found: dict[int, list[CrossTeamLink]] = {}
    rows = session.scalars(
        select(CrossTeamLink).where(
            CrossTeamLink.site_id == site_id,
            CrossTeamLink.expectation_id.in_(list(expectation_ids)),
            CrossTeamLink.removed.is_(False),
        )
    )
    for row in rows:
        found.setdefault(row.expectation_id, []).append(row)
    return found


def note_linked_issue(session: Session, site_id: str, issue: IssueView) -> Sequence[CrossTeamLink]:
    """Refresh what the links know of another team's issue; returns the live links to it."""
    rows = session.scalars(
        select(CrossTeamLink).where(
            CrossTeamLink.site_id == site_id,
            CrossTeamLink.other_issue_id == issue.id,
            CrossTeamLink.removed.is_(False),
        )
    ).all()
    for row in rows:
        row.other_issue_key = issue.key
        row.other_summary = issue.summary[:500]
        row.other_status_category = issue.status_category
    return rows


def record_improvements(session: Session, site_id: str, issue: IssueView) -> list[Improvement]:
    """A linked non-expectation issue reached done: a new Improvement per expectation it serves."""
    created = []
    for link in note_linked_issue(session, site_id, issue):
        if link.other_expectation_id is not None:
            continue
        exists = session.scalars(
            select(Improvement.id).where(
                Improvement.expectation_id == link.expectation_id,
                Improvement.issue_id == issue.id,
            )
        ).first()
        if exists is None:
            improvement = Improvement(
                site_id=site_id,
                expectation_id=link.expectation_id,
                issue_id=issue.id,
                issue_key=issue.key,
                summary=issue.summary[:500],
                done_at=issue.at,
            )
            session.add(improvement)
            created.append(improvement)
    session.flush()
    return created


def announce(session: Session, jira: JiraPort, improvement: Improvement) -> None:
    """Post "You said → we did" on the expectation's issue, mentioning the customer lead."""
    expectation = session.get(Expectation, improvement.expectation_id)
    if expectation is None or not expectation.jira_issue_key:
        return
    lead = expectation.relationship.customer.lead_account_id
    nodes = [adf_mention(lead), adf_text(" ")] if lead else []
    nodes.append(adf_text(f"You said → we did: {improvement.line()}"))
    answer = jira.add_comment(expectation.jira_issue_key, adf_doc(adf_paragraph(*nodes)))
    improvement.comment_id = comment_id_of(answer)
    improvement.announced_at = utcnow()
    log.info(
        "improvement announced",
        extra={"expectation": expectation.id, "issue": improvement.issue_key},
    )
