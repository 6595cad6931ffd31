"""Health over time: each relationship's daily snapshots of the last 90 days."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from connector.db import get_db, utcnow
from connector.practice.health import HealthSnapshot
from tests.support.api import Api, seed


def test_a_teams_relationships_with_their_last_90_days(api: Api, app: Flask) -> None:
    made = seed(api)
    payroll, laptops = made["payroll"]["id"], made["laptops"]["id"]
    today = utcnow().date()
    with get_db(app).transaction() as session:
        for age, score in ((100, 0.1), (10, 0.5), (1, 0.75)):
            session.add(
                HealthSnapshot(
                    site_id=api.site.cloud_id,
                    subject="relationship",
                    subject_id=payroll,
                    day=today - timedelta(days=age),
                    score=score,
                    band="at_risk",
                    n=3,
                )
            )
    history = api.ok("GET", "/teams/PAY/health-history")
    assert history["days"] == 90
    found = {r["relationshipId"]: r["values"] for r in history["relationships"]}
    assert found[laptops] == []
    assert found[payroll] == [
        {"day": (today - timedelta(days=10)).isoformat(), "score": 0.5, "band": "at_risk"},
        {"day": (today - timedelta(days=1)).isoformat(), "score": 0.75, "band": "at_risk"},
    ]
    assert [
        r["relationshipId"] for r in api.ok("GET", "/teams/HR/health-history")["relationships"]
    ] == [payroll]
    assert api.get("/teams/NOPE/health-history").status_code == 404
