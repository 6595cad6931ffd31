"""From an empty site to a rated expectation, by clicking only (issue #22), on Connect and Forge.

Mia (a Jira administrator, PAY's project lead) sets up People (led by Emma) from the HR project's
page, then Payroll from the PAY page with People as its customer, picked from the site's teams;
she records HR's expectation through the guided form ("Record an expectation"), where a measure
without a target is refused next to its field; Emma sees the proposal waiting for her and agrees;
the sync files the issue; Emma rates it on the panel with a comment; the map shows it. Every
action answers with a flag on the product's page, and every app frame passes axe-core with no
serious or critical violation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, expect

from connector.db import get_db
from connector.practice.settings import site_settings
from connector.sync.worker import drain_outbox
from tests.browser.test_jira_pages import propose
from tests.browser.test_practice_on_both_platforms import (
    HR_LEAD,
    MAP_PAGE,
    PAYROLL_LEAD,
    WORDS,
    Platform,
    payroll_and_people,
)
from tests.connector.platforms.forge.conftest import PlatformSite
from tests.support.axe import serious_violations
from tests.support.live import LiveSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(params=["connect", "forge"])
def empty(request: pytest.FixtureRequest, app_config: dict[str, Any]) -> Platform:
    """The app installed on a site with no team at all."""
    if request.param == "forge":
        request.getfixturevalue("forge_bundle")
        forge: PlatformSite = request.getfixturevalue("forge_live")
        return Platform("forge", forge.sandbox, forge)
    live: LiveSite = request.getfixturevalue("live_site")
    # The sandbox's all.js (AP.flag shows flags on the product's page), not Atlassian's CDN.
    live.app.config["ALL_JS_URL"] = f"{live.sandbox.url}/atlassian-connect/all.js"
    return Platform("connect", live.sandbox, live)


def flagged(page: Page, title: str) -> None:
    """The newest flag on the product's page says `title`."""
    expect(page.locator("#host-flags .host-flag").first).to_contain_text(title)


def accessible(frame: Frame) -> None:
    assert serious_violations(frame) == []


def in_the_dark(page: Page, platform: Platform, url: str) -> Frame:
    """The same view in the dark theme (Connect follows the system; Forge the product)."""
    if platform.name == "connect":
        page.emulate_media(color_scheme="dark")
        return platform.frame(page, url)
    return platform.frame(page, url + "&theme=dark")


def set_up(frame: Frame, name: str, lead: str | None, customer: str | None = None) -> None:
    form = frame.locator("#icm-setup")
    expect(form.get_by_role("heading", name="Set up your team")).to_be_visible()
    accessible(frame)
    form.get_by_label("Your team's name").fill(name)
    if lead:
        form.get_by_label("Lead", exact=True).fill(lead)
    if customer:
        form.get_by_label("Customer team").select_option(label=customer)
        form.get_by_label("What you supply to them").fill("monthly payroll run")
    form.get_by_role("button", name="Set up the team").click()


