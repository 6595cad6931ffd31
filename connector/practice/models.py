"""The organisation of a site: teams, the customer/supplier relationships between them, goals,
and the expectations customers state, with their measures (DESIGN §2).

Every row carries `site_id`: a request authenticated for one site never reaches another's rows.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import relationship as relation

from connector.db import Base, UTCDateTime, utcnow
from connector.domain.conversation import SEED_QUESTION, follow_ups_or_default


class SyncState(enum.StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    FAILED = "failed"
    DETACHED = "detached"  # its Jira issue was deleted in Jira; only a re-attach makes a new one


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    jira_project_key: Mapped[str | None] = mapped_column(String(32))
    lead_account_id: Mapped[str | None] = mapped_column(String(128))
    # Set when the lead's Atlassian account closed (the lead is erased): "former lead", and the
    # team needs a new one. Cleared when a lead is set again.
    lead_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def former_lead(self) -> bool:
        """The lead's account closed: shown as "former lead" until a new lead is set."""
        return self.lead_closed_at is not None


class Relationship(Base):
    """Supplier team -> customer team: what is supplied, and the leader who integrates it."""

    __tablename__ = "relationships"
    __table_args__ = (UniqueConstraint("supplier_id", "customer_id", "service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    service: Mapped[str] = mapped_column(String(500))
    integrator_account_id: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    supplier: Mapped[Team] = relation(foreign_keys=[supplier_id], lazy="joined")
    customer: Mapped[Team] = relation(foreign_keys=[customer_id], lazy="joined")


class Goal(Base):
    """A supplier team's goal; in Jira an epic whose children are the expectations' issues."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    jira_epic_key: Mapped[str | None] = mapped_column(String(32), index=True)
    # Bumped (and committed) before each bulk create that may make its epic: above 1, an earlier
    # create may have made one, so the sync looks for it before creating (`connector.sync`).
    jira_create_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sync_state: Mapped[str] = mapped_column(String(16), default=SyncState.PENDING)
    sync_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    team: Mapped[Team] = relation(lazy="joined")


class Expectation(Base):
    """One expectation, in the customer's own words, with measures and a review cadence."""

    __tablename__ = "expectations"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    relationship_id: Mapped[int] = mapped_column(ForeignKey("relationships.id"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    why_it_matters: Mapped[str | None] = mapped_column(Text)
    growth_opportunity: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(16), default="medium")  # high | medium | low
    cadence_days: Mapped[int] = mapped_column(Integer, default=30)
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    jira_issue_key: Mapped[str | None] = mapped_column(String(32), index=True)
    jira_issue_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # Bumped (and committed) before each bulk create that may make its issue: above 1, an earlier
    # create may have made one, so the sync looks for it before creating (`connector.sync`).
    jira_create_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sync_state: Mapped[str] = mapped_column(String(16), default=SyncState.PENDING)
    sync_error: Mapped[str | None] = mapped_column(Text)
    # Bumped on every change that Jira should see; the sync records which version it pushed.
    version: Mapped[int] = mapped_column(Integer, default=1)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    # The newest Jira event applied: an older delivery never overwrites newer state.
    jira_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    relationship: Mapped[Relationship] = relation(lazy="joined")
    goal: Mapped[Goal | None] = relation(lazy="select")
    measures: Mapped[list[Measure]] = relation(
        back_populates="expectation",
        cascade="all, delete-orphan",
        order_by="Measure.position",
        lazy="selectin",
    )


class Measure(Base):
    """A measure of performance: a target with a direction, fed by hand or by a JQL count."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(255))
    target: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8), default="atLeast")  # atLeast | atMost
    source: Mapped[str] = mapped_column(String(8), default="manual")  # manual | jql
    jql: Mapped[str | None] = mapped_column(Text)
    latest_value: Mapped[float | None] = mapped_column(Float)
    latest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    expectation: Mapped[Expectation] = relation(back_populates="measures")

    @property
    def attained(self) -> bool | None:
        if self.latest_value is None:
            return None
        if self.direction == "atMost":
            return self.latest_value <= self.target
        return self.latest_value >= self.target


class SiteSettings(Base):
    """Per-site choices an admin makes: the issue type and link type the sync uses."""

    __tablename__ = "site_settings"

    site_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    issue_type: Mapped[str] = mapped_column(String(64), default="Task")
    epic_issue_type: Mapped[str] = mapped_column(String(64), default="Epic")
    link_type_name: Mapped[str] = mapped_column(String(64), default="Internal customer")
    link_type_id: Mapped[str | None] = mapped_column(String(32))  # resolved on install
    default_cadence_days: Mapped[int] = mapped_column(Integer, default=30)
    # Review packs (connector.practice.review_packs): the Confluence space they are written in,
    # and whether the scheduler writes every relationship's in a quarter's last week.
    review_space_key: Mapped[str | None] = mapped_column(String(255))
    review_packs_scheduled: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The follow-up questions an administrator chose ([{field, question}]); NULL: the defaults.
    follow_ups: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def asked_follow_ups(self) -> list[dict[str, str]]:
        """What the capture form and the Rovo agent ask after the seed question."""
        return follow_ups_or_default(self.follow_ups)

    @property
    def seed_question(self) -> str:
        return SEED_QUESTION


class Feedback(Base):
    """A customer's rating of an expectation; `external_id` ties it to its source (a Jira comment),
    so an edited comment updates the same row and a redelivered webhook adds nothing."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("site_id", "source", "external_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    author_account_id: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))  # api | jira-comment | macro | panel | webhook
    external_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
