"""A review pack as people read it: the page the app wrote, opened in sandbox Confluence in
Chromium, reads as a meeting document (title, sections in order, tables, the live customer map),
has no serious accessibility violation, and printed to PDF it fits A4 paper."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from sandbox.directory import USERS
from tests.browser.test_forge_views import forge  # noqa: F401  (the fixture)
from tests.browser.test_jira_pages import app_frame, jira_page
from tests.browser.test_practice_on_both_platforms import PAYROLL_LEAD, Platform
from tests.connector.platforms.forge.conftest import PlatformSite
from tests.support.live import LiveSite
from tests.support.review_packs import Q4, TITLE, call, organise, record_the_quarter

pytestmark = pytest.mark.browser

A4_POINTS = (595.28, 841.89)  # 210 x 297 mm
A4_PRINTABLE_PX = 680  # 210 mm less 2 x 15 mm margins (the page's @page rule), at 96 px/inch
SECTIONS = [
    "Health",
    "Expectations",
    "You said → we did",
    "At risk or breached",
    "Open for the next period",
    "Payroll's customer map (live)",
]


def serious_violations(page: Page) -> list[tuple[str, str, list[Any]]]:
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def accessible_in_both_themes(page: Page, url: str) -> None:
    """The app's document behind a frame, opened on its own, light and dark: no serious or
    critical axe-core violation."""
    for scheme in ("light", "dark"):
        alone = page.context.new_page()
        alone.emulate_media(color_scheme=scheme)
        alone.goto(url)
        alone.wait_for_load_state("networkidle")
        assert serious_violations(alone) == [], scheme
        alone.close()


@pytest.mark.slow
def test_the_review_pack_reads_as_a_meeting_document_and_prints_on_a4(
    page: Page, live_site: LiveSite, output_dir: Path
) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    record_the_quarter(site, relationship_id)
    pack = call(site, "POST", f"/api/v1/relationships/{relationship_id}/review-pack?period={Q4}")

    page.goto(f"{pack['url']}?as={USERS[1].account_id}")

    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("h2")).to_have_text(SECTIONS)
    expect(page.locator("h3").first).to_have_text("Daily health")
    expect(page.get_by_role("heading", name="“Payslips are right the first time”")).to_be_visible()
    measures = page.locator("table").filter(has_text="correct payslips")
    expect(measures.locator("tr").nth(1)).to_contain_text("99.7 %")
    expect(page.get_by_text("@Emma Richards").first).to_be_visible()
    customer_map = page.locator("iframe.ap-iframe")
    expect(customer_map).to_have_count(1)
    frame = customer_map.element_handle().content_frame()
    assert frame is not None
    expect(frame.locator("h2").first).to_have_text("Customer map: Payroll")
    page.screenshot(path=output_dir / "review-pack.png", full_page=True)

    assert serious_violations(page) == []

    # Printed: nothing wider than A4's printable width, and the PDF's pages are A4.
    page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1000})
    page.emulate_media(media="print")
    widest = page.evaluate(
        "Math.max(document.documentElement.scrollWidth,"
        " ...[...document.querySelectorAll('.wiki-content *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= A4_PRINTABLE_PX, widest
    page.screenshot(path=output_dir / "review-pack-print.png", full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (output_dir / "review-pack.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes, "the PDF has no pages"
    for width, height in boxes:  # Chromium rounds to whole CSS pixels: within a point
        assert abs(float(width) - A4_POINTS[0]) < 1 and abs(float(height) - A4_POINTS[1]) < 1
    assert b"/Type /Page" in pdf


@pytest.mark.slow
def test_the_team_page_writes_a_relationship_review_pack(page: Page, live_site: LiveSite) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    lead = USERS[0].account_id  # Payroll's lead
    frame = app_frame(page, jira_page(live_site, "icm-team-page", lead, "PAY"))
    card = frame.locator(f'article[data-relationship="{relationship_id}"]')

    card.get_by_role("button", name="Write review pack (", exact=False).click()

    period = f"{datetime.now(UTC).year}-Q{(datetime.now(UTC).month - 1) // 3 + 1}"
    title = f"Payroll → People Operations: review {period}"
    expect(frame.get_by_role("status")).to_have_text(f"Review pack written: {title} (version 1)")
    link = card.get_by_role("link", name=f"Open “{title}”")
    expect(link).to_have_attribute("target", "_top")
    [written] = [p for p in live_site.sandbox.state.confluence.pages.values() if p.title == title]
    assert link.get_attribute("href") == live_site.sandbox.page_url(written.id)
    accessible_in_both_themes(page, frame.url)


@pytest.fixture
def forge_site(request: pytest.FixtureRequest) -> Platform:
    """PAY and HR on a Forge site whose Custom UI is the built bundle (test_forge_views.forge)."""
    made: Platform = request.getfixturevalue("forge")
    return made


@pytest.mark.slow
def test_the_forge_team_page_writes_a_relationship_review_pack(
    page: Page, forge_site: Platform
) -> None:
    assert isinstance(forge_site.site, PlatformSite)
    # Confluence's own invocation hands the remote the Confluence app token pages are written with.
    assert forge_site.site.call("GET", "/api/v1/settings", product="confluence").status_code == 200
    forge_site.api("PUT", "/settings", {"reviewSpaceKey": "NOPE"})  # no such space: it fails
    period = f"{datetime.now(UTC).year}-Q{(datetime.now(UTC).month - 1) // 3 + 1}"
    title = f"Payroll → People: review {period}"
    team = forge_site.frame(page, forge_site.team_page(PAYROLL_LEAD, "PAY"))
    team.locator("#icm-customers").get_by_role("button", name="Write review pack (").click()
    expect(team.get_by_role("status")).to_contain_text(
        "the review pack was not written: Confluence GET spaces failed with 404: no space 'NOPE'"
    )

    # The administrator sees it on the admin page, chooses the space and retries.
    admin = f"{forge_site.sandbox.url}/forge/apps/admin-page?as={PAYROLL_LEAD}"
    frame = forge_site.frame(page, admin)
    settings = frame.locator("#icm-review-settings")
    expect(settings.locator("#icm-review-failed li")).to_contain_text(title)
    settings.get_by_label("Confluence space key for review packs (empty: none)").fill("ICM")
    settings.get_by_role("button", name="Save the review pack settings").click()
    expect(frame.get_by_role("status")).to_have_text("Review pack settings saved.")
    settings.get_by_role("button", name="Retry pack #").click()
    expect(frame.get_by_role("status")).to_have_text(f"Review pack written: {title} (version 1)")
    expect(settings.locator("#icm-review-failed")).to_have_text("None.")

    # Asked again from the team page: the same page, its next version.
    team = forge_site.frame(page, forge_site.team_page(PAYROLL_LEAD, "PAY"))
    team.locator("#icm-customers").get_by_role("button", name="Write review pack (").click()
    expect(team.get_by_role("status")).to_have_text(f"Review pack written: {title} (version 2)")
    expect(team.get_by_role("button", name=f"Open “{title}”")).to_be_visible()
    [written] = [p for p in forge_site.sandbox.state.confluence.pages.values() if p.title == title]
    assert written.adf is not None and "com.atlassian.ecosystem" in str(written.adf)


def test_an_administrator_chooses_the_space_and_retries_a_failed_pack(
    page: Page, live_site: LiveSite
) -> None:
    site = PlatformSite("connect", live_site.app, live_site.url, live_site.sandbox, "", live_site)
    relationship_id = organise(site)
    call(site, "PUT", "/api/v1/settings", {"reviewSpaceKey": "NOPE"})  # no such space: it fails
    path = f"/api/v1/relationships/{relationship_id}/review-pack?period={Q4}"
    assert live_site.call("POST", path).status_code == 502
    frame = app_frame(page, jira_page(live_site, "icm-admin", USERS[0].account_id))
    failed = frame.locator("#ops-review-packs")
    expect(failed.locator("tbody tr")).to_have_count(1)
    expect(failed).to_contain_text(TITLE)
    expect(failed).to_contain_text("no space 'NOPE'")
    form = frame.locator("#review-settings")
    space = form.get_by_label("Confluence space key for review packs (empty: none)")
    expect(space).to_have_value("NOPE")
    scheduled = form.get_by_label("Write every relationship's pack in each quarter's last week")
    expect(scheduled).not_to_be_checked()

    space.fill("ICM")
    scheduled.check()
    form.get_by_role("button", name="Save the review pack settings").click()

    expect(frame.get_by_role("status")).to_have_text("Review pack settings saved.")
    saved = live_site.call("GET", "/api/v1/settings").json()
    assert (saved["reviewSpaceKey"], saved["reviewPacksScheduled"]) == ("ICM", True)
    assert saved["issueType"] == "Task"  # the other settings untouched

    failed.get_by_role("button", name="Retry pack #").click()
    expect(frame.get_by_role("status")).to_have_text(re.compile(r"^Retry pack #\d+: done$"))
    expect(failed).to_have_text("None.")
    accessible_in_both_themes(page, frame.url)
    assert [p.title for p in live_site.sandbox.state.confluence.pages.values()] == [
        "Payroll → People Operations: reviews",
        TITLE,
    ]