def test_from_an_empty_site_to_a_rated_expectation(
    page: Page, empty: Platform, output_dir: Path
) -> None:
    name = empty.name
    # The set-up page passes axe in the dark too.
    accessible(in_the_dark(page, empty, empty.team_page(PAYROLL_LEAD, "HR")))
    page.emulate_media(color_scheme="light")
    # People, led by Emma, set up from the HR project's page (the key comes from the project).
    frame = empty.frame(page, empty.team_page(PAYROLL_LEAD, "HR"))
    set_up(frame, "People", "Emma Richards")
    flagged(page, "People is set up.")
    people = empty.api("GET", "/teams/HR")
    assert (people["name"], people["leadAccountId"], people["jiraProjectKey"]) == (
        "People",
        HR_LEAD,
        "HR",
    )

    # Payroll, led by Mia herself, serving People: picked from the site's teams.
    frame = empty.frame(page, empty.team_page(PAYROLL_LEAD, "PAY"))
    page.screenshot(path=output_dir / f"{name}-set-up-your-team.png", full_page=True)
    set_up(frame, "Payroll", None, customer="People")
    flagged(page, "Payroll is set up.")
    if name == "connect":  # the page reloads onto the team
        frame = empty.frame(page, empty.team_page(PAYROLL_LEAD, "PAY"))
    expect(frame.get_by_role("heading", level=1)).to_have_text(
        "Payroll: internal customers and suppliers"
    )
    (relationship,) = empty.api("GET", "/relationships?team=PAY")["values"]
    assert (relationship["supplier"]["key"], relationship["customer"]["key"]) == ("PAY", "HR")
    accessible(frame)

    # No supplier yet: the empty list offers the button that adds one, made on the spot.
    frame.get_by_role("button", name="Add a supplier").click()
    frame.get_by_label("Supplier team").select_option(label="A new team…")
    frame.get_by_label("The new team's name").fill("IT Service")
    frame.get_by_label("What they supply to you").fill("laptops")
    accessible(frame)
    frame.get_by_role("button", name="Save", exact=True).click()
    flagged(page, "Saved.")
    suppliers = empty.api("GET", "/relationships?team=PAY&side=customer")["values"]
    assert [(r["supplier"]["name"], r["service"]) for r in suppliers] == [("IT Service", "laptops")]

    # The guided form opens from the top; a measure without a target is refused at the door.
    frame.get_by_role("button", name="Record an expectation").click()
    frame.get_by_label("Their answer, in their own words").fill(WORDS)
    frame.get_by_label("Measure", exact=True).fill("Payslips on time")
    frame.get_by_role("button", name="Propose to the customer").click()
    expect(frame.get_by_text("Give a target for “Payslips on time”")).to_be_visible()
    assert empty.api("GET", "/expectations?team=PAY")["values"] == []
    accessible(frame)
    frame.get_by_role("button", name="Add a measure").click()  # a row too many: it goes again
    expect(frame.get_by_label("Measure", exact=True)).to_have_count(2)
    frame.get_by_role("button", name="Remove measure 2").click()
    expect(frame.get_by_label("Measure", exact=True)).to_have_count(1)
    propose(frame)
    flagged(page, "Proposed to the customer.")
    expect(frame.get_by_label("Their answer, in their own words")).to_be_hidden()  # closed
    (proposed,) = empty.api("GET", "/expectations?team=PAY")["values"]
    assert proposed["state"] == "proposed" and proposed["measures"][0]["target"] == 99.5
    page.screenshot(path=output_dir / f"{name}-first-run-supplier.png", full_page=True)

    # Emma sees what waits for her at the top, and agrees.
    frame = empty.frame(page, empty.team_page(HR_LEAD, "HR"))
    waiting = frame.locator("#icm-waiting")
    expect(waiting).to_contain_text("1 proposal waits for your answer")
    accessible(frame)
    frame.get_by_role("button", name="Agree").click()
    flagged(page, "Agreed. The Jira issue appears in a few seconds.")
    expect(frame.get_by_role("button", name="Agree")).to_have_count(0)

    drain_outbox(empty.site.app, force=True)
    key = empty.api("GET", f"/expectations/{proposed['id']}")["jiraIssueKey"]
    assert key and key.startswith("PAY-")

    # On the issue: the comment first, the labelled scale, Submit.
    panel = empty.frame(page, empty.issue_panel(HR_LEAD, key))
    accessible(panel)
    panel.get_by_label("Your comment").fill("Two late payslips in March.")
    panel.get_by_role("button", name="Submit your rating").click()
    expect(panel.get_by_text("Choose how well it is met, from 1 to 5.")).to_be_visible()
    panel.get_by_label("4 Mostly met").check()
    panel.get_by_role("button", name="Submit your rating").click()
    flagged(page, "Thank you: your rating is recorded.")
    mine = "Your latest rating: 4 of 5 “Two late payslips in March.”"
    expect(panel.locator("#icm-mine")).to_have_text(mine)
    panel = empty.frame(page, empty.issue_panel(HR_LEAD, key))  # after a reload, still shown
    expect(panel.locator("#icm-mine")).to_have_text(mine)
    (rated,) = empty.api("GET", f"/expectations/{proposed['id']}/feedback")["values"]
    assert (rated["rating"], rated["comment"]) == (4, "Two late payslips in March.")
    # The supplier is shown nothing to rate: its one button records a value of the measure.
    panel = empty.frame(page, empty.issue_panel(PAYROLL_LEAD, key))
    expect(panel.get_by_text(WORDS)).to_be_visible()
    expect(panel.get_by_role("button")).to_have_text(["Record a value of Payslips on time"])
    expect(panel.get_by_role("radio")).to_have_count(0)

    # The same pages in the dark: no serious or critical violation either.
    for url in (empty.team_page(HR_LEAD, "HR"), empty.issue_panel(HR_LEAD, key)):
        accessible(in_the_dark(page, empty, url))
    page.emulate_media(color_scheme="light")

    # The map.
    page_id = empty.sandbox.confluence_seed_page("ICM", "Payroll's customers", MAP_PAGE)
    shown = empty.frame(page, empty.confluence_page(page_id, HR_LEAD, "light"))
    expect(shown.get_by_role("link", name=WORDS, exact=True)).to_be_visible()
    page.screenshot(path=output_dir / f"{name}-first-run-map.png", full_page=True)


