"""Health as the API and the maps show it: the rows behind `connector.domain.health.assess`,
read in a few queries for many expectations or relationships at once, plus daily snapshots for
the trend.

A relationship's health pools its live expectations: every counted rating (one per author per
expectation per cadence window), every measure, the shortest cadence for staleness.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from flask import Flask
from sqlalchemy import ColumnElement, Date, Float, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, raiseload

from connector.db import Base, UTCDateTime, get_db, utcnow
from connector.domain.health import TREND_WINDOW, Health, Measured, Rating, Reading, assess
from connector.domain.states import ExpectationState
from connector.practice.models import Expectation, Feedback, Measure

EXPECTATION, RELATIONSHIP = "expectation", "relationship"
LIVE = [s.value for s in ExpectationState if s not in (ExpectationState.RETIRED,)]


class HealthSnapshot(Base):
    """One day's health of one expectation or relationship (the trend is read from these)."""

    __tablename__ = "health_snapshots"
    __table_args__ = (UniqueConstraint("site_id", "subject", "subject_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(16))  # expectation | relationship
    subject_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass
class Inputs:
    ratings: list[Rating] = field(default_factory=list)
    measures: list[Measured] = field(default_factory=list)
    cadences: list[int] = field(default_factory=list)


class _Subject(NamedTuple):
    """The columns of an expectation that health needs (ORM rows cost a join per expectation)."""

    id: int
    relationship_id: int
    cadence_days: int


def _subjects(session: Session, *where: ColumnElement[bool]) -> list[_Subject]:
    rows = session.execute(
        select(Expectation.id, Expectation.relationship_id, Expectation.cadence_days).where(*where)
    )
    return [_Subject(*row) for row in rows]


def _inputs(session: Session, site_id: str, expectations: Sequence[_Subject]) -> dict[int, Inputs]:
    found = _ratings(session, site_id, expectations)
    if not found:
        return found
    measures = select(Measure).where(Measure.expectation_id.in_(list(found)))
    for measure in session.scalars(measures.options(raiseload("*"))):
        inputs = found[measure.expectation_id]
        inputs.measures.append(reading(measure, inputs.cadences[0]))
    return found


def reading(measure: Measure, cadence_days: int) -> Measured:
    """The measure's latest value, judged, and the day it stands for (it ages by its cadence)."""
    met = measure.attained
    if met is None or measure.latest_at is None:
        return met
    return Reading(met, measure.latest_at, cadence_days)


def _ratings(session: Session, site_id: str, expectations: Sequence[_Subject]) -> dict[int, Inputs]:
    """The inputs without measures: each expectation's cadence and ratings."""
    found = {e.id: Inputs(cadences=[e.cadence_days]) for e in expectations}
    if not found:
        return found
    rows = session.execute(
        select(
            Feedback.expectation_id, Feedback.rating, Feedback.at, Feedback.author_account_id
        ).where(Feedback.site_id == site_id, Feedback.expectation_id.in_(list(found)))
    )
    for expectation_id, value, at, author in rows:
        # The author is qualified by expectation so pooled ratings stay one per expectation.
        found[expectation_id].ratings.append(Rating(value, at, f"{author}@{expectation_id}"))
    return found


def _history(
    session: Session, site_id: str, subject: str, ids: Iterable[int], before: date | None = None
) -> dict[int, list[float]]:
    query = select(HealthSnapshot.subject_id, HealthSnapshot.score).where(
        HealthSnapshot.site_id == site_id,
        HealthSnapshot.subject == subject,
        HealthSnapshot.subject_id.in_(list(ids)),
        HealthSnapshot.score.is_not(None),
    )
    if before is not None:
        query = query.where(HealthSnapshot.day < before)
    history: dict[int, list[float]] = defaultdict(list)
    for subject_id, score in session.execute(query.order_by(HealthSnapshot.day)):
        if score is not None:
            history[subject_id].append(float(score))
    return {k: v[-TREND_WINDOW:] for k, v in history.items()}


def _assess(inputs: Inputs, now: datetime, history: Sequence[float]) -> Health:
    return assess(
        inputs.ratings,
        inputs.measures,
        cadence_days=min(inputs.cadences or [30]),
        now=now,
        history=history,
    )


def expectation_health(
    session: Session, site_id: str, expectation_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Health]:
    """Health per expectation id (ids of other sites are left out)."""
    expectations = _subjects(
        session, Expectation.site_id == site_id, Expectation.id.in_(list(expectation_ids))
    )
    return _assessed(session, site_id, _inputs(session, site_id, expectations), now)


def loaded_expectation_health(
    session: Session, site_id: str, expectations: Sequence[Expectation], now: datetime | None = None
) -> dict[int, Health]:
    """`expectation_health` of expectations already loaded with their measures (a page of a
    list): neither their rows nor their measures are read again."""
    mine = [e for e in expectations if e.site_id == site_id]
    inputs = _ratings(
        session, site_id, [_Subject(e.id, e.relationship_id, e.cadence_days) for e in mine]
    )
    for expectation in mine:
        inputs[expectation.id].measures = [
            reading(m, expectation.cadence_days) for m in expectation.measures
        ]
    return _assessed(session, site_id, inputs, now)


def _assessed(
    session: Session, site_id: str, inputs: dict[int, Inputs], now: datetime | None
) -> dict[int, Health]:
    history = _history(session, site_id, EXPECTATION, inputs)
    when = now or utcnow()
    return {i: _assess(inputs[i], when, history.get(i, [])) for i in inputs}


def relationship_health(
    session: Session, site_id: str, relationship_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Health]:
    """Health per relationship id, pooling its live expectations."""
    return map_health(session, site_id, relationship_ids, now)[1]


def map_health(
    session: Session, site_id: str, relationship_ids: Iterable[int], now: datetime | None = None
) -> tuple[dict[int, Health], dict[int, Health]]:
    """Health per live expectation of the relationships, and per relationship, from one read
    of their rows (a map shows both); each is what the two functions above answer."""
    wanted = list(relationship_ids)
    expectations = _subjects(
        session,
        Expectation.site_id == site_id,
        Expectation.relationship_id.in_(wanted),
        Expectation.state.in_(LIVE),
    )
    per_expectation = _inputs(session, site_id, expectations)
    pooled = {r: Inputs() for r in wanted}
    for expectation in expectations:
        part, target = per_expectation[expectation.id], pooled[expectation.relationship_id]
        target.ratings += part.ratings
        target.measures += part.measures
        target.cadences += part.cadences
    when = now or utcnow()
    exp_history = _history(session, site_id, EXPECTATION, per_expectation)
    rel_history = _history(session, site_id, RELATIONSHIP, wanted)
    return (
        {i: _assess(p, when, exp_history.get(i, [])) for i, p in per_expectation.items()},
        {r: _assess(pooled[r], when, rel_history.get(r, [])) for r in wanted},
    )


def snapshot_site(session: Session, site_id: str, today: date, now: datetime) -> int:
    """Record today's health of every live expectation and relationship (again: overwritten)."""
    expectation_ids = list(
        session.scalars(
            select(Expectation.id).where(
                Expectation.site_id == site_id, Expectation.state.in_(LIVE)
            )
        )
    )
    relationship_ids = list(
        session.scalars(
            select(Expectation.relationship_id)
            .where(Expectation.site_id == site_id, Expectation.state.in_(LIVE))
            .distinct()
        )
    )
    written = _write(
        session,
        site_id,
        EXPECTATION,
        expectation_health(session, site_id, expectation_ids, now),
        today,
    )
    written += _write(
        session,
        site_id,
        RELATIONSHIP,
        relationship_health(session, site_id, relationship_ids, now),
        today,
    )
    return written


def _write(
    session: Session, site_id: str, subject: str, health: dict[int, Health], today: date
) -> int:
    existing = {
        row.subject_id: row
        for row in session.scalars(
            select(HealthSnapshot).where(
                HealthSnapshot.site_id == site_id,
                HealthSnapshot.subject == subject,
                HealthSnapshot.day == today,
            )
        )
    }
    for subject_id, value in health.items():
        row = existing.get(subject_id)
        if row is None:
            row = HealthSnapshot(site_id=site_id, subject=subject, subject_id=subject_id, day=today)
            session.add(row)
        row.score, row.band, row.n, row.taken_at = value.score, value.band, value.n, utcnow()
    session.flush()
    return len(health)


def snapshot_site_health(app: Flask, site_id: str, now: datetime, today: date | None = None) -> int:
    """One site's snapshot; also what a Forge scheduled trigger runs for its site."""
    with get_db(app).transaction() as session:
        return snapshot_site(session, site_id, today or now.date(), now)
