"""Health: how well a supplier meets an expectation (or a relationship), from 0.0 to 1.0.

F = exponentially time-weighted mean of ratings mapped to 0..1 ((r-1)/4), half-life 60 days,
    counting one rating per author per cadence window (the latest);
A = share of measures meeting their target (measures with a latest value only; the latest value
    is the one standing for the most recent day);
H = 0.5·F + 0.5·A when both exist, else whichever exists;
staleness: when no rating arrived within 1.5 cadences, H is multiplied by
    max(0.5, 1 - 0.2·k), k = cadences overdue beyond 1.5; a met measure whose latest value stands
    for a day older than 1.5 cadences counts in A by the same factor of its own age (a missed one
    counts 0 whatever its age);
band: n < 3 counted ratings -> "no_feedback" (grey); else < 0.4 unhealthy, < 0.7 at_risk,
    else healthy (Atlassian Goals' bands); trend: slope over the last snapshots.

How health reads, everywhere (the maps, the tables, the pages, the issue panel, both platforms,
the PDF): `health_label` (the band, then the score as a percentage, or how many ratings there are
while there are too few for a score) and `health_explanation` (what the hover or focus shows).
The API sends both with every health, so the pages' scripts show the same words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Band = Literal["healthy", "at_risk", "unhealthy", "no_feedback"]
Trend = Literal["up", "down", "flat"]

HALF_LIFE_DAYS = 60.0
MIN_RATINGS = 3
STALE_AFTER_CADENCES = 1.5
TREND_WINDOW = 5
TREND_EPSILON = 0.02
UNHEALTHY_BELOW = 0.4  # Atlassian Goals' bands
AT_RISK_BELOW = 0.7
STALE_STEP = 0.2  # the score lost per cadence overdue
STALE_FLOOR = 0.5


@dataclass(frozen=True)
class Rating:
    value: int  # 1..5
    at: datetime
    author: str


@dataclass(frozen=True)
class Reading:
    """A measure's latest value, judged: met or not, the day it stands for, its cadence."""

    attained: bool
    at: datetime
    cadence_days: int


Measured = bool | Reading | None  # a bare bool (no date) never goes stale


@dataclass(frozen=True)
class Health:
    score: float | None
    band: Band
    trend: Trend
    n: int

    @property
    def label(self) -> str:
        return health_label(self.score, self.band, self.n)

    @property
    def explanation(self) -> str:
        return health_explanation(self.score, self.band, self.n)

    def as_json(self) -> dict[str, object]:
        score = None if self.score is None else round(self.score, 3)
        return {
            "score": score,
            "band": self.band,
            "trend": self.trend,
            "n": self.n,
            "label": self.label,
            "explanation": self.explanation,
        }


NO_FEEDBACK = Health(score=None, band="no_feedback", trend="flat", n=0)


