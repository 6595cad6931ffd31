"""Review periods: quarters as people write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connector.domain.errors import ValidationFailed
from connector.domain.periods import Period


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2028-Q1", date(2028, 1, 1), date(2028, 3, 31)),
    ],
)
def test_a_quarter_runs_from_its_first_to_its_last_day(label: str, first: date, last: date) -> None:
    period = Period.parse(label)
    assert (period.label, period.first_day, period.last_day) == (label, first, last)
    assert Period.of(first) == period == Period.of(last)


def test_a_quarter_holds_its_instants_only() -> None:
    q4 = Period.parse("2026-Q4")
    assert q4.holds(datetime(2026, 10, 1, tzinfo=UTC))
    assert q4.holds(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert not q4.holds(datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC))
    assert not q4.holds(datetime(2027, 1, 1, tzinfo=UTC))


def test_the_last_week_is_the_last_seven_days() -> None:
    q4 = Period.parse("2026-Q4")
    assert [d for d in range(20, 32) if q4.in_last_week(date(2026, 12, d))] == list(range(25, 32))
    assert not q4.in_last_week(date(2027, 1, 1))


@pytest.mark.parametrize(
    "text", ["2026-Q5", "2026-Q0", "2026Q4", "26-Q4", "1999-Q4", "Q4-2026", ""]
)
def test_anything_else_is_refused_naming_the_shape(text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        Period.parse(text)
    assert refused.value.message == "period must be a quarter written like 2026-Q4"
