"""The macros' views built from one site's rows: a team's customer map, the integrator map.

Reads only; every query is filtered by `site_id`, so a macro never shows another site's data.
Rows are read as plain columns (not ORM objects) because a big map has hundreds of expectations
and thousands of ratings, and the macro must still answer within a frame's patience.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from connector.db.times import as_utc
from connector.domain import health
from connector.domain.states import ExpectationState
from connector.practice import crossteam
from connector.practice import health as healthviews
from connector.practice.expectation_issues import DONE
from connector.practice.health import EXPECTATION, RELATIONSHIP, HealthSnapshot
from connector.practice.models import Expectation, Feedback, Measure, Relationship, Team
from macros.links import JiraLinks
from macros.view import (
    HISTORY_DAYS,
    NO_FEEDBACK,
    NO_HISTORY,
    CustomerMapView,
    Direction,
    ExpectationView,
    FeedbackView,
    Health,
    HealthHistory,
    IntegratorMapView,
    MeasureView,
    RelationshipView,
    TeamView,
)

# Expectations a customer is expected to give feedback on; the others are not "stale".
REVIEWED_STATES = frozenset({"agreed", "at_risk"})


class UnknownTeam(LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class ExpectationRow(NamedTuple):
    # A tuple of plain values: the garbage collector stops tracking it, which keeps a big map's
    # rows out of the long-lived generation (and full collections rare).
    id: int
    relationship_id: int
    statement: str
    state: ExpectationState
    cadence_days: int
    jira_issue_key: str | None
    since: datetime  # when it was agreed (or created): the start of the feedback clock


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything the views need about a set of relationships, read in three queries."""

    expectations: Sequence[ExpectationRow]
    measures: Mapping[int, Sequence[MeasureView]]
    ratings: Mapping[int, Sequence[RatingRow]]


class RatingRow(NamedTuple):
    rating: int
    comment: str | None
    author: str
    at: datetime


# --- reading ------------------------------------------------------------------------------


def find_team(session: Session, site_id: str, key: str) -> Team:
    """A team by key, case-insensitively (a page author types `pay` for PAY)."""
    team = session.scalars(
        select(Team).where(Team.site_id == site_id, func.upper(Team.key) == key.strip().upper())
    ).first()
    if team is None:
        raise UnknownTeam(key.strip())
    return team


def _active_relationships(site_id: str) -> Select[Relationship]:
    return (
        select(Relationship)
        .where(Relationship.site_id == site_id, Relationship.state == "active")
        .order_by(Relationship.id)
    )


def _live(rels: Iterable[Relationship]) -> list[Relationship]:
    """Relationships whose two teams are still in the organisation."""
    return [r for r in rels if r.supplier.retired_at is None and r.customer.retired_at is None]


def read_inputs(session: Session, site_id: str, rel_ids: Sequence[int] | None) -> Inputs:
    """Expectations (not retired) of the relationships, their measures and their ratings.

    `rel_ids=None` reads the whole site (the integrator map) without a long IN list.
    """
    scope = [Expectation.site_id == site_id, Expectation.state != "retired"]
    if rel_ids is not None:
        scope.append(Expectation.relationship_id.in_(rel_ids))
    rows = session.execute(
        select(
            Expectation.id,
            Expectation.relationship_id,
            Expectation.statement,
            Expectation.state,
            Expectation.cadence_days,
            Expectation.jira_issue_key,
            func.coalesce(Expectation.agreed_at, Expectation.created_at),
        )
        .where(*scope)
        .order_by(Expectation.relationship_id, Expectation.id)
    )
    expectations = [
        ExpectationRow(r[0], r[1], r[2], _state(r[3]), r[4], r[5], _aware(r[6])) for r in rows
    ]
    measures: dict[int, list[MeasureView]] = defaultdict(list)
    for m in session.execute(
        select(
            Measure.expectation_id,
            Measure.name,
            Measure.target,
            Measure.unit,
            Measure.direction,
            Measure.latest_value,
        )
        .join(Expectation, Measure.expectation_id == Expectation.id)
        .where(*scope)
        .order_by(Measure.expectation_id, Measure.position, Measure.id)
    ):
        direction: Direction = "atMost" if m[4] == "atMost" else "atLeast"
        measures[m[0]].append(MeasureView(m[1], m[2], m[3] or "", direction, m[5]))
    ratings: dict[int, list[RatingRow]] = defaultdict(list)
    for f in session.execute(
        select(
            Feedback.expectation_id,
            Feedback.rating,
            Feedback.comment,
            Feedback.author_account_id,
            Feedback.at,
        )
        .join(Expectation, Feedback.expectation_id == Expectation.id)
        .where(Feedback.site_id == site_id, *scope)
        .order_by(Feedback.at, Feedback.id)
    ):
        ratings[f[0]].append(RatingRow(f[1], f[2], f[3], f[4]))
    return Inputs(expectations, measures, ratings)