def counted(ratings: Iterable[Rating], cadence_days: int) -> list[Rating]:
    """One rating per author per cadence window counts: the latest one."""
    window = max(1, cadence_days) * 86400
    latest: dict[tuple[str, int], Rating] = {}
    for rating in ratings:
        slot = (rating.author, int(rating.at.timestamp() // window))
        if slot not in latest or rating.at >= latest[slot].at:
            latest[slot] = rating
    return sorted(latest.values(), key=lambda r: r.at)


def feedback_component(ratings: Sequence[Rating], now: datetime) -> float | None:
    if not ratings:
        return None
    decay = math.log(2) / (HALF_LIFE_DAYS * 86400)
    weights = [math.exp(-decay * max(0.0, (now - r.at).total_seconds())) for r in ratings]
    total = sum(weights)
    return sum(w * (r.value - 1) / 4 for w, r in zip(weights, ratings, strict=True)) / total


def attainment(measures: Iterable[Measured], now: datetime | None = None) -> float | None:
    """The share of measures with a value that meet their target; a met one whose value is
    stale counts by the staleness factor of its own age."""
    known = [m for m in measures if m is not None]
    if not known:
        return None
    return sum(_met(m, now) for m in known) / len(known)


def _met(measure: bool | Reading, now: datetime | None) -> float:
    if isinstance(measure, bool):
        return 1.0 if measure else 0.0
    if not measure.attained:
        return 0.0
    return 1.0 if now is None else staleness_factor(measure.at, measure.cadence_days, now)


def staleness_factor(last: datetime | None, cadence_days: int, now: datetime) -> float:
    if last is None:
        return 1.0
    overdue = (now - last).total_seconds() / 86400 / max(1, cadence_days) - STALE_AFTER_CADENCES
    return 1.0 if overdue <= 0 else max(STALE_FLOOR, 1 - STALE_STEP * math.ceil(overdue))


def band(score: float | None, n: int) -> Band:
    """The Atlassian Goals band for a score; grey when there are fewer than three ratings."""
    if n < MIN_RATINGS or score is None:
        return "no_feedback"
    if score < UNHEALTHY_BELOW:
        return "unhealthy"
    return "at_risk" if score < AT_RISK_BELOW else "healthy"


def trend(history: Sequence[float]) -> Trend:
    """Least-squares slope over the last snapshots' scores."""
    points = list(history[-TREND_WINDOW:])
    if len(points) < 2:
        return "flat"
    xs = range(len(points))
    mean_x, mean_y = sum(xs) / len(points), sum(points) / len(points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, points, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    if slope > TREND_EPSILON:
        return "up"
    return "down" if slope < -TREND_EPSILON else "flat"


def assess(
    ratings: Iterable[Rating],
    measures: Iterable[Measured],
    *,
    cadence_days: int,
    now: datetime,
    history: Sequence[float] = (),
) -> Health:
    """Health of one expectation, or of a relationship given all its expectations' inputs."""
    kept = counted(ratings, cadence_days)
    parts = [p for p in (feedback_component(kept, now), attainment(measures, now)) if p is not None]
    if not parts:
        return Health(score=None, band="no_feedback", trend=trend(history), n=len(kept))
    score = sum(parts) / len(parts)
    score *= staleness_factor(kept[-1].at if kept else None, cadence_days, now)
    return Health(score=score, band=band(score, len(kept)), trend=trend(history), n=len(kept))


BAND_NAMES: dict[Band, str] = {
    "healthy": "Healthy",
    "at_risk": "At risk",
    "unhealthy": "Unhealthy",
    "no_feedback": "No score yet",
}


def percent(score: float) -> str:
    """A score as a whole percentage, cut down rather than rounded, so that it never reads as the
    next band: 0.699 -> "69%", at risk (0.7 is healthy). The epsilon absorbs binary fractions:
    0.29 * 100 is 28.999999999999996."""
    return f"{math.floor(score * 100 + 1e-9)}%"


def scored(score: float | None, band: Band) -> bool:
    """Whether a score is shown: never while there are too few ratings, even when the measures
    alone give one."""
    return score is not None and band != "no_feedback"


def health_label(score: float | None, band: Band, n: int) -> str:
    """`At risk · 58%`, or `No score yet · 2 of 3 ratings so far`."""
    if score is None or band == "no_feedback":
        so_far = f"{min(n, MIN_RATINGS)} of {MIN_RATINGS} ratings so far"
        return f"{BAND_NAMES['no_feedback']} · {so_far}"
    return f"{BAND_NAMES[band]} · {percent(score)}"


THRESHOLDS = (
    f"{percent(AT_RISK_BELOW)} or more is healthy, {percent(UNHEALTHY_BELOW)} to "
    f"{percent(AT_RISK_BELOW - 0.01)} at risk, below {percent(UNHEALTHY_BELOW)} unhealthy"
)


def health_explanation(score: float | None, band: Band, n: int) -> str:
    """What a health label means, in two sentences, for the hover and focus of a badge."""
    if score is None or band == "no_feedback":
        return (
            f"A score shows once {MIN_RATINGS} ratings from the customer count (one per person "
            f"per feedback round); {min(n, MIN_RATINGS)} so far."
        )
    return (
        f"{percent(score)} from the customer's ratings (recent ones count most) and the measures "
        f"met. {THRESHOLDS}."
    )
