"""The outbox: changes committed locally, waiting to reach Jira (links: `connector.crossteam`)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from connector.db import Base, UTCDateTime, utcnow


class TaskKind(enum.StrEnum):
    LINK_TYPE = "link_type"  # ensure the `Internal customer` link type (on install)
    GOAL = "goal"  # create or update a goal's epic
    EXPECTATION = "expectation"  # create or update an expectation's issue
    LINK = "link"  # link an expectation's issue to another team's issue


class TaskState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"


class OutboxTask(Base):
    """One change committed locally, waiting to be pushed; retried with backoff until done."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=TaskState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
