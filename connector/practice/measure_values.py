"""A measure's values over time: recorded by hand by the supplier side, or counted by JQL by the
app, each standing for a day; the customer side may dispute one with a comment (the value stays).

`Measure.latest_value` / `latest_at` are kept equal to the value standing for the most recent day
(ties: the one recorded last), so health and the maps read one row per measure. The functions at
the bottom (`latest_values`, `values_in_period`) are what other views read (a review pack).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, utcnow
from connector.domain.errors import Conflict, NotFound
from connector.domain.measures import Target, check_date, check_value
from connector.practice.models import Expectation, Measure

MANUAL, JQL = "manual", "jql"
HISTORY_SHOWN = 12  # values per measure shown beside it (the API's list has them all)


class MeasureValue(Base):
    """One value of one measure, standing for one day."""

    __tablename__ = "measure_values"
    __table_args__ = (Index("ix_measure_values_measure_day", "measure_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Float)
    day: Mapped[date] = mapped_column(Date)  # the day (period) the value stands for
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8), default=MANUAL)  # manual | jql
    recorded_by: Mapped[str | None] = mapped_column(String(128))  # accountId; None: the app
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disputed_by: Mapped[str | None] = mapped_column(String(128))
    dispute_comment: Mapped[str | None] = mapped_column(Text)
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def measure_of(
    session: Session, site_id: str, expectation_id: int, measure_id: int
) -> tuple[Expectation, Measure]:
    """The expectation and its measure; 404 when either is not this site's, or not its."""
    expectation = session.get(Expectation, expectation_id)
    if expectation is None or expectation.site_id != site_id:
        raise NotFound(f"no expectation with id {expectation_id}", details={"id": expectation_id})
    measure = session.get(Measure, measure_id)
    if measure is None or measure.expectation_id != expectation.id:
        raise NotFound(
            f"expectation {expectation_id} has no measure with id {measure_id}",
            details={"measureId": measure_id},
        )
    return expectation, measure


def record_value(
    session: Session,
    measure: Measure,
    *,
    value: float,
    day: date | None = None,
    note: str | None = None,
    unit: str | None = None,
    recorded_by: str | None,
    source: str = MANUAL,
    now: datetime | None = None,
) -> MeasureValue:
    """Check and keep one value (422 naming the field when it does not fit the measure)."""
    when = now or utcnow()
    expectation = measure.expectation
    if expectation.state == "retired":
        raise Conflict("a retired expectation's measures take no values", code="retired")
    if source == MANUAL and measure.source == JQL:
        raise Conflict(
            f"{measure.name!r} is counted by JQL: count it now rather than record it by hand",
            code="counted_by_jql",
        )
    check_value(Target(measure.name, measure.unit), value, unit)
    stands_for = day or when.date()
    check_date(stands_for, when)
    row = MeasureValue(
        site_id=expectation.site_id,
        expectation_id=expectation.id,
        measure_id=measure.id,
        value=float(value),
        day=stands_for,
        note=note or None,
        source=source,
        recorded_by=recorded_by,
        recorded_at=when,
    )
    session.add(row)
    session.flush()
    refresh_latest(session, measure)
    return row


def dispute_value(
    session: Session, measure: Measure, value_id: int, *, comment: str, by: str
) -> MeasureValue:
    """The customer side's comment beside a value (a later dispute replaces it; the value stays)."""
    row = session.get(MeasureValue, value_id)
    if row is None or row.measure_id != measure.id:
        raise NotFound(
            f"measure {measure.id} has no value with id {value_id}", details={"valueId": value_id}
        )
    row.disputed_by, row.dispute_comment, row.disputed_at = by, comment, utcnow()
    session.flush()
    return row


