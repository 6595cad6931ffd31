"""Drain the outbox: claim due tasks, push them to each site's Jira, record what happened.

Tasks are claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), so several workers never
push the same row at once and a worker that dies only delays its rows until the lease ends.
Work goes in order: the link type, goals (epics), expectations (children of epics), links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from connector.db import Database, get_db, utcnow
from connector.jira.port import jira_site
from connector.jira.site import JiraSite
from connector.practice.outbox import OutboxTask, TaskKind, TaskState, defer
from connector.sync import links
from connector.sync.pusher import SyncHooks
from connector.sync.records import (
    count_expectation_creates,
    count_goal_creates,
    push_expectations,
    push_goals,
)

LEASE = timedelta(minutes=5)
BATCH = 50
ORDER = (TaskKind.LINK_TYPE, TaskKind.GOAL, TaskKind.EXPECTATION, TaskKind.LINK)


@dataclass(frozen=True)
class Claimed:
    id: int
    site_id: str
    kind: str
    ref_id: int | None


Handler = Callable[[Session, JiraSite, list[OutboxTask], SyncHooks], None]
HANDLERS: dict[str, Handler] = {
    TaskKind.LINK_TYPE.value: links.ensure_link_type,
    TaskKind.GOAL.value: push_goals,
    TaskKind.EXPECTATION.value: push_expectations,
    TaskKind.LINK.value: links.push_links,
}
# Run and committed before the handler: counts the creates that may make a record's issue, so a
# record that never went through one is created without first searching Jira for it.
BEFORE_PUSH: dict[str, Callable[[Session, Sequence[int]], None]] = {
    TaskKind.GOAL.value: count_goal_creates,
    TaskKind.EXPECTATION.value: count_expectation_creates,
}


def drain_outbox(
    app: Flask, *, limit: int = 500, force: bool = False, hooks: SyncHooks | None = None
) -> int:
    """Process up to `limit` due tasks; `force` takes deferred ones too. Returns tasks taken."""
    database = get_db(app)
    claimed = claim(database, limit=limit, force=force)
    by_site: dict[str, list[Claimed]] = defaultdict(list)
    for task in claimed:
        by_site[task.site_id].append(task)
    for site_id, tasks in by_site.items():
        drain_site(app, database, site_id, tasks, hooks or SyncHooks())
    return len(claimed)


def claim(database: Database, *, limit: int, force: bool = False) -> list[Claimed]:
    now = utcnow()
    with database.transaction() as session:
        query = select(OutboxTask).where(OutboxTask.state == TaskState.PENDING.value)
        if not force:
            query = query.where(OutboxTask.due_at <= now)
        rows = session.scalars(
            query.order_by(OutboxTask.due_at, OutboxTask.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.due_at = now + LEASE
        return [Claimed(r.id, r.site_id, r.kind, r.ref_id) for r in rows]


def drain_site(
    app: Flask, database: Database, site_id: str, tasks: Sequence[Claimed], hooks: SyncHooks
) -> None:
    with database.transaction() as session:
        try:
            jira = jira_site(app, session, site_id)
        except LookupError as exc:
            ids = [t.id for t in tasks]
            defer(session.scalars(_tasks_by_id(ids)).all(), str(exc))
            return
    for kind in ORDER:
        chosen = [t for t in tasks if t.kind == kind.value]
        for start in range(0, len(chosen), BATCH):
            chunk = chosen[start : start + BATCH]
            before = BEFORE_PUSH.get(kind.value)
            if before is not None:
                with database.transaction() as session:
                    before(session, [t.ref_id for t in chunk if t.ref_id is not None])
            with database.transaction() as session:
                batch = list(session.scalars(_tasks_by_id([t.id for t in chunk])))
                HANDLERS[kind.value](session, jira, batch, hooks)


def _tasks_by_id(ids: Sequence[int]) -> Select[OutboxTask]:
    return select(OutboxTask).where(OutboxTask.id.in_(ids)).order_by(OutboxTask.id)


def pending_count(session: Session) -> int:
    count = session.scalar(
        select(func.count(OutboxTask.id)).where(OutboxTask.state == TaskState.PENDING.value)
    )
    return int(count or 0)
