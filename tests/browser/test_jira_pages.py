"""The practice as people do it in Jira: the sandbox shows the app's pages and issue panel in
signed iframes, Chromium drives them, and the API says what was recorded.

Payroll's lead records and proposes what HR expects, HR's lead agrees on the HR project page, the
sync files the issue, HR's lead rates it on the issue panel, an admin changes the default cadence.
Atlassian's all.js is refused (offline), except where a test points the app at the sandbox's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, expect

from connector.sync.worker import drain_outbox
from sandbox.directory import USERS
from tests.support.live import LiveSite

pytestmark = pytest.mark.browser

PAYROLL_LEAD = USERS[0].account_id  # Mia Krystof, lead of the PAY project
HR_LEAD = USERS[1].account_id  # Emma Richards, lead of the HR project
WORDS = "Payslips reach every employee two working days before payday, without errors."
AGREED = "Agreed. The Jira issue appears in a few seconds."


def api(site: LiveSite, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = site.call(method, "/api/v1" + path, body, sub=PAYROLL_LEAD)
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@pytest.fixture
def site(live_site: LiveSite) -> LiveSite:
    """Payroll supplies HR with the monthly payroll run; each team's lead is its project's."""
    for key, name, lead in (("PAY", "Payroll", PAYROLL_LEAD), ("HR", "People", HR_LEAD)):
        team = {"key": key, "name": name, "jiraProjectKey": key, "leadAccountId": lead}
        api(live_site, "POST", "/teams", team, 201)
    relationship = {"supplier": "PAY", "customer": "HR", "service": "monthly payroll run"}
    api(live_site, "POST", "/relationships", relationship, 201)
    return live_site


def app_frame(page: Page, url: str) -> Frame:
    """Open a sandbox view and return the app's iframe in it, loaded."""
    page.goto(url)
    iframe = page.locator("iframe.ap-iframe")
    expect(iframe).to_have_count(1)
    frame = iframe.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    return frame


def jira_page(site: LiveSite, module: str, viewer: str, project: str | None = None) -> str:
    query = f"?as={viewer}" + (f"&project.key={project}" if project else "")
    return f"{site.sandbox.url}/jira/apps/{module}{query}"


def shoot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=output_dir / f"jira-{name}.png", full_page=True)


def expectations_of(site: LiveSite, team: str) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = api(site, "GET", f"/expectations?team={team}")["values"]
    return values


def unlabelled(frame: Frame) -> list[str]:
    """Every form field without a label (or an aria-label), as `tag name`."""
    found: list[str] = frame.evaluate(
        """() => Array.from(document.querySelectorAll("input, select, textarea"))
            .filter(f => f.type !== "hidden" && !f.labels.length && !f.getAttribute("aria-label"))
            .map(f => f.tagName.toLowerCase() + " " + (f.name || f.id))"""
    )
    return found


def propose(frame: Frame) -> None:
    """Payroll's lead opens the guided form and fills it as the practice walks them through it."""
    opener = frame.get_by_role("button", name="Record an expectation")
    if opener.get_attribute("aria-expanded") != "true":
        opener.click()
    frame.get_by_label("1. Pick a customer").select_option(label="People — monthly payroll run")
    frame.get_by_label("Their answer, in their own words").fill(WORDS)
    frame.get_by_label("Why it matters to them").fill("People plan their rent around payday.")
    frame.get_by_label("Measure", exact=True).fill("Payslips on time")
    frame.get_by_label("Target", exact=True).fill("99.5")
    frame.get_by_label("Unit", exact=True).fill("%")
    frame.get_by_label("An opportunity for growth").fill("Payslips in the employee app")
    frame.get_by_label("Ask for feedback every (days)").fill("14")
    frame.get_by_role("button", name="Propose to the customer").click()
    expect(frame.get_by_role("status")).to_have_text("Proposed to the customer.")


def rate(panel: Frame, rating: str, comment: str) -> None:
    """On the issue panel: the comment first, then a point of the scale, then Submit."""
    panel.get_by_label("Your comment").fill(comment)
    panel.get_by_label(rating).check()
    panel.get_by_role("button", name="Submit your rating").click()
    expect(panel.get_by_role("status")).to_have_text("Thank you: your rating is recorded.")


