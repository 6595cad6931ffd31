"""A measure's values in the pages, under Connect and under Forge: Payroll's lead records a value
on the team page, HR's lead sees it on the issue panel with its history and disputes it; both
pages have no serious or critical axe-core violation, light and dark. And the guided form records
a measure counted by a JQL query, showing Jira's refusal of a query next to its field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

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


REFUSED_JQL = "project = = PAY"
COUNTED_JQL = "project = PAY AND labels = incident"


def refused_jql_shown_inline(frame: Frame) -> None:
    """The guided form, a measure counted by a JQL query Jira refuses: Jira's message next to the
    query's field (tied to it), the focus on it, nothing saved."""
    frame.get_by_role("button", name="Record an expectation").click()
    frame.get_by_label("1. Pick a customer").select_option(label="People — monthly payroll run")
    frame.get_by_label("Their answer, in their own words").fill("Few payroll incidents")
    frame.get_by_label("Measure", exact=True).fill("Payroll incidents")
    frame.get_by_label("Target", exact=True).fill("2")
    frame.get_by_label("Direction").select_option("atMost")
    query = frame.get_by_label("JQL query")
    expect(query).to_be_hidden()  # recorded by hand until chosen otherwise
    frame.get_by_label("Measured by").select_option(label="counted by a JQL query")
    frame.get_by_label("Measured by").press("Tab")  # the query's field is next, by keyboard
    expect(query).to_be_focused()
    expect(query).to_have_accessible_description(re.compile("Jira counts the issues it matches"))
    query.fill(REFUSED_JQL)
    frame.get_by_role("button", name="Save as a draft").click()
    expect(query).to_have_attribute("aria-invalid", "true")
    expect(query).to_be_focused()
    error = frame.locator("#" + (query.get_attribute("aria-describedby") or "").split()[0])
    expect(error).to_contain_text("Error in the JQL Query")  # Jira's own words
    expect(query).to_have_accessible_description(re.compile("Error in the JQL Query"))
    expect(frame.get_by_role("status")).to_have_text(
        "Not saved: see the message next to the measure."
    )


def test_a_measure_counted_by_jql_from_the_guided_form(
    page: Page, platform: Platform, output_dir: Path
) -> None:
    url = platform.team_page(PAYROLL_LEAD, "PAY")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        frame = platform.frame(page, url)
        refused_jql_shown_inline(frame)
        assert serious_violations(frame) == [], scheme
    page.emulate_media(color_scheme="light")
    assert platform.api("GET", "/expectations?team=PAY&side=supplier")["values"] == []
    page.screenshot(path=output_dir / f"{platform.name}-jql-refused.png", full_page=True)

    frame.get_by_label("JQL query").fill(COUNTED_JQL)
    frame.get_by_role("button", name="Save as a draft").click()
    expect(frame.get_by_role("status")).to_have_text("Saved as a draft.")
    made = platform.api("GET", "/expectations?team=PAY&side=supplier")["values"]
    assert [
        (m["name"], m["target"], m["direction"], m["source"], m["jql"])
        for e in made
        for m in e["measures"]
    ] == [("Payroll incidents", 2.0, "atMost", "jql", COUNTED_JQL)]
    expect(frame.locator(".icm-measure-jql")).to_have_text(COUNTED_JQL)  # shown on the page

    # After the save the form starts afresh; a measure added to it has its own choice and query.
    opener = frame.get_by_role("button", name="Record an expectation")
    if opener.get_attribute("aria-expanded") != "true":
        opener.click()
    expect(frame.get_by_label("JQL query")).to_be_hidden()
    frame.get_by_role("button", name="Add a measure").click()
    chosen, queries = frame.get_by_label("Measured by"), frame.get_by_label("JQL query")
    expect(chosen).to_have_count(2)
    chosen.nth(1).select_option("jql")
    expect(queries.nth(0)).to_be_hidden()
    expect(queries.nth(1)).to_be_visible()
    assert queries.nth(0).get_attribute("id") != queries.nth(1).get_attribute("id")
