"""Queue a change for Jira in the same transaction as the change itself."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.db import utcnow
from connector.sync.models import OutboxTask, TaskKind, TaskState

log = logging.getLogger(__name__)


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
