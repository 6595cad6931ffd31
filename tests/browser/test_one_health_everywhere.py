"""The same health reads the same on every page, on both platforms, and no page has a serious
or critical accessibility violation, in the light theme or the dark one.

Payroll supplies People (HR) with the payroll run: one agreed expectation, rated 3, 3 and 4 by
three people of HR, so its health and the relationship's is 58% (at risk). IT supplies Payroll
with laptops: rated twice, too few for a score. Every page that shows either (the team pages of
both teams, the issue panel, the three macros on a Confluence page) must word them exactly as
`connector.domain.health.health_label` does, and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Frame, Page, expect

from connector.db import get_db, utcnow
from connector.practice.models import Feedback
from connector.sync.worker import drain_outbox
from sandbox.directory import USERS
from tests.browser import test_practice_on_both_platforms as both_platforms
from tests.browser.test_practice_on_both_platforms import HR_LEAD, PAYROLL_LEAD, Platform
from tests.support.axe import serious_violations
from tests.support.live import LiveSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]
platform = both_platforms.platform  # the fixture: Connect, then Forge, with PAY, HR and the run

PAYROLL_RUN = "At risk · 58%"  # ratings 3, 3, 4: (0.5 + 0.5 + 0.75) / 3 = 0.583
LAPTOPS = "No score yet · 2 of 3 ratings so far"
# Any health as a page may show it: the one format, and the old ones it replaced.
SHOWN = re.compile(
    r"(?:Healthy|At risk|Unhealthy) · \d+%|No score yet · \d of 3 ratings so far"
    r"|(?i:healthy|at risk|unhealthy|no feedback(?: yet)?)\s*\(?\d+(?:\.\d+)?\s*%?\)?"
)
BADGE = ".health, .icm-health"  # a health badge, on any page
PAGES_CONNECT = ("icm-teams", "icm-admin")
PAGES_FORGE = ("general-page", "admin-page")
PAGE = (
    '<ac:structured-macro ac:name="customer-map"><ac:parameter ac:name="team">PAY'
    '</ac:parameter><ac:parameter ac:name="expectations">true</ac:parameter>'
    '</ac:structured-macro><ac:structured-macro ac:name="expectations">'
    '<ac:parameter ac:name="team">PAY</ac:parameter></ac:structured-macro>'
    '<ac:structured-macro ac:name="integrator-map"></ac:structured-macro>'
)


def as_user(on: Platform, account: str, method: str, path: str, body: Any = None) -> Any:
    """An API call as `account` (Connect: the token's `sub`; Forge: the FIT's principal)."""
    site = on.site
    if isinstance(site, LiveSite):
        response = site.call(method, "/api/v1" + path, body, sub=account)
    else:
        headers = site.forge_headers(account_id=account)
        url = site.url + "/api/v1" + path
        response = requests.request(method, url, json=body, headers=headers, timeout=30)
    assert response.ok, response.text
    return response.json() if response.content else None


def rate(on: Platform, expectation: int, ratings: list[int]) -> None:
    """Ratings by as many different people of the customer's side (straight into the table:
    who may rate is another test's business)."""
    with get_db(on.site.app).transaction() as session:
        for i, value in enumerate(ratings):
            session.add(
                Feedback(
                    site_id=on.site.site_id,
                    expectation_id=expectation,
                    rating=value,
                    author_account_id=f"rater-{i}",
                    source="api",
                    at=utcnow(),
                )
            )


def seed(on: Platform) -> str:
    """The two relationships with their ratings; the Jira issue of the payroll run's expectation."""
    it = {
        "key": "IT",
        "name": "IT Service",
        "jiraProjectKey": "IT",
        "leadAccountId": USERS[2].account_id,
    }
    on.api("POST", "/teams", it, 201)
    laptops = {"supplier": "IT", "customer": "PAY", "service": "laptops"}
    laptops_id = on.api("POST", "/relationships", laptops, 201)["id"]
    payroll_id = on.api("GET", "/teams/PAY/map")["customers"][0]["id"]
    made = on.api(
        "POST",
        "/expectations",
        {"relationshipId": payroll_id, "statement": "Payslips on time"},
        201,
    )
    as_user(
        on,
        PAYROLL_LEAD,
        "POST",
        f"/expectations/{made['id']}/transitions",
        {"to": "proposed"},
    )
    as_user(on, HR_LEAD, "POST", f"/expectations/{made['id']}/transitions", {"to": "agreed"})
    drain_outbox(on.site.app, force=True)
    laptop = as_user(
        on,
        USERS[2].account_id,
        "POST",
        "/expectations",
        {"relationshipId": laptops_id, "statement": "A laptop on the first day"},
    )
    rate(on, made["id"], [3, 3, 4])
    rate(on, laptop["id"], [4, 5])
    key: str = on.api("GET", f"/expectations/{made['id']}")["jiraIssueKey"]
    assert key
    return key


