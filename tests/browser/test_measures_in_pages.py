"""A measure's values in the pages, under Connect and under Forge: Payroll's lead records a value
on the team page, HR's lead sees it on the issue panel with its history and disputes it; both
pages have no serious or critical axe-core violation, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from connector.sync.worker import drain_outbox
from tests.browser import test_practice_on_both_platforms as practice
from tests.browser.test_practice_on_both_platforms import HR_LEAD, PAYROLL_LEAD, Platform
from tests.connector.platforms.forge.conftest import PlatformSite
from tests.connector.platforms.forge.test_measure_values import ok
from tests.support.axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]
platform = practice.platform  # the same fixture: PAY and HR on Connect, then on Forge


def agreed_expectation(platform: Platform) -> dict[str, object]:
    site = platform.site
    relationship = platform.api("GET", "/relationships?team=PAY")["values"][0]
    made = platform.api(
        "POST",
        "/expectations",
        {
            "relationshipId": relationship["id"],
            "statement": "Payslips are right the first time",
            "measures": [{"name": "Payslips right", "target": 99.5, "unit": "%"}],
            "cadenceDays": 30,
        },
        201,
    )
    one = f"/expectations/{made['id']}"
    platform.api("POST", one + "/transitions", {"to": "proposed"})
    as_site = (
        site
        if isinstance(site, PlatformSite)
        else PlatformSite("connect", site.app, site.url, site.sandbox, site.site_id, live=site)
    )
    ok(as_site, HR_LEAD, "POST", one + "/transitions", {"to": "agreed"})
    drain_outbox(site.app, force=True)
    found: dict[str, object] = platform.api("GET", one)
    return found


def no_grave_violations(page: Page, platform: Platform, url: str) -> None:
    """axe-core over the whole frame, its measures' history table open."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        frame = platform.frame(page, url)
        expect(frame.locator(".icm-measures").first).to_be_visible()
        frame.locator(".icm-measure-history summary").first.click()  # the history table too
        assert serious_violations(frame) == [], (scheme, url)
    page.emulate_media(color_scheme="light")


def test_record_on_the_team_page_and_dispute_on_the_issue_panel(
    page: Page, platform: Platform, output_dir: Path
) -> None:
    expectation = agreed_expectation(platform)
    key = str(expectation["jiraIssueKey"])

    team = platform.frame(page, platform.team_page(PAYROLL_LEAD, "PAY"))
    team.get_by_role("button", name="Record a value of Payslips right").click()
    team.get_by_label("Value (%)").fill("99.8")
    team.get_by_label("Note (optional)").fill("November run")
    team.get_by_role("button", name="Save the value").click()
    expect(team.get_by_role("status")).to_contain_text("Payslips right: value recorded: done")
    expect(team.locator(".icm-measure-name")).to_contain_text("latest 99.8%")
    expect(team.locator(".icm-measure-name")).to_contain_text("met")
    # A customer may not record: the service refuses, and the page does not offer it.
    hr_team = platform.frame(page, platform.team_page(HR_LEAD, "HR"))
    expect(hr_team.locator(".icm-measures")).to_have_count(1)
    expect(hr_team.get_by_role("button", name="Record a value of Payslips right")).to_have_count(0)
    page.screenshot(path=output_dir / f"{platform.name}-measure-team-page.png", full_page=True)

    panel = platform.frame(page, platform.issue_panel(HR_LEAD, key))
    panel.get_by_text("History of Payslips right (1)").click()
    panel.get_by_role("button", name="Dispute").click()
    panel.get_by_label("Why you dispute 99.8% on").fill("March corrections are missing")
    panel.get_by_role("button", name="Send the dispute").click()
    expect(panel.locator("#icm-status")).to_contain_text("Dispute: done")
    panel.get_by_text("History of Payslips right (1)").click()
    expect(panel.get_by_text("disputed: March corrections are missing")).to_be_visible()
    page.screenshot(path=output_dir / f"{platform.name}-measure-issue-panel.png", full_page=True)

    no_grave_violations(page, platform, platform.team_page(PAYROLL_LEAD, "PAY"))
    no_grave_violations(page, platform, platform.issue_panel(HR_LEAD, key))
