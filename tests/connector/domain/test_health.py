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


# --- the formula's parts, one by one, at their boundaries (README: "Health")

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0.0, "unhealthy"),
        (0.3999, "unhealthy"),
        (0.4, "at_risk"),
        (0.44, "at_risk"),
        (0.6999, "at_risk"),
        (0.7, "healthy"),
        (1.0, "healthy"),
    ],
)
def test_band_thresholds_are_atlassian_goals(score: float, band: str) -> None:
    assert health.band(score, 3) == band
    assert health.band(score, 2) == "no_feedback"
    assert health.band(score, 0) == "no_feedback"


def test_no_score_is_no_feedback_whatever_the_count() -> None:
    assert health.band(None, 10) == "no_feedback"


@pytest.mark.parametrize(
    ("overdue_days", "factor"),
    [
        (0.0, 1.0),  # exactly 1.5 cadences since the last rating: not stale yet
        (1 / 86400, 0.8),  # one second later: one cadence overdue (rounded up)
        (0.001, 0.8),  # a moment later: one cadence overdue (rounded up)
        (10.0, 0.8),
        (10.001, 0.6),
        (20.0, 0.6),
        (20.001, 0.5),  # 0.4 would be below the floor
        (300.0, 0.5),
    ],
)
def test_staleness_loses_a_fifth_per_cadence_overdue_down_to_half(
    overdue_days: float, factor: float
) -> None:
    last = NOW - timedelta(days=15 + overdue_days)  # cadence 10 days: stale after 15
    assert health.staleness_factor(last, 10, NOW) == pytest.approx(factor)


def test_staleness_of_a_zero_cadence_counts_days() -> None:
    assert health.staleness_factor(NOW - timedelta(days=1.5), 0, NOW) == 1.0
    assert health.staleness_factor(NOW - timedelta(days=2), 0, NOW) == pytest.approx(0.8)


def test_never_rated_is_not_stale() -> None:
    assert health.staleness_factor(None, 30, NOW) == 1.0


def test_feedback_halves_its_weight_every_sixty_days() -> None:
    assert health.feedback_component([], NOW) is None
    old_best = Rating(5, NOW - 60 * DAY, "a")
    new_worst = Rating(1, NOW, "b")
    # weights 0.5 and 1: (0.5·1 + 1·0) / 1.5
    assert health.feedback_component([old_best, new_worst], NOW) == pytest.approx(1 / 3)
    assert health.feedback_component([Rating(3, NOW, "a")], NOW) == pytest.approx(0.5)
    assert health.feedback_component([Rating(2, NOW, "a")], NOW) == pytest.approx(0.25)


def test_a_rating_dated_after_now_weighs_as_one_given_now() -> None:
    # Exactly: a second of decay (weight 1 - 1.3e-7) would already be a different formula.
    old_worst = Rating(1, NOW - 60 * DAY, "b")
    for best in (Rating(5, NOW + 30 * DAY, "a"), Rating(5, NOW, "a")):
        assert health.feedback_component([best, old_worst], NOW) == pytest.approx(2 / 3, rel=1e-12)


@pytest.mark.parametrize(
    ("measures", "expected"),
    [([], None), ([None], None), ([True, False, None], 0.5), ([True, True], 1.0), ([False], 0.0)],
)
def test_attainment_is_the_share_of_known_measures_met(
    measures: list[bool | None], expected: float | None
) -> None:
    assert health.attainment(measures) == expected


def test_counted_keeps_the_latest_per_author_per_window_in_time_order() -> None:
    ten_days = 10 * 86400  # cadence windows are counted from the epoch
    start = datetime.fromtimestamp((NOW.timestamp() // ten_days) * ten_days, UTC)
    first = Rating(1, start, "a")
    same_time = Rating(2, start, "a")  # the same instant: the later one in the list wins
    later_same_window = Rating(3, start + 9 * DAY, "a")
    next_window = Rating(4, start + 10 * DAY, "a")
    other_author = Rating(5, start + DAY, "b")
    kept = health.counted([first, same_time, next_window, other_author], 10)
    assert kept == [same_time, other_author, next_window]
    kept = health.counted([later_same_window, first], 10)
    assert kept == [later_same_window]


def test_counted_with_a_zero_cadence_uses_day_windows() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    ratings_ = [Rating(1, start + timedelta(hours=h), "a") for h in (1, 2, 25)]
    assert health.counted(ratings_, 0) == [ratings_[1], ratings_[2]]


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], "flat"),
        ([0.5], "flat"),
        ([0.0, 0.03], "up"),
        ([0.03, 0.0], "down"),
        ([0.0, 0.01], "flat"),
        ([0.01, 0.0], "flat"),
        ([0.0, 0.02], "flat"),  # the slope must exceed 0.02
        ([0.02, 0.0], "flat"),
        ([0.9, 0.1, 0.2, 0.3, 0.4, 0.5], "up"),  # only the last five snapshots count
        ([0.1, 0.9, 0.8, 0.7, 0.6, 0.5], "down"),
    ],
)
def test_trend_is_the_slope_of_the_last_five(history: list[float], expected: str) -> None:
    assert health.trend(history) == expected


