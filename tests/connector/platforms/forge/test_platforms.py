"""One domain suite, both adapters: the same flows and assertions under Connect and under Forge."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import select

from connector.db import get_db
from sandbox.directory import USERS
from tests.connector.platforms.forge.conftest import PlatformSite
from webhooks.inbox import InboxDelivery


def organise(site: PlatformSite) -> dict[str, Any]:
    for key, name in (("PAY", "Payroll"), ("HR", "People")):
        answer = site.call(
            "POST",
            "/api/v1/teams",
            {"key": key, "name": name, "jiraProjectKey": key, "leadAccountId": USERS[0].account_id},
        )
        assert answer.status_code == 201, answer.text
    relationship = site.call(
        "POST",
        "/api/v1/relationships",
        {"supplier": "PAY", "customer": "HR", "service": "monthly payroll run"},
    )
    assert relationship.status_code == 201, relationship.text
    expectation = site.call(
        "POST",
        "/api/v1/expectations",
        {
            "relationshipId": relationship.json()["id"],
            "statement": "Payslips are right the first time",
            "whyItMatters": "People trust their pay",
            "measures": [{"name": "correct", "target": 99.5, "unit": "%", "direction": "atLeast"}],
            "growthOpportunity": "Self-service corrections",
            "cadenceDays": 30,
        },
    )
    assert expectation.status_code == 201, expectation.text
    body: dict[str, Any] = expectation.json()
    return body


def test_the_app_is_installed_for_the_site(platform_site: PlatformSite) -> None:
    assert platform_site.site_id == platform_site.sandbox.cloud_id
    answer = platform_site.call("GET", "/api/v1/teams")
    assert answer.status_code == 200, answer.text


def test_teams_and_expectations_through_the_api(platform_site: PlatformSite) -> None:
    expectation = organise(platform_site)
    assert expectation["state"] == "draft"

    customer_map = platform_site.call("GET", "/api/v1/teams/PAY/map")

    assert customer_map.status_code == 200, customer_map.text
    assert "HR" in customer_map.text and "Payslips are right the first time" in customer_map.text


def test_the_customer_map_macro_html(platform_site: PlatformSite) -> None:
    organise(platform_site)

    # Each platform shows the macro its own way: Connect in its iframe route, Forge through the
    # UI module its Custom UI asks for; both render the same fragment.
    if platform_site.platform == "connect":
        page = platform_site.call("GET", "/macros/customer-map?team=PAY", product="confluence")
        assert page.status_code == 200, page.text
        html = page.text
    else:
        page = platform_site.call("GET", "/forge/ui/customer-map?team=PAY", product="confluence")
        assert page.status_code == 200, page.text
        html = page.json()["html"]
    assert "Customer map: Payroll" in html
    assert "<svg" in html and "People" in html


def test_a_product_event_reaches_the_inbox(platform_site: PlatformSite) -> None:
    jira = platform_site.sandbox.jira
    unrelated = jira.create_issue(
        {"fields": {"project": {"key": "PAY"}, "summary": "Other", "issuetype": {"name": "Task"}}},
        USERS[0].account_id,
    )
    issue = jira.create_issue(
        {
            "fields": {
                "project": {"key": "PAY"},
                "summary": "Payslips",
                "issuetype": {"name": "Task"},
            },
            # An expectation's issue: Connect's comment webhooks filter on this property.
            "properties": [{"key": "icm.expectation", "value": {"id": 1}}],
        },
        USERS[0].account_id,
    )
    for key in (unrelated.key, issue.key):
        answer = requests.post(
            f"{platform_site.sandbox.url}/_sandbox/jira/issue/{key}/comment",
            json={"body": "Rating: 4/5 much better"},
            timeout=10,
        )
        assert answer.status_code in (200, 201), answer.text
    platform_site.wait_for_events()

    with get_db(platform_site.app).transaction() as session:
        events = session.scalars(
            select(InboxDelivery.event).where(InboxDelivery.site_id == platform_site.site_id)
        ).all()
    # Connect filters comments to expectations' issues at the source (the descriptor's JQL
    # `filter`); Forge has no such filter on comments, so both arrive and the handler sorts them.
    assert events.count("comment_created") == (1 if platform_site.platform == "connect" else 2)