@pytest.mark.parametrize("all_js", ["offline", "sandbox"])
def test_propose_agree_sync_and_rate(
    page: Page, site: LiveSite, output_dir: Path, all_js: str
) -> None:
    if all_js == "sandbox":  # the stand-in sizes the frames; its getToken answers null
        site.app.config["ALL_JS_URL"] = f"{site.sandbox.url}/atlassian-connect/all.js"
    frame = app_frame(page, jira_page(site, "icm-team-page", PAYROLL_LEAD, "PAY"))
    expect(frame.get_by_role("heading", level=1)).to_have_text(
        "Payroll: internal customers and suppliers"
    )
    propose(frame)
    (proposed,) = expectations_of(site, "PAY")
    assert proposed["state"] == "proposed"
    assert proposed["statement"] == WORDS
    assert proposed["cadenceDays"] == 14
    assert proposed["growthOpportunity"] == "Payslips in the employee app"
    assert [(m["name"], m["target"], m["unit"], m["direction"]) for m in proposed["measures"]] == [
        ("Payslips on time", 99.5, "%", "atLeast")
    ]
    customers = frame.locator("#customers")
    expect(customers.get_by_text(f"“{WORDS}”")).to_be_visible()
    if all_js == "sandbox":  # the frame grew from the module's 400px to show the whole form
        page.wait_for_function("document.querySelector('iframe.ap-iframe').offsetHeight > 800")
    shoot(page, output_dir, f"team-page-supplier-{all_js}")

    # HR's lead sees it among HR's suppliers and agrees.
    frame = app_frame(page, jira_page(site, "icm-team-page", HR_LEAD, "HR"))
    suppliers = frame.locator("#suppliers")
    expect(suppliers.get_by_text(f"“{WORDS}”")).to_be_visible()
    suppliers.get_by_role("button", name="Agree").click()
    expect(frame.get_by_role("status")).to_have_text(AGREED)
    if all_js == "offline":  # no AP.flag: the flag shows in the page, in the list acted on
        expect(frame.locator("section").filter(has=suppliers).locator(".icm-flag")).to_contain_text(
            AGREED
        )
    else:
        expect(page.locator("#host-flags .host-flag").first).to_contain_text(AGREED)
    expect(suppliers.get_by_role("button", name="Agree")).to_have_count(0)
    (agreed,) = expectations_of(site, "PAY")
    assert agreed["state"] == "agreed"
    shoot(page, output_dir, f"team-page-customer-{all_js}")

    drain_outbox(site.app, force=True)
    synced = api(site, "GET", f"/expectations/{agreed['id']}")
    key = synced["jiraIssueKey"]
    assert key and key.startswith("PAY-"), synced
    assert synced["syncState"] == "synced"
    issue = site.sandbox.jira.issues[key]
    assert "People" in issue.summary
    assert "internal-customer" in issue.labels

    # The issue panel on that issue: HR's lead rates it 4 in one click, with a comment.
    panel = app_frame(page, f"{site.sandbox.url}/browse/{key}?as={HR_LEAD}")
    expect(panel.get_by_text(WORDS)).to_be_visible()
    rate(panel, "4 Mostly met", "Two late payslips in March.")
    mine = "Your latest rating: 4 of 5 “Two late payslips in March.”"
    expect(panel.locator("#icm-mine")).to_have_text(mine)
    (feedback,) = api(site, "GET", f"/expectations/{agreed['id']}/feedback")["values"]
    assert (feedback["rating"], feedback["comment"]) == (4, "Two late payslips in March.")
    assert (feedback["authorAccountId"], feedback["source"]) == (HR_LEAD, "panel")
    assert unlabelled(panel) == []
    shoot(page, output_dir, f"issue-panel-{all_js}")

    panel = app_frame(page, f"{site.sandbox.url}/browse/{key}?as={HR_LEAD}")  # back later
    expect(panel.locator("#icm-mine")).to_have_text(mine)
    # Payroll's lead may look, but a supplier does not grade itself: nothing to rate, and why;
    # its one button records a value of the measure (the supplier side records them).
    panel = app_frame(page, f"{site.sandbox.url}/browse/{key}?as={PAYROLL_LEAD}")
    expect(panel.locator("#icm-mine")).to_have_text("")
    expect(panel.get_by_role("radio")).to_have_count(0)
    expect(panel.get_by_role("button")).to_have_text(["Record a value of Payslips on time"])
    expect(panel.get_by_text("Only the customer side (its lead and members)")).to_be_visible()
    assert len(api(site, "GET", f"/expectations/{agreed['id']}/feedback")["values"]) == 1


