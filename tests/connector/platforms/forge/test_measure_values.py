"""Measures that measure, on both platforms and both databases: values recorded by hand and
counted by JQL (sandbox Jira's approximate count, spec-checked), attainment moving health and
its band as README's formula says, disputes beside values, refusals, the history in the map's
table and in the export, and a 429 that defers the count rather than looping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from connector.db import get_db, utcnow
from connector.practice.health import snapshot_site_health
from connector.practice.measure_counts import count_site
from connector.practice.models import Measure
from sandbox.directory import USERS
from tests.connector.platforms.forge.conftest import PlatformSite

pytestmark = pytest.mark.slow

ADMIN = USERS[0].account_id  # the sandbox's Jira administrator; PAY's lead here
PAY_LEAD = ADMIN
HR_LEAD = USERS[1].account_id
HR_MEMBERS = (USERS[2].account_id, USERS[3].account_id)
COUNTED = "project = PAY AND labels = incident"


def call(
    site: PlatformSite, account: str, method: str, path: str, body: Any = None
) -> requests.Response:
    """As `account`, through the platform's own authentication."""
    if site.live is not None:
        return site.live.call(method, "/api/v1" + path, body, sub=account)
    headers = site.forge_headers(account_id=account)
    return requests.request(
        method, site.url + "/api/v1" + path, json=body, headers=headers, timeout=30
    )


def ok(site: PlatformSite, account: str, method: str, path: str, body: Any = None) -> Any:
    answer = call(site, account, method, path, body)
    assert answer.status_code in (200, 201, 204), answer.text
    return answer.json() if answer.content else None


def organise(site: PlatformSite) -> dict[str, Any]:
    """PAY supplies HR; HR's lead and two members rate 3 of 5 (F = 0.5); two measures."""
    for key, name, lead in (("PAY", "Payroll", PAY_LEAD), ("HR", "People", HR_LEAD)):
        ok(
            site,
            ADMIN,
            "POST",
            "/teams",
            {"key": key, "name": name, "jiraProjectKey": key, "leadAccountId": lead},
        )
    ok(site, ADMIN, "PUT", "/teams/HR/members", {"accountIds": list(HR_MEMBERS)})
    rel = ok(
        site,
        ADMIN,
        "POST",
        "/relationships",
        {"supplier": "PAY", "customer": "HR", "service": "payroll"},
    )
    made = ok(
        site,
        PAY_LEAD,
        "POST",
        "/expectations",
        {
            "relationshipId": rel["id"],
            "statement": "Payslips are right the first time",
            "measures": [
                {"name": "Payslips right", "target": 99.5, "unit": "%", "direction": "atLeast"},
                {
                    "name": "Payroll incidents",
                    "target": 2,
                    "unit": "incidents",
                    "direction": "atMost",
                    "source": "jql",
                    "jql": COUNTED,
                },
            ],
            "cadenceDays": 30,
        },
    )
    ok(site, PAY_LEAD, "POST", f"/expectations/{made['id']}/transitions", {"to": "proposed"})
    ok(site, HR_LEAD, "POST", f"/expectations/{made['id']}/transitions", {"to": "agreed"})
    for rater in (HR_LEAD, *HR_MEMBERS):
        ok(site, rater, "POST", f"/expectations/{made['id']}/feedback", {"rating": 3})
    return made


def health(site: PlatformSite, expectation_id: int) -> dict[str, Any]:
    """The expectation's health as the API gives it, without the explanation's prose."""
    found: dict[str, Any] = ok(site, HR_LEAD, "GET", f"/expectations/{expectation_id}")["health"]
    found.pop("explanation")
    return found


def incident(site: PlatformSite, n: int) -> None:
    fields = {
        "project": {"key": "PAY"},
        "summary": f"Incident {n}",
        "issuetype": {"name": "Task"},
        "labels": ["incident"],
    }
    site.sandbox.jira.create_issue({"fields": fields}, ADMIN)


def count_calls(site: PlatformSite) -> int:
    return sum(1 for c in site.sandbox.calls if c.path.endswith("/search/approximate-count"))


