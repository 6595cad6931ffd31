"""Expectations as the API shows them: with their feedback count, health and live issue links.

Health comes from connector.practice.health, as in the macros and the snapshots, so every view of an
expectation shows the same score, band and trend. Feedback counts, health and links are loaded
for a whole page at once, not per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.domain.health import NO_FEEDBACK, Health
from connector.domain.states import allowed_from
from connector.practice.crossteam import IssueLink, links_for
from connector.practice.feedback_requests import OPEN, FeedbackRequest
from connector.practice.health import loaded_expectation_health
from connector.practice.measure_values import ValuePoint, recent_values
from connector.practice.models import Expectation, Feedback, Measure


@dataclass
class MeasureView:
    """A measure plus its recent values (`history`, oldest first); the rest falls through."""

    measure: Measure
    history: list[ValuePoint]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.measure, name)


@dataclass
class ExpectationView:
    """An expectation plus what is computed about it; attribute access falls through to it."""

    expectation: Expectation
    health: Health
    feedback_count: int
    links: list[IssueLink] = field(default_factory=list)
    permissions: dict[str, Any] = field(default_factory=dict)  # what the caller may do with it
    feedback_requested_at: datetime | None = None  # the open request for feedback, if any
    measure_history: dict[int, list[ValuePoint]] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.expectation, name)

    @property
    def measures(self) -> list[MeasureView]:
        return [
            MeasureView(m, self.measure_history.get(m.id, [])) for m in self.expectation.measures
        ]

    @property
    def supplier_key(self) -> str:
        return self.expectation.relationship.supplier.key

    @property
    def customer_key(self) -> str:
        return self.expectation.relationship.customer.key

    @property
    def supplier_name(self) -> str:
        return self.expectation.relationship.supplier.name

    @property
    def customer_name(self) -> str:
        return self.expectation.relationship.customer.name

    @property
    def allowed_transitions(self) -> list[str]:
        return [s.value for s in allowed_from(self.expectation.state)]


def assess_expectations(
    session: Session, expectations: Sequence[Expectation], now: datetime | None = None
) -> list[ExpectationView]:
    if not expectations:
        return []
    site_id = expectations[0].site_id
    ids = [e.id for e in expectations]
    health = loaded_expectation_health(session, site_id, expectations, now)
    counts = _feedback_counts(session, site_id, ids)
    links = links_for(session, site_id, ids)
    asked = _open_requests(session, site_id, ids)
    history = recent_values(session, site_id, [m.id for e in expectations for m in e.measures])
    return [
        ExpectationView(
            expectation=e,
            health=health.get(e.id, NO_FEEDBACK),
            feedback_count=counts.get(e.id, 0),
            links=links.get(e.id, []),
            feedback_requested_at=asked.get(e.id),
            measure_history=history,
        )
        for e in expectations
    ]


def assess_one(session: Session, expectation: Expectation) -> ExpectationView:
    return assess_expectations(session, [expectation])[0]


def _open_requests(session: Session, site_id: str, ids: list[int]) -> dict[int, datetime]:
    """When feedback was last asked for and is not answered yet, per expectation."""
    rows = session.execute(
        select(FeedbackRequest.expectation_id, func.max(FeedbackRequest.requested_at))
        .where(
            FeedbackRequest.site_id == site_id,
            FeedbackRequest.expectation_id.in_(ids),
            FeedbackRequest.state == OPEN,
        )
        .group_by(FeedbackRequest.expectation_id)
    )
    return {int(expectation_id): at for expectation_id, at in rows.all()}


def _feedback_counts(session: Session, site_id: str, ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Feedback.expectation_id, func.count())
        .where(Feedback.site_id == site_id, Feedback.expectation_id.in_(ids))
        .group_by(Feedback.expectation_id)
    )
    return {int(expectation_id): int(count) for expectation_id, count in rows.all()}
