"""The Forge Custom UI beyond the shared scenario: counter-propose, edit and retire on the team
page, a macro configured in its config view, and the issue panel's empty state. The bundle is
built from forge/src by esbuild and runs in the sandbox's Forge iframe under Forge's CSP."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_practice_on_both_platforms import (
    HR_LEAD,
    PAYROLL_LEAD,
    WORDS,
    Platform,
    payroll_and_people,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HR_WORDS = "Payslips reach everyone three working days before payday, and say what changed."
MACRO_PAGE = (
    '<ac:structured-macro ac:name="customer-map"><ac:parameter ac:name="team">PAY'
    "</ac:parameter></ac:structured-macro>"
)


@pytest.fixture
def forge(request: pytest.FixtureRequest) -> Platform:
    request.getfixturevalue("forge_bundle")
    site = request.getfixturevalue("forge_live")
    platform = Platform("forge", site.sandbox, site)
    payroll_and_people(platform)
    return platform


def test_counter_propose_edit_and_retire(page: Page, forge: Platform, output_dir: Path) -> None:
    (relationship,) = forge.api("GET", "/relationships")["values"]
    made = forge.api(
        "POST", "/expectations", {"relationshipId": relationship["id"], "statement": WORDS}, 201
    )
    forge.api("POST", f"/expectations/{made['id']}/transitions", {"to": "proposed"})

    # HR's lead answers with their own words.
    frame = forge.frame(page, forge.team_page(HR_LEAD, "HR"))
    suppliers = frame.locator("#icm-suppliers")
    suppliers.get_by_role("button", name="Counter-propose").click()
    frame.get_by_label("Your expectation, in your own words").fill(HR_WORDS)
    frame.get_by_role("button", name="Send the counter-proposal").click()
    expect(frame.get_by_role("status")).to_have_text("Counter-proposal sent.")
    countered = forge.api("GET", f"/expectations/{made['id']}")
    assert (countered["state"], countered["statement"]) == ("proposed", HR_WORDS)
    # HR is the customer here: nothing to record for its own customers, no supplier's buttons.
    expect(frame.locator("#icm-record")).to_have_count(0)
    expect(suppliers.get_by_role("button", name="Edit")).to_have_count(0)
    page.screenshot(path=output_dir / "forge-team-page-customer.png", full_page=True)

    # Payroll's lead edits the growth opportunity, then retires it.
    frame = forge.frame(page, forge.team_page(PAYROLL_LEAD, "PAY"))
    customers = frame.locator("#icm-customers")
    customers.get_by_role("button", name="Edit").click()
    frame.get_by_label("An opportunity for growth", exact=True).fill("Payslips in the app")
    frame.get_by_role("button", name="Save the changes").click()
    expect(frame.get_by_role("status")).to_have_text("Changes saved.")
    assert forge.api("GET", f"/expectations/{made['id']}")["growthOpportunity"] == (
        "Payslips in the app"
    )
    customers.get_by_role("button", name="Retire").click()
    expect(frame.get_by_role("dialog", name="Retire this expectation?")).to_be_visible()
    frame.get_by_role("dialog").get_by_role("button", name="Retire").click()
    expect(frame.get_by_role("status")).to_have_text("Retired.")
    assert forge.api("GET", f"/expectations/{made['id']}")["state"] == "retired"


def test_a_macro_is_configured_in_its_config_view(page: Page, forge: Platform) -> None:
    page_id = forge.sandbox.confluence_seed_page("ICM", "Customers", MACRO_PAGE)
    base = f"{forge.sandbox.url}/forge/wiki/spaces/ICM/pages/{page_id}"

    frame = forge.frame(page, f"{base}/macros/0/config?as={PAYROLL_LEAD}")
    expect(frame.get_by_label("Team")).to_have_value("PAY")  # the macro's current config
    frame.get_by_label("Team").select_option("HR")
    frame.get_by_label("Show").select_option("suppliers")
    frame.get_by_label("List each customer's expectations").check()
    frame.get_by_role("button", name="Save").click()

    page.wait_for_url(f"{base}?*")  # the editor closes: back on the page
    body = forge.sandbox.state.confluence.page(page_id).body
    for name, value in (("team", "HR"), ("sides", "suppliers"), ("expectations", "true")):
        assert f'<ac:parameter ac:name="{name}">{value}</ac:parameter>' in body
    shown = forge.frame(page, f"{base}?as={PAYROLL_LEAD}")
    expect(shown.get_by_role("heading", name="Customer map: People")).to_be_visible()


def test_the_issue_panel_elsewhere_says_so(page: Page, forge: Platform) -> None:
    panel = forge.frame(page, forge.issue_panel(HR_LEAD, "PAY-1"))
    expect(panel.get_by_text("This issue is not an internal customer expectation.")).to_be_visible()
    expect(panel.get_by_role("button")).to_have_count(0)


def test_a_link_the_router_does_not_take_does_nothing_as_on_forge(
    page: Page, forge: Platform
) -> None:
    """Forge's iframe has no allow-top-navigation: a plain link cannot move the product page. The
    view's links go through `router.navigate` (same tab) or `router.open` (new tab)."""
    url = f"{forge.sandbox.url}/forge/apps/general-page?as={PAYROLL_LEAD}"
    frame = forge.frame(page, url)
    expect(frame.locator("#icm")).to_contain_text("monthly payroll run")
    target = f"{forge.sandbox.url}/browse/PAY-1"
    frame.evaluate(
        """(target) => {
          const link = (id, where) => Object.assign(document.createElement('a'),
            {id, href: target, target: where, textContent: id});
          document.body.appendChild(link('plain', '_top'));  // outside the view: not routed
          document.getElementById('icm').appendChild(link('away', '_blank'));  // router.open
        }""",
        target,
    )
    frame.locator("#plain").click()
    page.wait_for_timeout(300)
    assert page.url == url  # nothing happened
    with page.expect_popup() as opened:
        frame.locator("#away").click()
    assert opened.value.url == target
    assert page.url == url
    log = requests.get(f"{forge.sandbox.url}/_sandbox/forge/navigations", timeout=10).json()
    assert [(n["module_key"], n["url"], n["type"]) for n in log] == [
        ("general-page", target, "new-tab")
    ]