def _state(value: str) -> ExpectationState:
    return ExpectationState(value)  # an unknown state is a ValueError


def _aware(value: Any) -> datetime:
    # Column expressions (coalesce) bypass UTCDateTime's result processing on SQLite.
    return as_utc(value)


# --- health and blockers ------------------------------------------------------------------


def read_history(
    session: Session, site_id: str, subject: str, ids: Sequence[int] | None, today: date
) -> dict[int, HealthHistory]:
    """The daily snapshots of the last HISTORY_DAYS days per expectation or relationship (by
    `subject`), for the sparklines; `ids=None` reads the whole site without a long IN list."""
    first = today - timedelta(days=HISTORY_DAYS - 1)
    scope = [
        HealthSnapshot.site_id == site_id,
        HealthSnapshot.subject == subject,
        HealthSnapshot.day >= first,
        HealthSnapshot.day <= today,
        HealthSnapshot.score.is_not(None),
    ]
    if ids is not None:
        if not ids:
            return {}
        scope.append(HealthSnapshot.subject_id.in_(list(ids)))
    points: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for subject_id, day, score in session.execute(
        select(HealthSnapshot.subject_id, HealthSnapshot.day, HealthSnapshot.score)
        .where(*scope)
        .order_by(HealthSnapshot.subject_id, HealthSnapshot.day)
    ):
        if score is not None:  # the query leaves those out; the column allows them
            points[subject_id].append(((day - first).days, float(score)))
    return {i: HealthHistory(tuple(p)) for i, p in points.items()}


def assess_health(
    session: Session, site_id: str, rel_ids: Sequence[int], now: datetime
) -> tuple[dict[int, Health], dict[int, Health]]:
    """Health per expectation and per relationship (by id), from `connector.practice.health`.

    The one place the macros ask for health: the same computation as the feedback API and the
    daily snapshots, so a map shows the same score, band and trend (read from the snapshots).
    """
    by_expectation, by_relationship = healthviews.map_health(session, site_id, rel_ids, now)
    return (
        {i: _view_health(h) for i, h in by_expectation.items()},
        {i: _view_health(h) for i, h in by_relationship.items()},
    )


def _view_health(assessed: health.Health) -> Health:
    return Health(score=assessed.score, band=assessed.band, trend=assessed.trend, n=assessed.n)


def blocked_links(
    session: Session, site_id: str, inputs: Inputs, own_projects: Mapping[int, str | None]
) -> dict[int, int]:
    """Per relationship id: live "Blocks" links by which another team's unfinished issue blocks
    one of its expectations' issues (`own_projects`: each relationship's supplier project).

    The one use of `connector.practice.crossteam`. A blocker in the expectation's own project is the
    team's own work and does not count; one whose key is not known yet does (a link read from a
    webhook learns the other issue's key only when that issue changes).
    """
    rows = {e.id: e for e in inputs.expectations}
    counts: dict[int, int] = defaultdict(int)
    for expectation_id, links in crossteam.links_for(session, site_id, list(rows)).items():
        exp = rows[expectation_id]
        own = {own_projects.get(exp.relationship_id), _project(exp.jira_issue_key)} - {None}
        for link in links:
            partner = rows.get(link.other_expectation_id or 0)
            other = link.other_issue_key or (partner.jira_issue_key if partner else None)
            if (
                link.blocks_expectation
                and link.other_status_category != DONE
                and _project(other) not in own
            ):
                counts[exp.relationship_id] += 1
    return counts


def _project(issue_key: str | None) -> str | None:
    project, dash, _ = (issue_key or "").rpartition("-")
    return project.upper() if dash and project else None


def is_stale(exp: ExpectationRow, last_feedback: datetime | None, now: datetime) -> bool:
    """No feedback within 1.5 review cadences of the last rating (or of the agreement)."""
    if exp.state not in REVIEWED_STATES:
        return False
    since = max(last_feedback, exp.since) if last_feedback is not None else exp.since
    return now - since > timedelta(days=exp.cadence_days * health.STALE_AFTER_CADENCES)


# --- building views -----------------------------------------------------------------------


def team_view(team: Team, links: JiraLinks) -> TeamView:
    return TeamView(
        key=team.key,
        name=team.name,
        jira_project_key=team.jira_project_key,
        issues_url=links.team_issues(team.jira_project_key),
    )


