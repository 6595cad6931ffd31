"""Health from the rows: counting, grey below three ratings, measures, pooling, snapshots, trend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.practice.health import (
    HealthSnapshot,
    expectation_health,
    relationship_health,
    snapshot_site,
)
from connector.practice.models import Feedback
from tests.webhooks.support import add_measure, seed

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SITE = "site-health"


def rate(session: Session, expectation_id: int, value: int, author: str, days_ago: float) -> None:
    session.add(
        Feedback(
            site_id=SITE,
            expectation_id=expectation_id,
            rating=value,
            author_account_id=author,
            source="api",
            at=NOW - timedelta(days=days_ago),
        )
    )
    session.flush()


def test_grey_below_three_counted_ratings(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    rate(db_session, e, 5, "a", 1)
    rate(db_session, e, 1, "a", 0.5)  # same author, same window: replaces the 5
    rate(db_session, e, 5, "b", 1)
    health = expectation_health(db_session, SITE, [e], NOW)[e]
    assert (health.band, health.n) == ("no_feedback", 2)
    assert health.score == pytest.approx(0.5, abs=0.01)


def test_bands_and_measures(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    for author in "abc":
        rate(db_session, e, 5, author, 2)
    assert expectation_health(db_session, SITE, [e], NOW)[e].band == "healthy"
    add_measure(db_session, e, value=90.0, target=99.5)  # missed: attainment 0
    db_session.flush()
    health = expectation_health(db_session, SITE, [e], NOW)[e]
    assert health.score == pytest.approx(0.5, abs=0.01) and health.band == "at_risk"


def test_stale_feedback_is_penalised(db_session: Session) -> None:
    [e] = seed(db_session, SITE, cadence_days=10).expectation_ids
    for author in "abc":
        rate(db_session, e, 5, author, 30)  # 3 cadences old: 1.5 overdue -> x0.6
    health = expectation_health(db_session, SITE, [e], NOW)[e]
    assert health.score == pytest.approx(0.6, abs=0.01)  # all 5s: F = 1.0, then x0.6


def test_other_sites_ids_are_left_out(db_session: Session) -> None:
    [e] = seed(db_session, SITE).expectation_ids
    assert expectation_health(db_session, "another-site", [e], NOW) == {}


def test_relationship_pools_its_expectations(db_session: Session) -> None:
    org = seed(db_session, SITE, issues=[("PAY-1", "1"), ("PAY-2", "2")])
    first, second = org.expectation_ids
    rate(db_session, first, 5, "lead", 1)
    rate(db_session, second, 1, "lead", 1)  # same author, other expectation: both count
    rate(db_session, second, 3, "other", 1)
    health = relationship_health(db_session, SITE, [org.relationship_id], NOW)
    assert health[org.relationship_id].n == 3
    assert health[org.relationship_id].score == pytest.approx(0.5, abs=0.01)


def test_snapshots_are_daily_and_feed_the_trend(db_session: Session) -> None:
    org = seed(db_session, SITE)
    [e] = org.expectation_ids
    for author in "abc":
        rate(db_session, e, 2, author, 20)
    for day in range(4):
        rate(db_session, e, 5, f"new-{day}", 0)
        snapshot_site(db_session, SITE, date(2026, 5, 28) + timedelta(days=day), NOW)
    snapshot_site(db_session, SITE, date(2026, 5, 31), NOW)  # again the same day: overwritten
    rows = db_session.scalars(
        select(HealthSnapshot).where(HealthSnapshot.site_id == SITE, HealthSnapshot.subject_id == e)
    ).all()
    assert len([r for r in rows if r.subject == "expectation"]) == 4
    assert expectation_health(db_session, SITE, [e], NOW)[e].trend == "up"
    assert (
        relationship_health(db_session, SITE, [org.relationship_id], NOW)[org.relationship_id].trend
        == "up"
    )
