"""Teams (or positions), addressed by key within a site."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from connector.db import utcnow
from connector.domain.errors import Conflict, NotFound
from connector.practice.models import Relationship, Team
from connector.practice.pagination import Page, page_of


def find_team(session: Session, site_id: str, key: str) -> Team | None:
    if "\x00" in key:  # from the URL; no key holds one, and PostgreSQL refuses to compare it
        return None
    return session.scalars(select(Team).where(Team.site_id == site_id, Team.key == key)).first()


def team_by_key(session: Session, site_id: str, key: str) -> Team:
    team = find_team(session, site_id, key)
    if team is None:
        raise NotFound(f"no team with key {key!r}", details={"key": key})
    return team


def create_team(
    session: Session,
    site_id: str,
    *,
    key: str,
    name: str,
    jira_project_key: str | None = None,
    lead_account_id: str | None = None,
) -> Team:
    if find_team(session, site_id, key) is not None:
        raise Conflict(
            f"a team with key {key!r} already exists", code="duplicate", details={"key": key}
        )
    team = Team(
        site_id=site_id,
        key=key,
        name=name,
        jira_project_key=jira_project_key,
        lead_account_id=lead_account_id,
    )
    session.add(team)
    session.flush()
    return team


def update_team(session: Session, site_id: str, key: str, changes: Mapping[str, Any]) -> Team:
    team = team_by_key(session, site_id, key)
    for name, value in changes.items():
        setattr(team, name, value)
    if changes.get("lead_account_id"):
        team.lead_closed_at = None  # a new lead: no longer a former lead to replace
    session.flush()
    return team


def retire_team(session: Session, site_id: str, key: str) -> Team:
    """Soft: the row stays for history; its relationships must be retired first."""
    team = team_by_key(session, site_id, key)
    live = session.scalar(
        select(func.count(Relationship.id)).where(
            Relationship.site_id == site_id,
            Relationship.state == "active",
            or_(Relationship.supplier_id == team.id, Relationship.customer_id == team.id),
        )
    )
    if live:
        raise Conflict(
            f"team {key!r} still has {live} active relationship(s); retire them first",
            code="has_relationships",
            details={"activeRelationships": live},
        )
    team.retired_at = team.retired_at or utcnow()
    session.flush()
    return team


def list_teams(
    session: Session, site_id: str, *, state: str | None, limit: int, cursor: str | None
) -> Page[Team]:
    query = select(Team).where(Team.site_id == site_id)
    if state == "retired":
        query = query.where(Team.retired_at.is_not(None))
    elif state != "all":
        query = query.where(Team.retired_at.is_(None))
    page: Page[Team] = page_of(session, query, Team.id, limit=limit, cursor=cursor)
    return page