@dataclass
class _Builder:
    """Turns relationships plus their inputs into view objects, sharing team views and health."""

    links: JiraLinks
    inputs: Inputs
    now: datetime
    exp_health: Mapping[int, Health]
    rel_health: Mapping[int, Health]
    blocked: Mapping[int, int]
    rel_history: Mapping[int, HealthHistory]
    exp_history: Mapping[int, HealthHistory]

    @classmethod
    def read(
        cls,
        session: Session,
        site_id: str,
        rels: Sequence[Relationship],
        links: JiraLinks,
        now: datetime,
        *,
        whole_site: bool = False,
        expectation_history: bool = False,
    ) -> _Builder:
        rel_ids = [r.id for r in rels]
        inputs = read_inputs(session, site_id, None if whole_site else rel_ids)
        exp_health, rel_health = assess_health(session, site_id, rel_ids, now)
        projects = {r.id: r.supplier.jira_project_key for r in rels}
        blocked = blocked_links(session, site_id, inputs, projects)
        today = now.date()
        rel_history = read_history(
            session, site_id, RELATIONSHIP, None if whole_site else rel_ids, today
        )
        exp_history: dict[int, HealthHistory] = {}
        if expectation_history:
            exp_ids = [e.id for e in inputs.expectations]
            exp_history = read_history(session, site_id, EXPECTATION, exp_ids, today)
        return cls(links, inputs, now, exp_health, rel_health, blocked, rel_history, exp_history)

    def __post_init__(self) -> None:
        self.by_rel: dict[int, list[ExpectationRow]] = defaultdict(list)
        for exp in self.inputs.expectations:
            self.by_rel[exp.relationship_id].append(exp)
        self.teams: dict[int, TeamView] = {}

    def team(self, team: Team) -> TeamView:
        if team.id not in self.teams:
            self.teams[team.id] = team_view(team, self.links)
        return self.teams[team.id]

    def expectation(self, exp: ExpectationRow) -> ExpectationView:
        ratings = self.inputs.ratings.get(exp.id, ())
        last = ratings[-1] if ratings else None
        return ExpectationView(
            id=str(exp.id),
            statement=exp.statement,
            state=exp.state,
            health=self.exp_health.get(exp.id, NO_FEEDBACK),
            measures=tuple(self.inputs.measures.get(exp.id, ())),
            last_feedback=FeedbackView(last.rating, last.comment or "", last.at) if last else None,
            jira_issue_key=exp.jira_issue_key,
            jira_issue_url=self.links.browse(exp.jira_issue_key),
            history=self.exp_history.get(exp.id, NO_HISTORY),
        )

    def relationship(self, rel: Relationship) -> RelationshipView:
        rows = self.by_rel.get(rel.id, [])
        last_at: dict[int, datetime] = {
            e.id: self.inputs.ratings[e.id][-1].at for e in rows if self.inputs.ratings.get(e.id)
        }
        return RelationshipView(
            id=str(rel.id),
            supplier=self.team(rel.supplier),
            customer=self.team(rel.customer),
            service=rel.service,
            health=self.rel_health.get(rel.id, NO_FEEDBACK),
            expectations=tuple(self.expectation(e) for e in rows),
            issues_url=self.links.issues(e.jira_issue_key for e in rows),
            stale=any(is_stale(e, last_at.get(e.id), self.now) for e in rows),
            blocked_links=self.blocked.get(rel.id, 0),
            last_feedback_at=max(last_at.values(), default=None),
            history=self.rel_history.get(rel.id, NO_HISTORY),
        )


def customer_map_view(
    session: Session,
    site_id: str,
    team_key: str,
    links: JiraLinks,
    now: datetime,
    *,
    expectation_history: bool = False,
) -> CustomerMapView:
    """The team in the middle, its suppliers and its customers (active relationships only);
    `expectation_history`: each expectation's sparkline too (the expectations table)."""
    team = find_team(session, site_id, team_key)
    rels = _live(
        session.scalars(
            _active_relationships(site_id).where(
                or_(Relationship.supplier_id == team.id, Relationship.customer_id == team.id)
            )
        )
    )
    builder = _Builder.read(
        session, site_id, rels, links, now, expectation_history=expectation_history
    )
    views = [(r, builder.relationship(r)) for r in rels]
    return CustomerMapView(
        team=builder.team(team),
        suppliers=tuple(v for r, v in views if r.customer_id == team.id),
        customers=tuple(v for r, v in views if r.supplier_id == team.id),
    )


def integrator_map_view(
    session: Session, site_id: str, links: JiraLinks, now: datetime
) -> IntegratorMapView:
    """Every team of the site and every active relationship between them."""
    teams = session.scalars(
        select(Team).where(Team.site_id == site_id, Team.retired_at.is_(None)).order_by(Team.key)
    ).all()
    rels = _live(session.scalars(_active_relationships(site_id)))
    builder = _Builder.read(session, site_id, rels, links, now, whole_site=True)
    relationships = tuple(builder.relationship(r) for r in rels)
    return IntegratorMapView(
        teams=tuple(builder.team(t) for t in teams), relationships=relationships
    )


def team_keys(session: Session, site_id: str) -> list[tuple[str, str]]:
    """(key, name) of the site's teams, for the macro editor."""
    rows = session.execute(
        select(Team.key, Team.name)
        .where(Team.site_id == site_id, Team.retired_at.is_(None))
        .order_by(Team.key)
    ).all()
    return [(r[0], r[1]) for r in rows]