LIST = (
    "type,key,name,jiraProjectKey,leadAccountId,supplier,customer,service\n"
    f"team,PAY,Payroll,PAY,{PAYROLL_LEAD},,,\n"
    f"team,HR,People,HR,{HR_LEAD},,,\n"
    "relationship,,,,,PAY,HR,monthly payroll run\n"
)


def test_a_list_is_imported_from_a_file(page: Page, empty: Platform) -> None:
    frame = empty.frame(page, empty.team_page(PAYROLL_LEAD, "PAY"))
    form = frame.locator("#icm-import")
    chooser = form.get_by_label("File (YAML or CSV)")
    wrong = LIST.replace("PAY,HR,monthly", "PAY,NOPE,monthly").encode()
    chooser.set_input_files({"name": "org.csv", "mimeType": "text/csv", "buffer": wrong})
    form.get_by_role("button", name="Import the file").click()
    expect(form.locator(".icm-error")).to_contain_text(
        "row 4: customer: no team 'NOPE' in the file or site"
    )
    assert empty.api("GET", "/teams")["values"] == []  # nothing half-written
    accessible(frame)

    chooser.set_input_files({"name": "org.csv", "mimeType": "text/csv", "buffer": LIST.encode()})
    form.get_by_role("button", name="Import the file").click()
    flagged(page, "Imported.")
    if empty.name == "connect":
        frame = empty.frame(page, empty.team_page(PAYROLL_LEAD, "PAY"))
    expect(frame.get_by_role("heading", level=1)).to_have_text(
        "Payroll: internal customers and suppliers"
    )
    assert sorted(t["key"] for t in empty.api("GET", "/teams")["values"]) == ["HR", "PAY"]


def test_the_settings_offer_only_what_jira_has(page: Page, empty: Platform) -> None:
    """The admin page's pick-lists come from the site's Jira; a value stored before the check
    (and since gone from Jira) is refused next to its field when saved."""
    with get_db(empty.site.app).transaction() as session:
        site_settings(session, empty.site.site_id).issue_type = "Stroy"
    if empty.name == "forge":
        url = f"{empty.sandbox.url}/forge/apps/admin-page?as={PAYROLL_LEAD}"
    else:
        url = f"{empty.sandbox.url}/jira/apps/icm-admin?as={PAYROLL_LEAD}"
    frame = empty.frame(page, url)
    issue_type = frame.get_by_label(re.compile(r"^Issue type (of an expectation|for expectations)"))
    expect(issue_type).to_have_value("Stroy")
    expect(issue_type.locator("option")).to_have_text(["Task", "Story", "Bug", "Stroy"])
    accessible(frame)
    frame.get_by_role("button", name=re.compile("^Save( the settings)?$")).click()
    expect(frame.locator(".icm-error").first).to_contain_text(
        "Jira on this site has no issue type 'Stroy'"
    )
    expect(issue_type).to_have_attribute("aria-invalid", "true")
    issue_type.select_option("Story")
    frame.get_by_role("button", name=re.compile("^Save( the settings)?$")).click()
    flagged(page, "Settings saved.")
    assert empty.api("GET", "/settings")["issueType"] == "Story"
    accessible(in_the_dark(page, empty, url))


