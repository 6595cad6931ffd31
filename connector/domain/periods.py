"""Review periods: calendar quarters named as people write them ("2026-Q4")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from connector.domain.errors import ValidationFailed

PERIOD = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$")
LAST_WEEK_DAYS = 7  # the scheduler writes packs in a quarter's last seven days


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        found = PERIOD.match(text.strip())
        if found is None or not 2000 <= int(found["year"]) <= 2999:
            raise ValidationFailed(
                "period must be a quarter written like 2026-Q4",
                details={"period": [f"got {text[:20]!r}"]},
            )
        return cls(int(found["year"]), int(found["quarter"]))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        following = (
            date(self.year + 1, 1, 1)
            if self.quarter == 4
            else (date(self.year, 3 * self.quarter + 1, 1))
        )
        return following - timedelta(days=1)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, time(), UTC)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last_day + timedelta(days=1), time(), UTC)

    def holds(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def in_last_week(self, day: date) -> bool:
        return self.last_day - timedelta(days=LAST_WEEK_DAYS - 1) <= day <= self.last_day