def test_values_by_hand_and_by_jql_move_attainment_health_and_band(
    platform_site: PlatformSite,
) -> None:
    site = platform_site
    made = organise(site)
    one = f"/expectations/{made['id']}"
    manual, counted = (m["id"] for m in made["measures"])

    def snapshot(days_ago: int) -> None:
        snapshot_site_health(
            site.app, site.site_id, utcnow(), utcnow().date() - timedelta(days=days_ago)
        )

    # Feedback alone: F = 0.5, at risk.
    assert health(site, made["id"]) == {
        "score": 0.5,
        "band": "at_risk",
        "trend": "flat",
        "n": 3,
        "label": "At risk · 50%",
    }
    snapshot(3)

    # Both measures met: A = 1, H = (0.5 + 1) / 2 = 0.75, healthy.
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    value = ok(
        site,
        PAY_LEAD,
        "POST",
        f"{one}/measures/{manual}/values",
        {"value": 99.8, "date": yesterday, "note": "November run"},
    )
    assert (value["recordedBy"], value["source"], value["date"]) == (PAY_LEAD, "manual", yesterday)
    before = count_calls(site)
    run = count_site(site.app, site.site_id, utcnow())
    assert (run.counted, run.calls, count_calls(site) - before) == (1, 1, 1)
    assert count_site(site.app, site.site_id, utcnow()).calls == 0  # counted once per cadence
    assert health(site, made["id"])["score"] == 0.75
    assert health(site, made["id"])["band"] == "healthy"
    snapshot(2)

    # Three incidents in Jira, counted on demand: the JQL measure is missed, A = 0.5.
    for n in range(3):
        incident(site, n)
    now_counted = ok(site, PAY_LEAD, "POST", f"{one}/measures/{counted}/count")
    assert (now_counted["value"], now_counted["source"], now_counted["recordedBy"]) == (
        3.0,
        "jql",
        None,
    )
    assert health(site, made["id"])["score"] == 0.5
    assert health(site, made["id"])["band"] == "at_risk"
    snapshot(1)

    # The manual measure missed today: A = 0, H = 0.25, unhealthy; the trend falls.
    ok(site, PAY_LEAD, "POST", f"{one}/measures/{manual}/values", {"value": 97.0})
    snapshot(0)
    assert health(site, made["id"]) == {
        "score": 0.25,
        "band": "unhealthy",
        "trend": "down",
        "n": 3,
        "label": "Unhealthy · 25%",
    }

    # The customer side disputes a value: the comment sits beside it; the value stays.
    listed = ok(site, HR_LEAD, "GET", f"{one}/measures/{manual}/values")
    assert [v["value"] for v in listed["values"]] == [97.0, 99.8]
    disputed = ok(
        site,
        HR_MEMBERS[0],
        "POST",
        f"{one}/measures/{manual}/values/{listed['values'][0]['id']}/dispute",
        {"comment": "March corrections not counted"},
    )
    assert (disputed["value"], disputed["disputeComment"], disputed["disputedBy"]) == (
        97.0,
        "March corrections not counted",
        HR_MEMBERS[0],
    )
    shown = ok(site, HR_LEAD, "GET", one)["measures"][0]
    assert [(p["value"], p["disputed"]) for p in shown["history"]] == [(99.8, False), (97.0, True)]
    assert health(site, made["id"])["score"] == 0.25  # a dispute deletes nothing

    # The history in the map's table (the expectations macro) and in the export.
    if site.platform == "connect":
        page = site.call("GET", "/macros/expectations?team=PAY", product="confluence")
        html = page.text
    else:
        page = site.call("GET", "/forge/ui/expectations?team=PAY", product="confluence")
        html = page.json()["html"]
    assert page.status_code == 200, page.text
    assert (
        "Payslips right: 99.8% on " + yesterday in html and "97% on " in html and "disputed" in html
    )
    assert 'class="measure-chart"' in html
    csv = call(site, HR_LEAD, "GET", "/expectations.csv?team=PAY")
    assert csv.status_code == 200 and f"99.8% on {yesterday}" in csv.text


