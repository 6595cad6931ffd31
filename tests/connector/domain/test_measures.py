"""What a measure's value may be, and attainment with ageing values (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connector.domain import health
from connector.domain.errors import ValidationFailed
from connector.domain.measures import Target, attained, check_date, check_value

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PERCENT = Target("Payslips right", "%")


@pytest.mark.parametrize("value", [0, 0.0, 55.5, 100])
def test_a_percentage_from_0_to_100(value: float) -> None:
    check_value(PERCENT, value)


@pytest.mark.parametrize(
    ("target", "value", "unit", "field"),
    [
        (PERCENT, 100.01, None, "value"),
        (PERCENT, -0.01, None, "value"),
        (PERCENT, float("inf"), None, "value"),
        (PERCENT, "99", None, "value"),
        (PERCENT, True, None, "value"),
        (PERCENT, 50, "days", "unit"),
        (Target("Answers", "days"), 3, "%", "unit"),
        (Target("Answers", None), 3, "days", "unit"),
        (Target("Answers", "days"), 1e13, None, "value"),
    ],
)
def test_refused_with_the_field_named(
    target: Target, value: object, unit: str | None, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_value(target, value, unit)  # type: ignore[arg-type]
    assert field in refused.value.details and target.name in refused.value.message


def test_other_units_take_any_sane_number() -> None:
    check_value(Target("Answers", "days"), -3, "days")
    check_value(Target("Answers", None), 1e12, "")


def test_a_value_may_stand_for_today_anywhere_but_not_later() -> None:
    check_date(NOW.date() + timedelta(days=1), NOW)
    with pytest.raises(ValidationFailed):
        check_date(date(2026, 6, 3), NOW)


def test_direction() -> None:
    assert attained(99.5, 99.5, "atLeast") and not attained(99.4, 99.5, "atLeast")
    assert attained(2, 2, "atMost") and not attained(2.1, 2, "atMost")


def test_attainment_ages_met_measures_only() -> None:
    fresh = health.Reading(True, NOW - timedelta(days=10), 10)
    stale = health.Reading(True, NOW - timedelta(days=25), 10)  # 1 cadence beyond 1.5: 0.8
    missed = health.Reading(False, NOW - timedelta(days=100), 10)
    assert health.attainment([fresh], NOW) == 1.0
    assert health.attainment([stale], NOW) == pytest.approx(0.8)
    assert health.attainment([fresh, stale, missed, None], NOW) == pytest.approx(1.8 / 3)
    assert health.attainment([stale]) == 1.0  # without a clock nothing ages
