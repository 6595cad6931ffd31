"""Goals: what a supplier team sets out to do to meet its customers' expectations (Jira epics)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.domain.errors import Conflict, NotFound, ValidationFailed
from connector.practice.models import Goal, SyncState
from connector.practice.outbox import TaskKind, enqueue
from connector.practice.pagination import Page, page_of
from connector.practice.teams import find_team


def goal_by_id(session: Session, site_id: str, goal_id: int) -> Goal:
    found = session.get(Goal, goal_id)
    if found is None or found.site_id != site_id:
        raise NotFound(f"no goal with id {goal_id}", details={"id": goal_id})
    return found


def create_goal(
    session: Session, site_id: str, *, team: str, title: str, description: str | None = None
) -> Goal:
    owner = find_team(session, site_id, team)
    if owner is None or owner.retired_at is not None:
        reason = "no such team" if owner is None else "the team is retired"
        raise ValidationFailed(f"team: {reason} ({team!r})", details={"team": [reason]})
    goal = Goal(
        site_id=site_id,
        team=owner,
        title=title,
        description=description,
        state="active",
        sync_state=SyncState.PENDING.value,
    )
    session.add(goal)
    session.flush()
    enqueue(session, site_id, TaskKind.GOAL, goal.id)
    return goal


def update_goal(session: Session, site_id: str, goal_id: int, changes: Mapping[str, Any]) -> Goal:
    goal = goal_by_id(session, site_id, goal_id)
    if goal.state == "retired":
        raise Conflict("a retired goal cannot be edited", code="retired")
    for name, value in changes.items():
        setattr(goal, name, value)
    if changes:
        goal.sync_state = SyncState.PENDING.value
        enqueue(session, site_id, TaskKind.GOAL, goal.id)
    session.flush()
    return goal


def retire_goal(session: Session, site_id: str, goal_id: int) -> Goal:
    goal = goal_by_id(session, site_id, goal_id)
    goal.state = "retired"
    session.flush()
    return goal


def list_goals(
    session: Session,
    site_id: str,
    *,
    team: str | None,
    state: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Goal]:
    query = select(Goal).where(Goal.site_id == site_id)
    if team is not None:
        owner = find_team(session, site_id, team)
        if owner is None:
            raise NotFound(f"no team with key {team!r}", details={"team": team})
        query = query.where(Goal.team_id == owner.id)
    if state != "all":
        query = query.where(Goal.state == (state or "active"))
    page: Page[Goal] = page_of(session, query, Goal.id, limit=limit, cursor=cursor)
    return page
