"""Cross-team work around expectations: Jira issue links between an expectation's issue and other
teams' issues (so the integrator view can show what blocks what), and the improvements that close
the loop ("You said → we did") when such a linked issue is done.

One row per link and expectation, whoever made it: the app (`POST …/links`, pushed through the
outbox) or someone in Jira (read from `issuelink_*` webhooks). The webhook that reports a link the
app made finds the app's row by the Jira link id, so the two are one row.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, utcnow
from connector.jira.adf import adf_doc, adf_mention, adf_paragraph, adf_text
from connector.jira.port import JiraPort, comment_id_of
from connector.practice.expectation_issues import IssueView, expectation_for_issue
from connector.practice.models import Expectation

log = logging.getLogger(__name__)

BLOCKS = "Blocks"
SOURCE, DESTINATION = "source", "destination"


class LinkOrigin(enum.StrEnum):
    APP = "app"  # asked for through the API; the sync makes it in Jira
    JIRA = "jira"  # made in Jira; read back from a webhook


class LinkState(enum.StrEnum):
    PENDING = "pending"  # waiting for the sync
    SYNCED = "synced"  # exists in Jira
    FAILED = "failed"  # the last push failed; the outbox retries it
    REMOVED = "removed"  # deleted in Jira (kept so a late `created` event cannot revive it)


class IssueLink(Base):
    """A Jira issue link seen from one expectation's issue (a link between two expectations'
    issues is two rows). Jira reads a link "source <outward> destination": the app's own links
    read "other issue serves the expectation's issue", so the expectation is the destination."""

    __tablename__ = "issue_links"
    __table_args__ = (UniqueConstraint("site_id", "jira_link_id", "expectation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    expectation_side: Mapped[str] = mapped_column(String(12))  # source | destination
    # The other issue: the app knows the key it was given, a webhook only the id.
    other_issue_key: Mapped[str | None] = mapped_column(String(32))
    other_issue_id: Mapped[str | None] = mapped_column(String(32), index=True)
    other_expectation_id: Mapped[int | None] = mapped_column(Integer)
    other_summary: Mapped[str | None] = mapped_column(String(500))
    other_status_category: Mapped[str | None] = mapped_column(String(16))
    jira_link_id: Mapped[str | None] = mapped_column(String(32))  # None until made in Jira
    link_type_name: Mapped[str] = mapped_column(String(64))
    outward_name: Mapped[str | None] = mapped_column(String(64))
    inward_name: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(8), default=LinkOrigin.APP)
    state: Mapped[str] = mapped_column(String(16), default=LinkState.PENDING)
    sync_error: Mapped[str | None] = mapped_column(Text)
    event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # newest Jira event applied
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @hybrid_property
    def blocks_expectation(self) -> bool:
        """Jira reads a `Blocks` link as "source blocks destination"."""
        return self.link_type_name == BLOCKS and self.expectation_side == DESTINATION

    @blocks_expectation.inplace.expression
    @classmethod
    def _blocks_expectation(cls) -> ColumnElement[bool]:
        return and_(cls.link_type_name == BLOCKS, cls.expectation_side == DESTINATION)


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
        (SOURCE, event.source_id, event.destination_id),
        (DESTINATION, event.destination_id, event.source_id),
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
    row = _row_of(session, expectation.site_id, expectation.id, event.link_id)
    if row is not None and row.event_at is not None and row.event_at >= event.at:
        return 0
    partner = expectation_for_issue(session, expectation.site_id, other, None)
    if row is None:
        row = IssueLink(
            site_id=expectation.site_id,
            expectation_id=expectation.id,
            jira_link_id=event.link_id,
            origin=LinkOrigin.JIRA.value,
        )
        session.add(row)
    row.expectation_side = side
    row.other_issue_id = other
    row.other_expectation_id = partner.id if partner else None
    row.link_type_name = event.type_name
    row.outward_name = event.outward
    row.inward_name = event.inward
    row.state = (LinkState.REMOVED if event.deleted else LinkState.SYNCED).value
    row.event_at = event.at
    return 1


def _row_of(session: Session, site_id: str, expectation_id: int, link_id: str) -> IssueLink | None:
    return session.scalars(
        select(IssueLink).where(
            IssueLink.site_id == site_id,
            IssueLink.jira_link_id == link_id,
            IssueLink.expectation_id == expectation_id,
        )
    ).first()


def link_made(
    session: Session, link: IssueLink, *, jira_link_id: str | None, other_issue_id: str
) -> None:
    """The sync made the app's link in Jira. Its webhook may have been processed first (and
    recorded the link as a row of its own): fold that row into this one, keeping what it saw."""
    link.other_issue_id = other_issue_id
    link.state, link.sync_error = LinkState.SYNCED.value, None
    if jira_link_id is None:
        return
    twin = _row_of(session, link.site_id, link.expectation_id, jira_link_id)
    if twin is not None and twin.id != link.id:
        link.other_expectation_id = twin.other_expectation_id
        link.expectation_side, link.link_type_name = twin.expectation_side, twin.link_type_name
        link.outward_name, link.inward_name = twin.outward_name, twin.inward_name
        link.event_at = twin.event_at
        if twin.state == LinkState.REMOVED:
            link.state = LinkState.REMOVED.value
        session.delete(twin)
        session.flush()  # the twin's link id is free before this row takes it
    link.jira_link_id = jira_link_id


def links_for(
    session: Session, site_id: str, expectation_ids: Iterable[int]
) -> dict[int, list[IssueLink]]:
    """Live links per expectation, whoever made them (`blocks_expectation` marks blockers)."""
    found: dict[int, list[IssueLink]] = {}
    rows = session.scalars(
        select(IssueLink)
        .where(
            IssueLink.site_id == site_id,
            IssueLink.expectation_id.in_(list(expectation_ids)),
            IssueLink.state != LinkState.REMOVED.value,
        )
        .order_by(IssueLink.id)
    )
    for row in rows:
        found.setdefault(row.expectation_id, []).append(row)
    return found


def note_linked_issue(session: Session, site_id: str, issue: IssueView) -> Sequence[IssueLink]:
    """Refresh what the links know of another team's issue; returns the live links to it."""
    rows = session.scalars(
        select(IssueLink).where(
            IssueLink.site_id == site_id,
            IssueLink.other_issue_id == issue.id,
            IssueLink.state != LinkState.REMOVED.value,
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