def test_counter_proposal_in_a_dialog_and_retire_asks_first(page: Page, empty: Platform) -> None:
    payroll_and_people(empty)
    (relationship,) = empty.api("GET", "/relationships")["values"]
    body = {"relationshipId": relationship["id"], "statement": WORDS}
    made = empty.api("POST", "/expectations", body, 201)
    empty.api("POST", f"/expectations/{made['id']}/transitions", {"to": "proposed"})

    frame = empty.frame(page, empty.team_page(HR_LEAD, "HR"))
    frame.get_by_role("button", name="Counter-propose").click()
    dialog = frame.get_by_role("dialog", name="Counter-propose")
    words = dialog.get_by_label("Your expectation, in your own words")
    expect(words).to_be_focused()
    accessible(frame)
    words.fill("Payslips two days before payday, and a corrected one within a day.")
    dialog.get_by_role("button", name="Send the counter-proposal").click()
    flagged(page, "Counter-proposal sent.")
    shown = empty.api("GET", f"/expectations/{made['id']}")
    assert shown["statement"].startswith("Payslips two days before payday, and a corrected")

    # Retire is a danger action: Cancel keeps it, the dialog's Retire retires it.
    frame.get_by_role("button", name="Retire").click()
    dialog = frame.get_by_role("dialog", name="Retire this expectation?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert empty.api("GET", f"/expectations/{made['id']}")["state"] == "proposed"
    frame.get_by_role("button", name="Retire").click()
    frame.get_by_role("dialog").get_by_role("button", name="Retire").click()
    flagged(page, "Retired.")
    assert empty.api("GET", f"/expectations/{made['id']}")["state"] == "retired"


def test_someone_else_is_told_who_sets_the_team_up(page: Page, empty: Platform) -> None:
    frame = empty.frame(page, empty.team_page(HR_LEAD, "HR"))  # Emma administers nothing
    expect(frame.get_by_role("heading", level=1)).to_have_text("No team works in HR yet")
    expect(frame.get_by_text("A Jira administrator sets up the team")).to_be_visible()
    expect(frame.get_by_role("button")).to_have_count(0)
    expect(frame.get_by_role("textbox")).to_have_count(0)
    accessible(frame)


def test_a_lead_adds_a_customer_from_the_sites_teams(page: Page, empty: Platform) -> None:
    """A team's lead (no administrator) names its relationships, but creates no team."""
    payroll_and_people(empty)
    frame = empty.frame(page, empty.team_page(HR_LEAD, "HR"))
    frame.get_by_role("button", name="Add a customer").click()
    choices = frame.get_by_label("Customer team").locator("option")
    expect(choices).to_have_text(["Choose a team", "Payroll"])  # no "A new team…"
    frame.get_by_label("Customer team").select_option(label="Payroll")
    frame.get_by_label("What you supply to them", exact=True).fill("headcount reports")
    frame.get_by_role("button", name="Save", exact=True).click()
    flagged(page, "Saved.")
    (made,) = empty.api("GET", "/relationships?team=HR&side=supplier")["values"]
    assert (made["customer"]["key"], made["service"]) == ("PAY", "headcount reports")
    expect(frame.locator("#customers, #icm-customers")).to_contain_text("headcount reports")
