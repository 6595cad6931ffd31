"""Health over time: the daily snapshots of a team's relationships, for sparklines."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from connector.practice.health import HealthSnapshot
from connector.practice.models import Relationship
from connector.practice.teams import team_by_key

DAYS = 90


def team_history(
    session: Session, site_id: str, key: str, today: date, days: int = DAYS
) -> dict[int, list[HealthSnapshot]]:
    """Each relationship of the team (either side), with its snapshots of the last `days` days,
    oldest first; a relationship with none has an empty list."""
    team = team_by_key(session, site_id, key)
    ids = list(
        session.scalars(
            select(Relationship.id).where(
                Relationship.site_id == site_id,
                or_(Relationship.supplier_id == team.id, Relationship.customer_id == team.id),
            )
        )
    )
    found: dict[int, list[HealthSnapshot]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.scalars(
        select(HealthSnapshot)
        .where(
            HealthSnapshot.site_id == site_id,
            HealthSnapshot.subject == "relationship",
            HealthSnapshot.subject_id.in_(ids),
            HealthSnapshot.day > today - timedelta(days=days),
        )
        .order_by(HealthSnapshot.subject_id, HealthSnapshot.day)
    )
    for row in rows:
        found[row.subject_id].append(row)
    return found
