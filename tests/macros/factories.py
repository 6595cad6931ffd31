"""Synthetic views for the macro tests and the benchmark: deterministic for a given seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from connector.domain.health import Trend
from connector.domain.states import ExpectationState
from macros.view import (
    CustomerMapView,
    ExpectationView,
    FeedbackView,
    Health,
    HealthHistory,
    IntegratorMapView,
    MeasureView,
    RelationshipView,
    TeamView,
)

SITE = "https://example.atlassian.net"
EPOCH = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
STATES: tuple[ExpectationState, ...] = ("draft", "proposed", "agreed", "at_risk", "met", "breached")
TRENDS: tuple[Trend, ...] = ("up", "down", "flat")


def team(key: str, name: str | None = None) -> TeamView:
    return TeamView(
        key=key,
        name=name or f"Team {key}",
        jira_project_key=key,
        issues_url=f"{SITE}/issues/?jql=project%3D{key}%20AND%20labels%3Dinternal-customer",
    )


def expectation(rel_id: str, i: int, rng: random.Random) -> ExpectationView:
    key = f"EXP-{rel_id}-{i}"
    score = rng.random()
    return ExpectationView(
        id=f"{rel_id}-{i}",
        statement=f"Expectation {i} of relationship {rel_id}: answer within two working days",
        state=STATES[rng.randrange(len(STATES))],
        health=Health.of(score, rng.randrange(0, 8), TRENDS[rng.randrange(3)]),
        measures=(MeasureView("Response time", 2, " days", "atMost", rng.choice([1.5, 3, None])),)
        if i % 4 != 3
        else (),
        last_feedback=FeedbackView(rng.randrange(1, 6), "Fine", EPOCH - timedelta(days=i))
        if i % 3
        else None,
        jira_issue_key=key,
        jira_issue_url=f"{SITE}/browse/{key}",
    )


def history(key: str, days: int = 90) -> HealthHistory:
    """A daily snapshot for each of the last `days` days: a slow random walk of its own (seeded by
    `key`, so adding it leaves the organisations' other random draws alone)."""
    walk = random.Random(key)
    score = walk.random()
    points = []
    for day in range(days):
        score = min(1.0, max(0.0, score + walk.uniform(-0.04, 0.04)))
        points.append((day, round(score, 3)))
    return HealthHistory(tuple(points), days)


def relationship(
    rel_id: str,
    supplier: TeamView,
    customer: TeamView,
    rng: random.Random,
    n_expectations: int = 3,
) -> RelationshipView:
    score = rng.random()
    return RelationshipView(
        id=rel_id,
        supplier=supplier,
        customer=customer,
        service=f"{supplier.name} service for {customer.name}",
        health=Health.of(score, rng.randrange(0, 10), TRENDS[rng.randrange(3)]),
        expectations=tuple(expectation(rel_id, i, rng) for i in range(n_expectations)),
        issues_url=f"{SITE}/issues/?jql=issue%20in%20relationship({rel_id})",
        stale=rng.random() < 0.1,
        blocked_links=1 if rng.random() < 0.05 else 0,
        last_feedback_at=EPOCH - timedelta(days=rng.randrange(60)),
        history=history(rel_id),
    )


def team_map(neighbours: int, expectations: int, seed: int = 7) -> CustomerMapView:
    """A team with `neighbours` split into suppliers and customers, expectations spread evenly."""
    rng = random.Random(seed)
    centre = team("PAY", "Payroll")
    per = max(expectations // max(neighbours, 1), 0)
    suppliers = [
        relationship(f"s{i}", team(f"S{i}"), centre, rng, per) for i in range(neighbours // 2)
    ]
    customers = [
        relationship(f"c{i}", centre, team(f"C{i}"), rng, per)
        for i in range(neighbours - neighbours // 2)
    ]
    return CustomerMapView(centre, suppliers, customers)


def integrator_map(n_teams: int, per_team: int = 5, seed: int = 11) -> IntegratorMapView:
    """An organisation in tiers (platform → products → customer-facing), with some cycles.

    Most relationships go from one tier to the next, a few skip tiers or point back, as real
    organisations do.
    """
    rng = random.Random(seed)
    teams = [team(f"T{i:03d}", f"Team {i:03d}") for i in range(n_teams)]
    tiers = 5
    tier_of = [i * tiers // n_teams for i in range(n_teams)]
    by_tier = [
        [t for t, k in zip(teams, tier_of, strict=True) if k == tier] for tier in range(tiers)
    ]
    rels: list[RelationshipView] = []
    seen: set[tuple[str, str]] = set()
    while len(rels) < n_teams * per_team:
        i = rng.randrange(n_teams)
        roll = rng.random()
        step = 1 if roll < 0.8 else (2 if roll < 0.93 else -1)
        target_tier = tier_of[i] + step
        if not 0 <= target_tier < tiers:
            continue
        candidates = by_tier[target_tier]
        j = candidates[rng.randrange(len(candidates))]
        if j.key == teams[i].key or (teams[i].key, j.key) in seen:
            continue
        seen.add((teams[i].key, j.key))
        rels.append(relationship(f"r{len(rels)}", teams[i], j, rng, 1))
    return IntegratorMapView(teams, rels)