# Every health a frame shows, in its text and its pictures' titles; the legend and the glossary
# (which explain the bands' thresholds) are taken out first.
HEALTHS = """() => {
  document.querySelectorAll('.legend, .glossary').forEach((e) => e.remove());
  const titles = [...document.querySelectorAll('svg title')].map((t) => t.textContent);
  return [document.body.innerText, ...titles].join('\\n');
}"""


def check(frame: Frame, expected: set[str], where: str, found: dict[str, set[str]]) -> None:
    assert serious_violations(frame) == [], where
    shown = set(SHOWN.findall(frame.evaluate(HEALTHS)))
    found[where] = shown
    assert shown == expected, (where, shown)


def general_and_admin_pages(on: Platform) -> list[str]:
    """The general page (pick a team on Connect, the integrator map on Forge) and the admin page."""
    if on.name == "forge":
        return [f"{on.sandbox.url}/forge/apps/{key}?as={PAYROLL_LEAD}" for key in PAGES_FORGE]
    return [f"{on.sandbox.url}/jira/apps/{key}?as={PAYROLL_LEAD}" for key in PAGES_CONNECT]


def test_health_reads_the_same_on_every_page_and_no_page_fails_axe(
    page: Page,
    platform: Platform,
    output_dir: Path,
) -> None:
    key = seed(platform)
    both, payroll = {PAYROLL_RUN, LAPTOPS}, {PAYROLL_RUN}
    found: dict[str, set[str]] = {}
    page_id = platform.sandbox.confluence_seed_page("ICM", "Payroll's customers", PAGE)
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)  # Connect follows the system; Forge the product
        suffix = "&theme=dark" if theme == "dark" else ""
        frame = platform.frame(page, platform.team_page(PAYROLL_LEAD, "PAY") + suffix)
        expect(frame.locator(BADGE, has_text=PAYROLL_RUN).first).to_be_visible()
        check(frame, both, f"team page PAY, {theme}", found)
        frame = platform.frame(page, platform.team_page(HR_LEAD, "HR") + suffix)
        expect(frame.locator(BADGE, has_text=PAYROLL_RUN).first).to_be_visible()
        check(frame, payroll, f"team page HR, {theme}", found)
        frame = platform.frame(page, platform.issue_panel(HR_LEAD, key) + suffix)
        expect(frame.locator(BADGE, has_text=PAYROLL_RUN).first).to_be_visible()
        check(frame, payroll, f"issue panel, {theme}", found)
        page.goto(platform.confluence_page(page_id, HR_LEAD, theme))
        frames = page.locator(platform.iframe)
        expect(frames).to_have_count(3)
        for i, expected in enumerate((both, both, both)):
            handle = frames.nth(i).element_handle().content_frame()
            assert handle is not None
            expect(handle.locator(BADGE, has_text=PAYROLL_RUN).first).to_be_visible()
            check(handle, expected, f"macro {i + 1}, {theme}", found)
        page.screenshot(path=output_dir / f"{platform.name}-one-health-{theme}.png", full_page=True)
        for url in general_and_admin_pages(platform):
            frame = platform.frame(page, url + suffix)
            expect(frame.locator("h1, h2").first).to_be_visible()
            frame.wait_for_load_state("networkidle")
            assert serious_violations(frame) == [], (url, theme)
            shown = set(SHOWN.findall(frame.evaluate(HEALTHS)))
            assert shown <= both, (url, shown)
    assert len(found) == 12