def refresh_latest(session: Session, measure: Measure) -> None:
    """Bring the measure's latest value in step with its values (the most recent day's)."""
    newest = session.scalars(
        select(MeasureValue)
        .where(MeasureValue.measure_id == measure.id)
        .order_by(MeasureValue.day.desc(), MeasureValue.recorded_at.desc(), MeasureValue.id.desc())
        .limit(1)
    ).first()
    measure.latest_value = None if newest is None else newest.value
    measure.latest_at = None if newest is None else stands_for(newest.day)
    session.flush()


def stands_for(day: date) -> datetime:
    """The moment a day's value stands for, for ages and staleness: the day's start, UTC."""
    return datetime.combine(day, time(), tzinfo=UTC)


def values_of(session: Session, measure: Measure, *, limit: int = 500) -> list[MeasureValue]:
    """A measure's values, the most recent day first."""
    return list(
        session.scalars(
            select(MeasureValue)
            .where(MeasureValue.measure_id == measure.id)
            .order_by(MeasureValue.day.desc(), MeasureValue.recorded_at.desc())
            .limit(limit)
        )
    )


# --- what other views read


@dataclass(frozen=True)
class ValuePoint:
    """A value as the pictures and the review read it."""

    id: int
    measure_id: int
    value: float
    day: date
    source: str
    note: str | None
    disputed: bool
    dispute_comment: str | None


# The columns a ValuePoint is made of, read as plain rows (a page of 100 expectations holds a
# few thousand values: ORM objects for them cost more than the query).
_POINT = (
    MeasureValue.id,
    MeasureValue.measure_id,
    MeasureValue.value,
    MeasureValue.day,
    MeasureValue.source,
    MeasureValue.note,
    MeasureValue.disputed_at.is_not(None),
    MeasureValue.dispute_comment,
)


def _grouped(rows: Iterable[Any]) -> dict[int, list[ValuePoint]]:
    found: dict[int, list[ValuePoint]] = defaultdict(list)
    for row in rows:
        point = ValuePoint(*row)
        found[point.measure_id].append(point)
    return dict(found)


def values_in_period(
    session: Session,
    site_id: str,
    measure_ids: Sequence[int],
    first: date | None = None,
    last: date | None = None,
) -> dict[int, list[ValuePoint]]:
    """Each measure's values standing for days in [first, last] (either open), oldest first."""
    if not measure_ids:
        return {}
    query = select(*_POINT).where(
        MeasureValue.site_id == site_id, MeasureValue.measure_id.in_(list(measure_ids))
    )
    if first is not None:
        query = query.where(MeasureValue.day >= first)
    if last is not None:
        query = query.where(MeasureValue.day <= last)
    order = (MeasureValue.day, MeasureValue.recorded_at, MeasureValue.id)
    return _grouped(session.execute(query.order_by(*order)))


def latest_values(
    session: Session, site_id: str, measure_ids: Sequence[int], on: date | None = None
) -> dict[int, ValuePoint]:
    """Each measure's value standing for the most recent day up to `on` (default: any)."""
    found = values_in_period(session, site_id, measure_ids, None, on)
    return {measure_id: points[-1] for measure_id, points in found.items()}


def recent_values(
    session: Session, site_id: str, measure_ids: Sequence[int], per_measure: int = HISTORY_SHOWN
) -> dict[int, list[ValuePoint]]:
    """The last `per_measure` values of each measure, oldest first (beside the measure)."""
    if not measure_ids:
        return {}
    ranked = (
        select(
            MeasureValue.id,
            func.row_number()
            .over(
                partition_by=MeasureValue.measure_id,
                order_by=(MeasureValue.day.desc(), MeasureValue.recorded_at.desc()),
            )
            .label("rank"),
        )
        .where(MeasureValue.site_id == site_id, MeasureValue.measure_id.in_(list(measure_ids)))
        .subquery()
    )
    rows = session.execute(
        select(*_POINT)
        .join(ranked, ranked.c.id == MeasureValue.id)
        .where(ranked.c.rank <= per_measure)
        .order_by(MeasureValue.day, MeasureValue.recorded_at, MeasureValue.id)
    )
    return _grouped(rows)
