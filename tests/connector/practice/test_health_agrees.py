"""One expectation, one health: the API, its team map and the Confluence macros show the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from connector.db import get_db, utcnow
from connector.platforms.sites import jira_base_url
from connector.practice.models import Feedback
from macros.data import customer_map_view
from macros.links import JiraLinks
from tests.support.api import Api, seed


def test_api_and_macros_show_the_same_health(app: Flask, api: Api) -> None:
    made = seed(api)
    payroll = made["payroll"]
    second = api.as_("lead-PAY").ok(
        "POST",
        "/expectations",
        {"relationshipId": payroll["id"], "statement": "Answers in a day"},
        201,
    )
    ids = [made["expectation"]["id"], second["id"]]
    now = utcnow()
    with get_db(app).transaction() as session:
        for n, (expectation_id, author) in enumerate(
            (e, a) for e in ids for a in ("lead-HR", "integrator", "someone")
        ):
            rating = 2 + n % 3 if expectation_id == ids[0] else 5
            session.add(
                Feedback(
                    site_id=api.site.cloud_id,
                    expectation_id=expectation_id,
                    rating=rating,
                    author_account_id=author,
                    source="api",
                    at=now - timedelta(days=n + 1),
                )
            )
    expectation = api.ok("GET", f"/expectations/{ids[0]}")["health"]
    team_map = api.ok("GET", "/teams/PAY/map")
    edge = next(r for r in team_map["customers"] if r["customer"]["key"] == "HR")
    with get_db(app).transaction() as session:
        site = api.site.cloud_id
        view = customer_map_view(
            session, site, "PAY", JiraLinks(jira_base_url(session, site)), utcnow()
        )
    macro_edge = next(r for r in view.customers if r.customer.key == "HR")
    macro_expectation = next(e for e in macro_edge.expectations if e.id == str(ids[0]))
    assert expectation["n"] == 3
    assert expectation["band"] != "no_feedback"
    assert macro_expectation.health.score is not None
    assert macro_expectation.health.score == pytest.approx(expectation["score"], abs=1e-3)
    assert macro_expectation.health.band == expectation["band"]
    assert edge["health"]["n"] == 6  # pooled: one rating per author per expectation counts
    assert macro_edge.health.score is not None
    assert macro_edge.health.score == pytest.approx(edge["health"]["score"], abs=1e-3)
    assert macro_edge.health.band == edge["health"]["band"]
