"""The health formula (README: "Health"), case by case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.domain import health
from connector.domain.health import Rating

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def ratings(*values: int, days_ago: int = 1, authors: int | None = None) -> list[Rating]:
    return [
        Rating(v, NOW - timedelta(days=days_ago), f"a{i if authors is None else i % authors}")
        for i, v in enumerate(values)
    ]


def test_grey_below_three_ratings() -> None:
    result = health.assess(ratings(5, 5), [], cadence_days=30, now=NOW)
    assert (result.band, result.n) == ("no_feedback", 2)


@pytest.mark.parametrize(
    ("values", "band"),
    [((5, 5, 5), "healthy"), ((3, 4, 4), "at_risk"), ((1, 2, 2), "unhealthy")],
)
def test_bands(values: tuple[int, ...], band: str) -> None:
    assert health.assess(ratings(*values), [], cadence_days=30, now=NOW).band == band


def test_one_rating_per_author_per_window_counts_the_latest() -> None:
    same_author = [
        Rating(1, NOW - timedelta(days=3), "a"),
        Rating(5, NOW - timedelta(days=2), "a"),
        Rating(5, NOW - timedelta(days=2), "b"),
        Rating(5, NOW - timedelta(days=2), "c"),
    ]
    result = health.assess(same_author, [], cadence_days=30, now=NOW)
    assert result.n == 3
    assert result.score == pytest.approx(1.0)


def test_recent_ratings_weigh_more() -> None:
    old_bad = [Rating(1, NOW - timedelta(days=200), f"o{i}") for i in range(3)]
    new_good = [Rating(5, NOW - timedelta(days=1), f"n{i}") for i in range(3)]
    result = health.assess(old_bad + new_good, [], cadence_days=365, now=NOW)
    assert result.score is not None
    assert result.score > 0.85


def test_measures_and_feedback_blend() -> None:
    result = health.assess(ratings(5, 5, 5), [True, False], cadence_days=30, now=NOW)
    assert result.score == pytest.approx(0.75)


def test_stale_feedback_is_penalised() -> None:
    fresh = health.assess(ratings(5, 5, 5, days_ago=10), [], cadence_days=30, now=NOW)
    stale = health.assess(ratings(5, 5, 5, days_ago=100), [], cadence_days=365, now=NOW)
    staler = health.assess(ratings(5, 5, 5, days_ago=100), [], cadence_days=30, now=NOW)
    assert fresh.score == pytest.approx(1.0)
    assert stale.score is not None and staler.score is not None
    assert staler.score < stale.score
    assert staler.score >= 0.5 * stale.score


def test_trend_from_snapshots() -> None:
    assert health.trend([0.2, 0.3, 0.5, 0.6]) == "up"
    assert health.trend([0.9, 0.7, 0.6]) == "down"
    assert health.trend([0.5, 0.51, 0.5]) == "flat"
    assert health.trend([0.5]) == "flat"


def test_nothing_known_is_no_feedback() -> None:
    assert health.assess([], [None], cadence_days=30, now=NOW) == health.Health(
        None, "no_feedback", "flat", 0
    )