def test_assess_combines_the_parts() -> None:
    three = [Rating(5, NOW - 40 * DAY, author) for author in ("a", "b", "c")]
    # feedback 1.0, attainment 0.5 -> 0.75; 40 days on a 20-day cadence: 0.5 cadence overdue
    result = health.assess(three, [True, False], cadence_days=20, now=NOW, history=[0.1, 0.9])
    assert result == health.Health(score=pytest.approx(0.75 * 0.8), band="at_risk", trend="up", n=3)


def test_staleness_is_measured_from_the_latest_counted_rating() -> None:
    history = [Rating(5, NOW - days * DAY, f"a{days}") for days in (100, 90, 80, 1)]
    result = health.assess(history, [], cadence_days=30, now=NOW)
    assert (result.score, result.n) == (pytest.approx(1.0), 4)
    shuffled = [history[3], history[0], history[2], history[1]]  # counted() sorts them by time
    assert health.assess(shuffled, [], cadence_days=30, now=NOW).score == pytest.approx(1.0)


def test_assess_without_ratings_takes_the_measures_unpenalised() -> None:
    result = health.assess([], [True, True, False, False], cadence_days=1, now=NOW)
    assert result == health.Health(score=0.5, band="no_feedback", trend="flat", n=0)


def test_assess_without_inputs_keeps_the_trend() -> None:
    result = health.assess([], [], cadence_days=30, now=NOW, history=[0.9, 0.5])
    assert result == health.Health(score=None, band="no_feedback", trend="down", n=0)


def test_health_json_rounds_the_score() -> None:
    assert health.Health(0.123456, "unhealthy", "up", 4).as_json() == {
        "score": 0.123,
        "band": "unhealthy",
        "trend": "up",
        "n": 4,
        "label": "Unhealthy · 12%",
        "explanation": "12% from the customer's ratings (recent ones count most) and the measures "
        "met. 70% or more is healthy, 40% to 69% at risk, below 40% unhealthy.",
    }
    assert health.NO_FEEDBACK.as_json() == {
        "score": None,
        "band": "no_feedback",
        "trend": "flat",
        "n": 0,
        "label": "No score yet · 0 of 3 ratings so far",
        "explanation": "A score shows once 3 ratings from the customer count (one per person per "
        "feedback round); 0 so far.",
    }


@pytest.mark.parametrize(
    ("score", "band", "n", "label"),
    [
        (0.9, "healthy", 5, "Healthy · 90%"),
        (0.7, "healthy", 3, "Healthy · 70%"),
        (0.6999, "at_risk", 3, "At risk · 69%"),  # cut, never rounded into the next band
        (0.41, "at_risk", 4, "At risk · 41%"),
        (0.29, "unhealthy", 3, "Unhealthy · 29%"),  # 0.29 * 100 is 28.999999999999996
        (0.0, "unhealthy", 3, "Unhealthy · 0%"),
        (0.75, "no_feedback", 2, "No score yet · 2 of 3 ratings so far"),  # measures alone
        (None, "no_feedback", 1, "No score yet · 1 of 3 ratings so far"),
    ],
)
def test_health_reads_as_the_band_then_the_score_or_the_ratings_so_far(
    score: float | None, band: health.Band, n: int, label: str
) -> None:
    assert health.health_label(score, band, n) == label
    assert health.Health(score, band, "flat", n).label == label


def test_the_explanation_says_what_a_score_is_made_of_or_what_it_waits_for() -> None:
    assert health.health_explanation(0.58, "at_risk", 3) == (
        "58% from the customer's ratings (recent ones count most) and the measures met. "
        "70% or more is healthy, 40% to 69% at risk, below 40% unhealthy."
    )
    assert health.health_explanation(0.9, "no_feedback", 2) == (
        "A score shows once 3 ratings from the customer count (one per person per feedback "
        "round); 2 so far."
    )
