"""What a measure's value may be (pure rules): a finite number, in the measure's unit, and for
a percentage between 0 and 100. The refusals name the measure, what came and what was expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from connector.domain.errors import ValidationFailed

PERCENT = "%"
PERCENT_RANGE = (0.0, 100.0)
# Larger than any count or duration a practice measures; beyond it a float loses its units.
LARGEST = 1e12
# The date a value stands for may be "today" anywhere on Earth (UTC+14), never later.
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Target:
    """The parts of a measure a value is checked against."""

    name: str
    unit: str | None


def check_value(target: Target, value: float, unit: str | None = None) -> None:
    """422 naming the field unless `value` (given in `unit`, if any) fits the measure."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationFailed(
            f"the value of {target.name!r} must be a number", details={"value": ["not a number"]}
        )
    mine = (target.unit or "").strip()
    if unit is not None and unit.strip() != mine:
        reason = f"the measure is in {mine or 'no unit'!r}, got {unit.strip()!r}"
        raise ValidationFailed(
            f"unit mismatch for {target.name!r}: {reason}", details={"unit": [reason]}
        )
    low, high = PERCENT_RANGE if mine == PERCENT else (-LARGEST, LARGEST)
    if not low <= value <= high:
        reason = f"must be from {low:g} to {high:g}{mine if mine == PERCENT else ''}, got {value:g}"
        raise ValidationFailed(
            f"the value of {target.name!r} is out of range: {reason}", details={"value": [reason]}
        )


def check_date(day: date, now: datetime) -> None:
    """The date a value stands for may not be in the future."""
    if day > (now + FUTURE_SLACK).date():
        reason = f"{day.isoformat()} is in the future"
        raise ValidationFailed(
            f"a value stands for a past day: {reason}", details={"date": [reason]}
        )


def attained(value: float, target: float, direction: str) -> bool:
    """Whether `value` meets `target` in the measure's direction (`atLeast` or `atMost`)."""
    return value <= target if direction == "atMost" else value >= target
