"""Daily use in Jira's pages: search a team's expectations, download them as CSV, and see on the
admin page whether the machinery works (sync backlog with retry, job runs, installations)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from connector import scheduler
from connector.db import get_db
from connector.practice.health import HealthSnapshot
from connector.practice.models import Expectation
from tests.browser.test_jira_pages import PAYROLL_LEAD, api, app_frame, jira_page, shoot
from tests.support.live import LiveSite

pytestmark = pytest.mark.browser


RELATIONSHIPS: dict[str, int] = {}


@pytest.fixture
def site(live_site: LiveSite) -> LiveSite:
    """PAY supplies HR with payroll, IT supplies PAY with laptops."""
    for key, name in (("PAY", "Payroll"), ("HR", "People"), ("IT", "IT Service")):
        team = {"key": key, "name": name, "jiraProjectKey": key, "leadAccountId": PAYROLL_LEAD}
        api(live_site, "POST", "/teams", team, 201)
    for supplier, customer, service in (("PAY", "HR", "payroll"), ("IT", "PAY", "laptops")):
        body = {"supplier": supplier, "customer": customer, "service": service}
        RELATIONSHIPS[service] = api(live_site, "POST", "/relationships", body, 201)["id"]
    return live_site


def expectation(site: LiveSite, service: str, statement: str, **more: Any) -> int:
    body = {"relationshipId": RELATIONSHIPS[service], "statement": statement, **more}
    made: int = api(site, "POST", "/expectations", body, 201)["id"]
    return made


def test_search_and_download_on_the_team_page(page: Page, site: LiveSite, output_dir: Path) -> None:
    expectation(site, "payroll", "Payslips reach everyone on time", whyItMatters="Rent is due")
    expectation(site, "payroll", "Queries answered within two days")
    expectation(site, "laptops", "=SUM(A1) laptops for new starters")
    today = datetime.now(UTC).date()
    with get_db(site.app).transaction() as session:
        for age, score in ((30, 0.5), (2, 0.75)):
            session.add(
                HealthSnapshot(
                    site_id=site.site_id,
                    subject="relationship",
                    subject_id=RELATIONSHIPS["payroll"],
                    day=today - timedelta(days=age),
                    score=score,
                    band="at_risk",
                    n=3,
                )
            )
    frame = app_frame(page, jira_page(site, "icm-team-page", PAYROLL_LEAD, "PAY"))
    sparkline = frame.locator(
        f'article[data-relationship="{RELATIONSHIPS["payroll"]}"] svg.sparkline'
    )
    expect(sparkline).to_have_attribute(
        "aria-label", "Health over the last 90 days: 2 daily snapshots, from 50% to 75%"
    )
    frame.get_by_label("Search expectations of this team").fill("PAYSLIP")
    frame.get_by_role("button", name="Search", exact=True).click()
    results = frame.locator("#results")
    expect(results.get_by_role("heading")).to_have_text("Found 1 expectation(s)")
    expect(results).to_contain_text("Payslips reach everyone on time")
    expect(results).not_to_contain_text("Queries answered")
    shoot(page, output_dir, "team-page-search")

    frame.get_by_label("Search expectations of this team").fill("")
    with page.expect_download() as downloaded:
        frame.get_by_role("button", name="Download CSV").click()
    path = downloaded.value.path()
    assert downloaded.value.suggested_filename == "PAY-expectations.csv"
    raw = Path(path).read_bytes()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8")
    assert "Payslips reach everyone on time" in text and "Queries answered" in text
    assert "'=SUM(A1) laptops for new starters" in text  # PAY is the laptops' customer


def test_general_page_searches_every_team(page: Page, site: LiveSite) -> None:
    expectation(site, "payroll", "Payslips reach everyone on time")
    expectation(site, "laptops", "Laptops ready on the first day")
    frame = app_frame(page, jira_page(site, "icm-teams", PAYROLL_LEAD))
    frame.get_by_label("Search expectations").fill("laptop")
    frame.get_by_role("button", name="Search", exact=True).click()
    results = frame.locator("#results")
    expect(results).to_contain_text("IT Service supplies Payroll")
    expect(results).to_contain_text("Laptops ready on the first day")


def test_operations_on_the_admin_page(page: Page, site: LiveSite, output_dir: Path) -> None:
    made = expectation(site, "payroll", "Payslips reach everyone on time")
    for to in ("proposed", "agreed"):
        api(site, "POST", f"/expectations/{made}/transitions", {"to": to})
    with get_db(site.app).transaction() as session:
        row = session.get(Expectation, made)
        assert row is not None
        row.sync_state, row.sync_error = "failed", "Jira answered 400: no issue type Task"
    scheduler.prune_inbox(site.app, datetime.now(UTC))

    frame = app_frame(page, jira_page(site, "icm-admin", PAYROLL_LEAD))
    operations = frame.locator("#operations")
    expect(operations.locator("#ops-sync")).to_contain_text(
        "0 waiting to reach Jira, 1 failed, 0 whose Jira issue was deleted"
    )
    expect(operations.locator("#ops-sync")).to_contain_text("no issue type Task")
    expect(operations.locator("#ops-jobs")).to_contain_text("prune_inbox")
    expect(operations.locator("#ops-installations")).to_contain_text("connect")
    expect(frame.get_by_label("Issue type for expectations")).to_be_visible()  # settings stay
    shoot(page, output_dir, "admin-operations")
    operations.get_by_role("button", name=f"Retry #{made}").click()
    expect(frame.get_by_role("status")).to_have_text(f"Retry #{made}: done")
    assert api(site, "GET", f"/expectations/{made}")["syncState"] == "pending"
    expect(operations.locator("#ops-sync")).to_contain_text(
        "1 waiting to reach Jira, 0 failed, 0 whose Jira issue was deleted"
    )
