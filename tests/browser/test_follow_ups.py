"""The follow-up questions on both platforms: the capture form asks the practice's own questions,
an administrator edits them on the admin page, the form then asks the edited set, and Payroll's
lead fills one expectation through them, in the customer's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.browser.test_jira_pages import unlabelled
from tests.browser.test_practice_on_both_platforms import (
    PAYROLL_LEAD,
    Platform,
    payroll_and_people,
)
from tests.connector.platforms.forge.conftest import PlatformSite
from tests.support.live import LiveSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORDS = "Tell us  before payday when a payslip will be late — not after."
WHY = "Two of our people were overdrawn in March."
NEW_WHY = "What happens to you when I get it wrong?"


@pytest.fixture(params=["connect", "forge"])
def platform(request: pytest.FixtureRequest, app_config: dict[str, Any]) -> Platform:
    if request.param == "forge":
        request.getfixturevalue("forge_bundle")
        forge: PlatformSite = request.getfixturevalue("forge_live")
        chosen = Platform("forge", forge.sandbox, forge)
    else:
        live: LiveSite = request.getfixturevalue("live_site")
        chosen = Platform("connect", live.sandbox, live)
    payroll_and_people(chosen)
    return chosen


def admin_page(platform: Platform) -> str:
    if platform.name == "forge":
        return f"{platform.sandbox.url}/forge/apps/admin-page?as={PAYROLL_LEAD}"
    return f"{platform.sandbox.url}/jira/apps/icm-admin?as={PAYROLL_LEAD}"


def asked(frame: Frame) -> list[str]:
    """The follow-up questions the form shows, in order, with the field each feeds."""
    found: list[str] = frame.evaluate(
        """() => Array.from(document.querySelectorAll("li[data-field]"))
            .map(li => li.dataset.field + ": " + li.querySelector("q").textContent)"""
    )
    return found


def test_the_form_asks_the_follow_ups_the_settings_hold(
    page: Page, platform: Platform, output_dir: Path
) -> None:
    frame = platform.frame(page, platform.team_page(PAYROLL_LEAD, "PAY"))
    expect(frame.get_by_text("Why does this matter to you?")).to_be_visible()
    assert asked(frame) == [
        "whyItMatters: Why does this matter to you?",
        "measures: How would you know I met it? What number, by when?",
        "growthOpportunity: What would make it even better next year?",
        "cadenceDays: How often should I ask you how I'm doing?",
    ]

    # The administrator rewords one question and drops another.
    admin = platform.frame(page, admin_page(platform))
    why = admin.get_by_label("Question feeding: why it matters")
    expect(why).to_have_value("Why does this matter to you?")  # loaded from the settings
    why.fill(NEW_WHY)
    admin.get_by_label("Question feeding: an opportunity for growth").fill("")
    admin.get_by_role("button", name="Save the questions").click()
    expect(admin.get_by_role("status")).to_have_text("Follow-up questions saved.")
    assert unlabelled(admin) == []
    follow_ups = platform.api("GET", "/settings")["followUps"]
    assert [f["field"] for f in follow_ups] == ["whyItMatters", "measures", "cadenceDays"]
    assert follow_ups[0]["question"] == NEW_WHY

    # The form asks the edited set; the field no longer asked about is still there.
    frame = platform.frame(page, platform.team_page(PAYROLL_LEAD, "PAY"))
    expect(frame.get_by_text(NEW_WHY)).to_be_visible()
    assert asked(frame) == [
        f"whyItMatters: {NEW_WHY}",
        "measures: How would you know I met it? What number, by when?",
        "cadenceDays: How often should I ask you how I'm doing?",
    ]
    expect(frame.get_by_text("What would make it even better next year?")).to_have_count(0)
    expect(frame.get_by_label("An opportunity for growth")).to_be_visible()
    assert unlabelled(frame) == []

    # Payroll's lead fills one expectation through the follow-ups, in HR's words.
    frame.get_by_label("1. Pick a customer").select_option(label="People — monthly payroll run")
    frame.get_by_label("Their answer, in their own words").fill(WORDS)
    step = frame.locator('li[data-field="whyItMatters"]')
    answer = step.get_by_role("textbox")
    expect(answer).to_have_attribute(
        "aria-describedby", step.locator("p").get_attribute("id") or ""
    )
    answer.fill(WHY)
    measures = frame.locator('li[data-field="measures"]')
    measures.get_by_label("Measure", exact=True).fill("Late payslips announced")
    measures.get_by_label("Target", exact=True).fill("2")
    measures.get_by_label("Unit", exact=True).fill("days before payday")
    frame.locator('li[data-field="cadenceDays"]').get_by_role("spinbutton").fill("7")
    page.screenshot(path=output_dir / f"{platform.name}-follow-ups.png", full_page=True)
    frame.get_by_role("button", name="Save as a draft").click()
    expect(frame.get_by_role("status")).to_have_text("Saved as a draft.")

    (draft,) = platform.api("GET", "/expectations?team=PAY")["values"]
    assert (draft["state"], draft["statement"], draft["whyItMatters"]) == ("draft", WORDS, WHY)
    assert (draft["cadenceDays"], draft["growthOpportunity"]) == (7, None)
    assert [(m["name"], m["target"], m["unit"]) for m in draft["measures"]] == [
        ("Late payslips announced", 2.0, "days before payday")
    ]
