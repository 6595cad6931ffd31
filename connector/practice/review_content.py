"""What a relationship's review pack holds for one period (a quarter): its health at the start
and the end with the daily history and the trend, each agreed expectation with its measures, the
ratings given in the period and the growth opportunity, the improvements done in the period
("you said → we did"), what is at risk or breached, and what is open for the next period.

Only what happened inside the period is read (ratings, improvements, snapshots). Ratings come
from the app's feedback rows, which never hold a restricted Jira comment (`practice.feedback`
drops them), so the pack cannot show one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.domain.health import STALE_AFTER_CADENCES, Health, trend
from connector.domain.periods import Period
from connector.domain.states import ExpectationState
from connector.practice.crossteam import Improvement
from connector.practice.health import (
    EXPECTATION,
    RELATIONSHIP,
    HealthSnapshot,
    expectation_health,
    relationship_health,
)
from connector.practice.measure_values import latest_values
from connector.practice.models import Expectation, Feedback, Measure, Relationship

S = ExpectationState
AGREED = (S.AGREED, S.AT_RISK, S.MET, S.BREACHED)  # commitments the review goes through
TROUBLE = (S.AT_RISK, S.BREACHED)
PROPOSED = (S.DRAFT, S.PROPOSED)  # on the table for the next period


@dataclass(frozen=True)
class DayHealth:
    day: date
    score: float | None
    band: str


@dataclass(frozen=True)
class MeasureLine:
    name: str
    target: float
    unit: str | None
    direction: str
    latest: float | None
    met: bool | None


@dataclass
class ExpectationPart:
    expectation: Expectation
    measures: list[MeasureLine]
    ratings: list[Feedback]  # given in the period, oldest first
    health: Health | None
    improvements: list[Improvement] = field(default_factory=list)
    last_rated_at: datetime | None = None

    def stale_at(self, moment: datetime) -> bool:
        """No rating for 1.5 cadences by `moment` (the health formula's staleness)."""
        if self.last_rated_at is None:
            return True
        limit = timedelta(days=self.expectation.cadence_days * STALE_AFTER_CADENCES)
        return moment - self.last_rated_at > limit


@dataclass
class ReviewContent:
    relationship: Relationship
    period: Period
    days: list[DayHealth]
    start: DayHealth | None
    end: DayHealth | None
    trend: str
    agreed: list[ExpectationPart]
    trouble: list[ExpectationPart]
    proposed: list[Expectation]
    stale: list[ExpectationPart]

    @property
    def improvements(self) -> list[tuple[ExpectationPart, Improvement]]:
        return [(part, done) for part in self.agreed for done in part.improvements]


def latest_measure_value(
    session: Session, site_id: str, measure: Measure, until: datetime
) -> float | None:
    """The measure's value standing for the last day before `until`, from its recorded history
    (`practice.measure_values`): a value recorded for a later day is not the period's."""
    last_day = (until - timedelta(microseconds=1)).date()
    point = latest_values(session, site_id, [measure.id], on=last_day).get(measure.id)
    return None if point is None else point.value


def _measure_line(session: Session, site_id: str, measure: Measure, until: datetime) -> MeasureLine:
    latest = latest_measure_value(session, site_id, measure, until)
    met: bool | None = None
    if latest is not None:
        met = (
            latest <= measure.target if measure.direction == "atMost" else latest >= measure.target
        )
    return MeasureLine(measure.name, measure.target, measure.unit, measure.direction, latest, met)


def _expectation_health(
    session: Session, site_id: str, ids: list[int], period: Period, now: datetime
) -> dict[int, Health]:
    """Each expectation's health for the pack: now, for the period under way; for a period
    that ended, its last daily snapshot inside the period (later ratings are not its)."""
    if period.holds(now):
        return expectation_health(session, site_id, ids, now)
    rows = session.execute(
        select(
            HealthSnapshot.subject_id, HealthSnapshot.score, HealthSnapshot.band, HealthSnapshot.n
        )
        .where(
            HealthSnapshot.site_id == site_id,
            HealthSnapshot.subject == EXPECTATION,
            HealthSnapshot.subject_id.in_(ids),
            HealthSnapshot.day >= period.first_day,
            HealthSnapshot.day <= period.last_day,
        )
        .order_by(HealthSnapshot.day)
    )
    return {
        subject: Health(score=score, band=band, trend="flat", n=n)  # type: ignore[arg-type]
        for subject, score, band, n in rows
    }


def review_content(
    session: Session, relationship: Relationship, period: Period, now: datetime
) -> ReviewContent:
    site_id = relationship.site_id
    expectations = list(
        session.scalars(
            select(Expectation)
            .where(Expectation.site_id == site_id, Expectation.relationship_id == relationship.id)
            .order_by(Expectation.id)
        )
    )
    ids = [e.id for e in expectations]
    until = min(now, period.ends_at)
    per_expectation = _expectation_health(session, site_id, ids, period, now)
    ratings = _ratings(session, site_id, ids, period)
    last_rated = _last_rated(session, site_id, ids, until)
    improvements = _improvements(session, site_id, ids, period)
    parts = {
        e.id: ExpectationPart(
            expectation=e,
            measures=[_measure_line(session, site_id, m, until) for m in e.measures],
            ratings=ratings.get(e.id, []),
            health=per_expectation.get(e.id),
            improvements=improvements.get(e.id, []),
            last_rated_at=last_rated.get(e.id),
        )
        for e in expectations
    }
    agreed = [parts[e.id] for e in expectations if e.state in AGREED]
    days = _days(session, site_id, relationship.id, period)
    end = days[-1] if days else None
    if period.holds(now) and (end is None or end.day < now.date()):  # today's, not yet taken
        current = relationship_health(session, site_id, [relationship.id], now)[relationship.id]
        end = DayHealth(now.date(), current.score, current.band)
    return ReviewContent(
        relationship=relationship,
        period=period,
        days=days,
        start=days[0] if days else None,
        end=end,
        trend=trend([d.score for d in days if d.score is not None]),
        agreed=agreed,
        trouble=[
            p
            for p in agreed
            if p.expectation.state in TROUBLE
            or (p.health is not None and p.health.band in ("at_risk", "unhealthy"))
        ],
        proposed=[e for e in expectations if e.state in PROPOSED],
        stale=[p for p in agreed if p.expectation.state != S.MET and p.stale_at(until)],
    )


def _days(session: Session, site_id: str, relationship_id: int, period: Period) -> list[DayHealth]:
    rows = session.execute(
        select(HealthSnapshot.day, HealthSnapshot.score, HealthSnapshot.band)
        .where(
            HealthSnapshot.site_id == site_id,
            HealthSnapshot.subject == RELATIONSHIP,
            HealthSnapshot.subject_id == relationship_id,
            HealthSnapshot.day >= period.first_day,
            HealthSnapshot.day <= period.last_day,
        )
        .order_by(HealthSnapshot.day)
    )
    return [DayHealth(day, score, band) for day, score, band in rows]


def _ratings(
    session: Session, site_id: str, ids: list[int], period: Period
) -> dict[int, list[Feedback]]:
    found: dict[int, list[Feedback]] = {}
    rows = session.scalars(
        select(Feedback)
        .where(
            Feedback.site_id == site_id,
            Feedback.expectation_id.in_(ids),
            Feedback.at >= period.starts_at,
            Feedback.at < period.ends_at,
        )
        .order_by(Feedback.at, Feedback.id)
    )
    for row in rows:
        found.setdefault(row.expectation_id, []).append(row)
    return found


def _last_rated(
    session: Session, site_id: str, ids: list[int], until: datetime
) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    rows = session.execute(
        select(Feedback.expectation_id, Feedback.at).where(
            Feedback.site_id == site_id, Feedback.expectation_id.in_(ids), Feedback.at < until
        )
    )
    for expectation_id, at in rows:
        if expectation_id not in found or at > found[expectation_id]:
            found[expectation_id] = at
    return found


def _improvements(
    session: Session, site_id: str, ids: list[int], period: Period
) -> dict[int, list[Improvement]]:
    found: dict[int, list[Improvement]] = {}
    rows = session.scalars(
        select(Improvement)
        .where(
            Improvement.site_id == site_id,
            Improvement.expectation_id.in_(ids),
            Improvement.done_at >= period.starts_at,
            Improvement.done_at < period.ends_at,
        )
        .order_by(Improvement.done_at, Improvement.id)
    )
    for row in rows:
        found.setdefault(row.expectation_id, []).append(row)
    return found