def test_admin_page_sets_the_default_cadence(page: Page, site: LiveSite, output_dir: Path) -> None:
    api(site, "PUT", "/settings", {"issueType": "Story"})
    frame = app_frame(page, jira_page(site, "icm-admin", PAYROLL_LEAD))
    expect(frame.get_by_label("Issue type for expectations")).to_have_value("Story")  # loaded
    # Jira's own issue types, as a pick-list: what the site's Jira lacks cannot be chosen.
    options = frame.get_by_label("Issue type for expectations").locator("option")
    expect(options).to_have_text(["Task", "Story", "Bug"])
    assert unlabelled(frame) == []
    cadence = frame.get_by_label("Default feedback cadence (days)")
    cadence.fill("21")
    frame.get_by_role("button", name="Save", exact=True).click()
    expect(frame.get_by_role("status")).to_have_text("Settings saved.")
    settings = api(site, "GET", "/settings")
    assert (settings["defaultCadenceDays"], settings["issueType"]) == (21, "Story")
    shoot(page, output_dir, "admin-page")

    # The capture form starts from the new default, so what it records keeps it.
    frame = app_frame(page, jira_page(site, "icm-team-page", PAYROLL_LEAD, "PAY"))
    frame.get_by_role("button", name="Record an expectation").click()
    expect(frame.get_by_label("Ask for feedback every (days)")).to_have_value("21")
    frame.get_by_label("Their answer, in their own words").fill(WORDS)
    frame.get_by_role("button", name="Save as a draft").click()
    expect(frame.get_by_role("status")).to_have_text("Saved as a draft.")
    (draft,) = expectations_of(site, "PAY")
    assert (draft["state"], draft["cadenceDays"]) == ("draft", 21)


def test_general_page_opens_a_team(page: Page, site: LiveSite, output_dir: Path) -> None:
    frame = app_frame(page, jira_page(site, "icm-teams", HR_LEAD))
    frame.get_by_label("Team or position").select_option("HR")
    frame.get_by_role("button", name="Open").click()
    suppliers = frame.locator("#suppliers")
    expect(suppliers.get_by_role("article", name="Payroll")).to_contain_text("monthly payroll run")
    expect(frame.locator("#customers")).to_contain_text("No customers yet")
    assert unlabelled(frame) == []
    shoot(page, output_dir, "teams-page")


def test_capture_form_by_keyboard_alone(page: Page, site: LiveSite) -> None:
    """From Jira's page, Tab walks into the app's frame and through the form; Enter proposes."""
    frame = app_frame(page, jira_page(site, "icm-team-page", PAYROLL_LEAD, "PAY"))
    expect(frame.get_by_text("Nothing waits for you.")).to_be_visible()
    assert unlabelled(frame) == []

    def tab_to(name: str, text: str | None = None) -> None:
        page.keyboard.press("Tab")
        assert frame.evaluate("document.activeElement.name || document.activeElement.id") == name
        if text is not None:
            page.keyboard.type(text)

    tab_to("open-record")  # the first stop in the frame: the main task, at the top
    page.keyboard.press("Enter")  # opens the guided form, its first field focused
    assert frame.evaluate("document.activeElement.name") == "relationshipId"
    expect(frame.get_by_label("1. Pick a customer")).to_have_value(re.compile(r"\d+"))
    tab_to("statement", WORDS)
    tab_to("whyItMatters")
    tab_to("measureName", "Payslips on time")
    tab_to("measureTarget", "99.5")
    tab_to("measureUnit", "%")
    tab_to("measureDirection")
    tab_to("measureSource")  # recorded by hand: the JQL query's field is hidden, not a stop
    tab_to("add-measure")
    tab_to("growthOpportunity", "Payslips in the employee app")
    tab_to("cadenceDays")
    tab_to("priority")
    tab_to("action")
    assert frame.evaluate("document.activeElement.value") == "propose"
    page.keyboard.press("Enter")
    expect(frame.get_by_role("status")).to_have_text("Proposed to the customer.")
    (proposed,) = expectations_of(site, "PAY")
    assert (proposed["state"], proposed["statement"], proposed["cadenceDays"]) == (
        "proposed",
        WORDS,
        30,
    )
    assert proposed["measures"][0]["target"] == 99.5

    # The form closes and the focus is back on "Record an expectation"; open it again.
    assert frame.evaluate("document.activeElement.id") == "open-record"
    page.keyboard.press("Enter")
    for name in ("statement", "whyItMatters", "measureName", "measureTarget", "measureUnit"):
        tab_to(name)
    tab_to("measureDirection")
    tab_to("measureSource")
    page.keyboard.press("ArrowDown")  # counted by a JQL query: its field is the next stop
    assert frame.evaluate("document.activeElement.value") == "jql"
    tab_to("measureJql", "project = PAY AND labels = incident")
    tab_to("add-measure")
    page.keyboard.press("Enter")  # a second measure row, its first field focused and labelled
    assert frame.evaluate("document.activeElement.name") == "measureName"
    expect(frame.get_by_label("Measure", exact=True)).to_have_count(2)
    assert unlabelled(frame) == []
    # Either row can go again (the focus moves to "Add a measure").
    frame.get_by_role("button", name="Remove measure 2").click()
    expect(frame.get_by_label("Measure", exact=True)).to_have_count(1)
    assert frame.evaluate("document.activeElement.id") == "add-measure"