def test_refusals_name_the_rule_or_jiras_message(platform_site: PlatformSite) -> None:
    site = platform_site
    made = organise(site)
    one = f"/expectations/{made['id']}"
    manual, counted = (m["id"] for m in made["measures"])

    by_customer = call(site, HR_LEAD, "POST", f"{one}/measures/{manual}/values", {"value": 99.9})
    assert by_customer.status_code == 403
    assert by_customer.json()["error"]["code"] == "role_required"
    assert "only the supplier side" in by_customer.json()["error"]["message"]
    value = ok(site, PAY_LEAD, "POST", f"{one}/measures/{manual}/values", {"value": 99.9})
    by_supplier = call(
        site,
        PAY_LEAD,
        "POST",
        f"{one}/measures/{manual}/values/{value['id']}/dispute",
        {"comment": "no"},
    )
    assert (
        by_supplier.status_code == 403
        and "never the supplier side" in by_supplier.json()["error"]["message"]
    )

    for body, field in (
        ({"value": "ninety"}, "value"),
        ({"value": True}, "value"),
        ({"value": 120}, "value"),
        ({"value": 99, "unit": "days"}, "unit"),
        ({"value": 99, "date": "2999-01-01"}, "date"),
    ):
        refused = call(site, PAY_LEAD, "POST", f"{one}/measures/{manual}/values", body)
        assert refused.status_code == 422, (body, refused.text)
        assert field in refused.json()["error"]["details"], refused.text
    by_hand = call(site, PAY_LEAD, "POST", f"{one}/measures/{counted}/values", {"value": 1})
    assert by_hand.status_code == 409 and "counted by JQL" in by_hand.json()["error"]["message"]

    bad = {"name": "Payroll incidents", "target": 2, "source": "jql", "jql": "project = = PAY"}
    typo = call(site, PAY_LEAD, "PATCH", one, {"measures": [bad]})
    assert typo.status_code == 422, typo.text
    assert typo.json()["error"]["code"] == "jql_refused"
    assert "Error in the JQL Query" in typo.json()["error"]["message"]  # Jira's own words
    assert [m["jql"] for m in ok(site, HR_LEAD, "GET", one)["measures"]] == [None, COUNTED]
    assert (
        ok(site, PAY_LEAD, "GET", f"{one}/measures/{manual}/values")["values"][0]["value"] == 99.9
    )


def test_a_429_defers_the_count_and_a_refused_jql_is_kept_not_retried(
    platform_site: PlatformSite,
) -> None:
    site = platform_site
    made = organise(site)
    later = utcnow() + timedelta(days=31)
    site.sandbox.set_faults(rate429=1.0, retryAfter=120)
    before = count_calls(site)
    now = f"/expectations/{made['id']}/measures/{made['measures'][1]['id']}/count"
    asked = call(site, PAY_LEAD, "POST", now)  # on demand: Jira says 429, we answer 503
    assert asked.status_code == 503 and 100 <= int(asked.headers["Retry-After"]) <= 120
    assert asked.json()["error"]["code"] == "count_deferred"
    again = call(site, PAY_LEAD, "POST", now)  # within Retry-After: Jira is not asked
    assert again.status_code == 503 and count_calls(site) - before == 1
    before = count_calls(site)
    run = count_site(site.app, site.site_id, later)
    assert (run.deferred, run.counted, count_calls(site) - before) == (1, 0, 1)  # one call, no loop
    assert count_site(site.app, site.site_id, later + timedelta(seconds=60)).calls == 0
    site.sandbox.set_faults(rate429=0.0)
    run = count_site(site.app, site.site_id, later + timedelta(seconds=121))
    assert (run.counted, run.calls) == (1, 1)

    # A JQL Jira refuses at count time (here: the project went away) is kept with Jira's
    # message, shown on the expectation and the admin page, and not counted again.
    with get_db(site.app).transaction() as session:
        measure = session.get(Measure, made["measures"][1]["id"])
        assert measure is not None
        measure.jql = "project = GONE"
    run = count_site(site.app, site.site_id, later + timedelta(days=31))
    assert (run.refused, run.calls) == (1, 1)
    error = ok(site, PAY_LEAD, "GET", f"/expectations/{made['id']}")["measures"][1]["countError"]
    assert error and "GONE" in error
    assert count_site(site.app, site.site_id, later + timedelta(days=62)).calls == 0
    operations = ok(site, ADMIN, "GET", "/operations")
    assert [m["countError"] for m in operations["measures"]] == [error]
