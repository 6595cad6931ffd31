"""View models the macros render, and what needs an integrator's attention (hot spots).

They are plain frozen dataclasses so the rendering stays pure: the routes build them from the
domain, the renderers turn them into strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from connector.domain.health import BAND_NAMES, Band, Trend, health_explanation, health_label
from connector.domain.health import band as band_of
from connector.domain.states import COMMITTED, ExpectationState

Direction = Literal["atLeast", "atMost"]
HotSpotKind = Literal[
    "unhealthy_relationship",
    "stale_relationship",
    "no_agreed_expectation",
    "expectation_without_measure",
    "blocked_links",
]

BAND_LABELS: dict[Band, str] = BAND_NAMES
TREND_GLYPHS: dict[Trend, str] = {"up": "▲", "down": "▼", "flat": "▶"}
TREND_LABELS: dict[Trend, str] = {"up": "improving", "down": "worsening", "flat": "steady"}


@dataclass(frozen=True, slots=True)
class Health:
    score: float | None
    band: Band
    trend: Trend = "flat"
    n: int = 0

    @classmethod
    def of(cls, score: float | None, n: int, trend: Trend = "flat") -> Health:
        return cls(score=score, band=band_of(score, n), trend=trend, n=n)

    @property
    def label(self) -> str:
        """Band and score as text, so colour is never the only carrier of meaning; the same
        words as every other page (`connector.domain.health.health_label`)."""
        return health_label(self.score, self.band, self.n)

    @property
    def explanation(self) -> str:
        return health_explanation(self.score, self.band, self.n)

    @property
    def trend_text(self) -> str:
        return TREND_LABELS[self.trend]

    @property
    def trend_glyph(self) -> str:
        return TREND_GLYPHS[self.trend]


NO_FEEDBACK = Health(score=None, band="no_feedback")
HISTORY_DAYS = 90


@dataclass(frozen=True, slots=True)
class HealthHistory:
    """Daily health snapshots of the last `days` days: (day, score) with day 0 the oldest and
    `days - 1` today; days without a snapshot (or without a score) are left out."""

    points: tuple[tuple[int, float], ...] = ()
    days: int = HISTORY_DAYS


NO_HISTORY = HealthHistory()


@dataclass(frozen=True, slots=True)
class MeasurePoint:
    """One value of a measure over time: the day it stands for, and whether it is disputed."""

    day: date
    value: float
    disputed: bool = False


@dataclass(frozen=True, slots=True)
class MeasureView:
    name: str
    target: float
    unit: str
    direction: Direction
    latest: float | None = None
    history: tuple[MeasurePoint, ...] = ()  # oldest first

    @property
    def met(self) -> bool | None:
        if self.latest is None:
            return None
        if self.direction == "atLeast":
            return self.latest >= self.target
        return self.latest <= self.target


@dataclass(frozen=True, slots=True)
class FeedbackView:
    rating: int
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ExpectationView:
    id: str
    statement: str
    state: ExpectationState
    health: Health = NO_FEEDBACK
    measures: Sequence[MeasureView] = ()
    last_feedback: FeedbackView | None = None
    jira_issue_key: str | None = None
    jira_issue_url: str | None = None
    history: HealthHistory = NO_HISTORY


@dataclass(frozen=True, slots=True)
class TeamView:
    key: str
    name: str
    jira_project_key: str | None = None
    issues_url: str | None = None


@dataclass(frozen=True, slots=True)
class RelationshipView:
    id: str
    supplier: TeamView
    customer: TeamView
    service: str
    health: Health = NO_FEEDBACK
    expectations: Sequence[ExpectationView] = ()
    issues_url: str | None = None
    stale: bool = False
    blocked_links: int = 0
    last_feedback_at: datetime | None = None
    history: HealthHistory = NO_HISTORY


@dataclass(frozen=True, slots=True)
class CustomerMapView:
    team: TeamView
    suppliers: Sequence[RelationshipView] = ()
    customers: Sequence[RelationshipView] = ()


@dataclass(frozen=True, slots=True)
class IntegratorMapView:
    teams: Sequence[TeamView]
    relationships: Sequence[RelationshipView]


@dataclass(frozen=True, slots=True)
class HotSpot:
    kind: HotSpotKind
    message: str
    relationship_id: str | None = None
    team_key: str | None = None
    expectation_id: str | None = None
    url: str | None = None


def _relationships(view: CustomerMapView | IntegratorMapView) -> list[RelationshipView]:
    if isinstance(view, IntegratorMapView):
        rels = list(view.relationships)
    else:
        rels = list(view.suppliers) + list(view.customers)
    seen: set[str] = set()
    unique = []
    for rel in rels:
        if rel.id not in seen:
            seen.add(rel.id)
            unique.append(rel)
    return sorted(unique, key=lambda r: (r.supplier.key, r.customer.key, r.id))


def _edge(rel: RelationshipView) -> str:
    return f"{rel.supplier.name} → {rel.customer.name}"


def _relationship_hot_spots(rel: RelationshipView) -> list[HotSpot]:
    found: list[HotSpot] = []

    def add(kind: HotSpotKind, message: str, team_key: str | None = None) -> None:
        found.append(HotSpot(kind, message, rel.id, team_key, None, rel.issues_url))

    if rel.health.band == "unhealthy":
        add("unhealthy_relationship", f"{_edge(rel)}: {rel.health.label}.")
    if rel.stale:
        add("stale_relationship", f"{_edge(rel)} has no recent feedback.")
    if not any(e.state in COMMITTED for e in rel.expectations):
        add(
            "no_agreed_expectation",
            f"{rel.customer.name} has no agreed expectation of {rel.supplier.name}.",
            rel.customer.key,
        )
    if rel.blocked_links > 0:
        links = "link" if rel.blocked_links == 1 else "links"
        add("blocked_links", f"{_edge(rel)} has {rel.blocked_links} blocked cross-team {links}.")
    for exp in rel.expectations:
        if exp.state != "retired" and not exp.measures:
            found.append(
                HotSpot(
                    "expectation_without_measure",
                    f"{_edge(rel)}: “{exp.statement}” has no measure.",
                    rel.id,
                    None,
                    exp.id,
                    exp.jira_issue_url or rel.issues_url,
                )
            )
    return found


def hot_spots(view: CustomerMapView | IntegratorMapView) -> list[HotSpot]:
    """What an integrator should look at first, in a stable order."""
    spots: list[HotSpot] = []
    for rel in _relationships(view):
        spots.extend(_relationship_hot_spots(rel))
    return spots
