"""Expectations as the API shows them: with their feedback count, health and live issue links.

Feedback and links are loaded for a whole page at once (two queries, not two per row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.crossteam import IssueLink, links_for
from connector.db import utcnow
from connector.expectation_states import allowed_from
from connector.health import Health, Rating, assess
from connector.organisation import Expectation, Feedback


@dataclass
class ExpectationView:
    """An expectation plus what is computed about it; attribute access falls through to it."""

    expectation: Expectation
    health: Health
    feedback_count: int
    ratings: list[Rating] = field(default_factory=list)
    links: list[IssueLink] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.expectation, name)

    @property
    def supplier_key(self) -> str:
        return self.expectation.relationship.supplier.key

    @property
    def customer_key(self) -> str:
        return self.expectation.relationship.customer.key

    @property
    def allowed_transitions(self) -> list[str]:
        return [s.value for s in allowed_from(self.expectation.state)]

    @property
    def measures_attained(self) -> list[bool | None]:
        return [m.attained for m in self.expectation.measures]


def assess_expectations(
    session: Session, expectations: Sequence[Expectation], now: datetime | None = None
) -> list[ExpectationView]:
    now = now or utcnow()
    ids = [e.id for e in expectations]
    ratings = _ratings_by_expectation(session, ids)
    links = links_for(session, expectations[0].site_id, ids) if expectations else {}
    return [
        ExpectationView(
            expectation=e,
            health=assess(
                ratings[e.id],
                [m.attained for m in e.measures],
                cadence_days=e.cadence_days,
                now=now,
            ),
            feedback_count=len(ratings[e.id]),
            ratings=ratings[e.id],
            links=links.get(e.id, []),
        )
        for e in expectations
    ]


def assess_one(session: Session, expectation: Expectation) -> ExpectationView:
    return assess_expectations(session, [expectation])[0]


def combined_health(views: Sequence[ExpectationView], now: datetime | None = None) -> Health:
    """A relationship's health: all its expectations' ratings and measures together."""
    cadence = min((v.expectation.cadence_days for v in views), default=30)
    return assess(
        [r for v in views for r in v.ratings],
        [a for v in views for a in v.measures_attained],
        cadence_days=cadence,
        now=now or utcnow(),
    )


def _ratings_by_expectation(session: Session, ids: list[int]) -> dict[int, list[Rating]]:
    found: dict[int, list[Rating]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(
                Feedback.expectation_id, Feedback.rating, Feedback.at, Feedback.author_account_id
            )
            .where(Feedback.expectation_id.in_(ids))
            .order_by(Feedback.at)
        )
        for expectation_id, rating, at, author in rows:
            found[expectation_id].append(Rating(rating, at, author))
    return found
