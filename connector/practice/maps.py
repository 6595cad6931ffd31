"""A team's customer map: the team in the middle, its suppliers and its customers, with health."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from connector.domain.health import Health
from connector.domain.states import ExpectationState
from connector.practice.assessments import (
    ExpectationView,
    assess_expectations,
)
from connector.practice.health import relationship_health
from connector.practice.models import Expectation, Relationship, Team
from connector.practice.teams import team_by_key


@dataclass
class MapEdge:
    """One relationship on the map, with its expectations and their combined health."""

    relationship: Relationship
    expectations: list[ExpectationView]
    health: Health

    def __getattr__(self, name: str) -> Any:
        return getattr(self.relationship, name)


@dataclass
class CustomerMap:
    team: Team
    suppliers: list[MapEdge]  # relationships where the team is the customer
    customers: list[MapEdge]  # relationships where the team is the supplier


def customer_map(session: Session, site_id: str, key: str) -> CustomerMap:
    team = team_by_key(session, site_id, key)
    relationships = (
        session.scalars(
            select(Relationship)
            .where(
                Relationship.site_id == site_id,
                Relationship.state == "active",
                or_(Relationship.supplier_id == team.id, Relationship.customer_id == team.id),
            )
            .order_by(Relationship.id)
        )
        .unique()
        .all()
    )
    edges = _edges(session, list(relationships))
    return CustomerMap(
        team=team,
        suppliers=[e for e in edges if e.relationship.customer_id == team.id],
        customers=[e for e in edges if e.relationship.supplier_id == team.id],
    )


def _edges(session: Session, relationships: list[Relationship]) -> list[MapEdge]:
    ids = [r.id for r in relationships]
    expectations = (
        session.scalars(
            select(Expectation)
            .where(
                Expectation.relationship_id.in_(ids),
                Expectation.state != ExpectationState.RETIRED.value,
            )
            .order_by(Expectation.id)
        )
        .unique()
        .all()
        if ids
        else []
    )
    by_relationship: dict[int, list[ExpectationView]] = defaultdict(list)
    for view in assess_expectations(session, list(expectations)):
        by_relationship[view.expectation.relationship_id].append(view)
    site_id = relationships[0].site_id if relationships else ""
    health = relationship_health(session, site_id, ids)
    return [MapEdge(r, by_relationship[r.id], health[r.id]) for r in relationships]
