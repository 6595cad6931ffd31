"""The personal data reporting cycle against the sandbox's report-accounts API: a closed account
is erased from every table while health stays the same; batches of at most 90; a 429's
Retry-After and the Cycle-Period header are honoured by rescheduling, never by sleeping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import select

from connector import scheduler
from connector.db import get_db, utcnow
from connector.db.models import PrivacyAccount, PrivacyCycle, Team
from connector.practice.privacy import held_accounts
from tests.connector.practice.test_privacy import health_of, rate, rows_naming
from tests.support.live import LiveSite
from tests.webhooks.support import (
    CUSTOMER_MEMBER,
    INTEGRATOR,
    ROBIN,
    SUPPLIER_LEAD,
    SUPPLIER_MEMBER,
    seed_app,
)


def sandbox(site: LiveSite, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, site.sandbox.url + path, json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def reports(site: LiveSite) -> list[list[dict[str, str]]]:
    batches: list[list[dict[str, str]]] = sandbox(site, "GET", "/_sandbox/privacy/reports")[
        "reports"
    ]
    return batches


def test_a_closed_account_leaves_no_personal_data_and_health_holds(live_site: LiveSite) -> None:
    app, site_id = live_site.app, live_site.site_id
    org = seed_app(app, site_id)
    with get_db(app).transaction() as session:
        [expectation] = org.expectation_ids
        rate(session, site_id, expectation, ROBIN, [2, 4, 5])
        rate(session, site_id, expectation, INTEGRATOR, [3, 4])
        before = health_of(session, site_id, org.relationship_id, utcnow())
        assert rows_naming(session, ROBIN)
    sandbox(live_site, "POST", f"/_sandbox/privacy/accounts/{ROBIN}/close")

    now = utcnow()
    reported = scheduler.report_personal_data(app, now)

    [batch] = reports(live_site)
    # The two leads (ROBIN leads HR), the integrator and each team's member.
    held = {ROBIN, INTEGRATOR, SUPPLIER_LEAD, SUPPLIER_MEMBER, CUSTOMER_MEMBER}
    assert reported == len(batch) == len(held)
    assert {item["accountId"] for item in batch} == held
    assert all(item["updatedAt"].endswith("Z") for item in batch)
    with get_db(app).transaction() as session:
        assert rows_naming(session, ROBIN) == []
        assert health_of(session, site_id, org.relationship_id, utcnow()) == before
    team = live_site.call("GET", "/api/v1/teams/HR")
    assert team.status_code == 200, team.text
    assert (team.json()["leadAccountId"], team.json()["formerLead"]) == (None, True)
    # Set a new lead: no longer a former lead.
    patched = live_site.call("PATCH", "/api/v1/teams/HR", {"leadAccountId": INTEGRATOR})
    assert patched.status_code == 200, patched.text
    assert patched.json()["formerLead"] is False


def test_batches_retry_after_and_cycle_period(live_site: LiveSite) -> None:
    app, site_id = live_site.app, live_site.site_id
    with get_db(app).transaction() as session:
        session.add_all(
            Team(site_id=site_id, key=f"T{n}", name=f"Team {n}", lead_account_id=f"acc-{n:03d}")
            for n in range(200)
        )
    sandbox(
        live_site,
        "POST",
        "/_sandbox/privacy/settings",
        {"rateLimited": 1, "retryAfter": 120, "cyclePeriod": "14 Days"},
    )
    now = utcnow()

    assert scheduler.report_personal_data(app, now) == 0  # 429: rescheduled, not slept on
    with get_db(app).transaction() as session:
        cycle = session.get(PrivacyCycle, site_id)
        assert cycle is not None and cycle.last_outcome == "rate limited"
        assert cycle.next_run_at == now + timedelta(seconds=120)
    assert scheduler.report_personal_data(app, now + timedelta(seconds=60)) == 0
    assert reports(live_site) == []

    later = now + timedelta(seconds=121)
    assert scheduler.report_personal_data(app, later) == 200
    batches = reports(live_site)
    assert [len(batch) for batch in batches] == [90, 90, 20]
    with get_db(app).transaction() as session:
        assert {i["accountId"] for b in batches for i in b} == held_accounts(session, site_id)
        cycle = session.get(PrivacyCycle, site_id)
        assert cycle is not None and cycle.last_outcome == "reported"
        assert cycle.period_seconds == 14 * 86400  # the Cycle-Period answered
        assert cycle.next_run_at == later + timedelta(days=14)

    # Not again within the cycle period, even a week later.
    assert scheduler.report_personal_data(app, later + timedelta(days=7)) == 0
    # An updated account comes back `updated` once: its data is marked refreshed.
    sandbox(live_site, "POST", "/_sandbox/privacy/accounts/acc-007/update")
    refreshed_at = later + timedelta(days=15)
    assert scheduler.report_personal_data(app, refreshed_at) == 200
    with get_db(app).transaction() as session:
        updated = session.scalar(
            select(PrivacyAccount.updated_at).where(PrivacyAccount.account_id == "acc-007")
        )
        assert updated == refreshed_at
        assert session.scalar(select(Team.lead_account_id).where(Team.key == "T7")) == "acc-007"
