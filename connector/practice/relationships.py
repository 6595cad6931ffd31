"""Relationships: a supplier team serves a customer team; both directions are queried."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from connector.domain.errors import Conflict, NotFound, ValidationFailed
from connector.domain.states import ExpectationState
from connector.practice.models import Expectation, Relationship, Team
from connector.practice.pagination import Page, page_of
from connector.practice.teams import find_team


def relationship_by_id(session: Session, site_id: str, relationship_id: int) -> Relationship:
    found = session.get(Relationship, relationship_id)
    if found is None or found.site_id != site_id:
        raise NotFound(
            f"no relationship with id {relationship_id}", details={"id": relationship_id}
        )
    return found


def _live_team(session: Session, site_id: str, field: str, key: str) -> Team:
    team = find_team(session, site_id, key)
    if team is None or team.retired_at is not None:
        reason = "no such team" if team is None else "the team is retired"
        raise ValidationFailed(f"{field}: {reason} ({key!r})", details={field: [reason]})
    return team


def create_relationship(
    session: Session,
    site_id: str,
    *,
    supplier: str,
    customer: str,
    service: str,
    integrator_account_id: str | None = None,
) -> Relationship:
    supplier_team = _live_team(session, site_id, "supplier", supplier)
    customer_team = _live_team(session, site_id, "customer", customer)
    duplicate = session.scalars(
        select(Relationship.id).where(
            Relationship.supplier_id == supplier_team.id,
            Relationship.customer_id == customer_team.id,
            Relationship.service == service,
        )
    ).first()
    if duplicate is not None:
        raise Conflict(
            f"{supplier} already supplies {service!r} to {customer}",
            code="duplicate",
            details={"id": duplicate},
        )
    relationship = Relationship(
        site_id=site_id,
        supplier=supplier_team,
        customer=customer_team,
        service=service,
        integrator_account_id=integrator_account_id,
        state="active",
    )
    session.add(relationship)
    session.flush()
    return relationship


def update_relationship(
    session: Session, site_id: str, relationship_id: int, changes: Mapping[str, Any]
) -> Relationship:
    relationship = relationship_by_id(session, site_id, relationship_id)
    if relationship.state == "retired":
        raise Conflict("a retired relationship cannot be edited", code="retired")
    for name, value in changes.items():
        setattr(relationship, name, value)
    session.flush()
    return relationship


def retire_relationship(session: Session, site_id: str, relationship_id: int) -> Relationship:
    relationship = relationship_by_id(session, site_id, relationship_id)
    live = session.scalar(
        select(func.count(Expectation.id)).where(
            Expectation.relationship_id == relationship.id,
            Expectation.state != ExpectationState.RETIRED.value,
        )
    )
    if live:
        raise Conflict(
            f"the relationship still has {live} expectation(s) not retired; retire them first",
            code="has_expectations",
            details={"liveExpectations": live},
        )
    relationship.state = "retired"
    session.flush()
    return relationship


def list_relationships(
    session: Session,
    site_id: str,
    *,
    team: str | None,
    side: str | None,
    state: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Relationship]:
    query = select(Relationship).where(Relationship.site_id == site_id)
    if team is not None:
        team_id = _team_id(session, site_id, team)
        if side == "supplier":
            query = query.where(Relationship.supplier_id == team_id)
        elif side == "customer":
            query = query.where(Relationship.customer_id == team_id)
        else:
            query = query.where(
                or_(Relationship.supplier_id == team_id, Relationship.customer_id == team_id)
            )
    query = query.where(Relationship.state == (state or "active")) if state != "all" else query
    page: Page[Relationship] = page_of(session, query, Relationship.id, limit=limit, cursor=cursor)
    return page


def _team_id(session: Session, site_id: str, key: str) -> int:
    team = find_team(session, site_id, key)
    if team is None:
        raise NotFound(f"no team with key {key!r}", details={"team": key})
    return team.id
