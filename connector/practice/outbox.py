"""The outbox: changes committed locally, in the same transaction as the change itself, waiting
for `connector.sync` to push them to Jira. Issue links have their own table
(`connector.practice.crossteam`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)


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


def enqueue(session: Session, site_id: str, kind: TaskKind, ref_id: int | None = None) -> None:
    """One pending task per thing: a second change before the push rides on the first task."""
    pending = session.scalars(
        select(OutboxTask).where(
            OutboxTask.site_id == site_id,
            OutboxTask.kind == kind.value,
            OutboxTask.ref_id.is_(None) if ref_id is None else OutboxTask.ref_id == ref_id,
            OutboxTask.state == TaskState.PENDING.value,
        )
    ).first()
    if pending is not None:
        pending.due_at = utcnow()
        pending.attempts = 0
        return
    session.add(
        OutboxTask(site_id=site_id, kind=kind.value, ref_id=ref_id, state=TaskState.PENDING.value)
    )


def complete(task: OutboxTask) -> None:
    task.state = TaskState.DONE.value
    task.last_error = None


def defer(tasks: Sequence[OutboxTask], error: str | None, now: datetime | None = None) -> None:
    """Try again later: 10 s, 20 s, 40 s … up to an hour."""
    now = now or utcnow()
    for task in tasks:
        task.attempts += 1
        task.last_error = error
        task.due_at = now + timedelta(seconds=min(3600, 10 * 2 ** (task.attempts - 1)))
    if tasks and error:
        log.info("sync deferred", extra={"tasks": len(tasks), "error": error[:200]})


def queue_link_type(session: Session, site_id: str, product: str) -> None:
    """On a Jira install: make sure the site has the `Internal customer` link type."""
    if product == "jira":
        enqueue(session, site_id, TaskKind.LINK_TYPE)
