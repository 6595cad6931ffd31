"""One scenario, two platforms: the practice as people do it in Jira and Confluence, under Connect
(server-rendered pages in signed iframes) and under Forge (the Custom UI bundle, built by esbuild,
in Forge's iframe with its sandbox flags and CSP, talking to the service through the bridge).

Payroll's lead asks HR the seed question and records the answer with a measure, a growth
opportunity and a cadence, and proposes it; HR's lead agrees; the sync files the Jira issue; an HR
member rates it 4 of 5 on the issue panel; the customer map on a Confluence page shows it, in the
light theme and in the dark one. On Forge (one installation for Jira and Confluence), a link on
the team page and one in the macro are followed through the product's router, and the scenario
ends with an uninstall that the operations view shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Frame, Page, expect

from connector.db import get_db, utcnow
from connector.platforms.operations import operations_view
from connector.sync.worker import drain_outbox
from sandbox import Sandbox
from sandbox.directory import USERS
from tests.browser.test_jira_pages import AGREED, propose, rate
from tests.connector.platforms.forge.conftest import PlatformSite
from tests.support.live import LiveSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAYROLL_LEAD = USERS[0].account_id  # lead of the PAY project
HR_LEAD = USERS[1].account_id  # lead of the HR project
WORDS = "Payslips reach every employee two working days before payday, without errors."
MAP_PAGE = (
    '<ac:structured-macro ac:name="customer-map"><ac:parameter ac:name="team">PAY'
    '</ac:parameter><ac:parameter ac:name="expectations">true</ac:parameter>'
    "</ac:structured-macro>"
)


@dataclass
class Platform:
    """Where a platform's pages are, and how its frames are found."""

    name: str
    sandbox: Sandbox
    site: LiveSite | PlatformSite

    @property
    def iframe(self) -> str:
        return "iframe.forge-iframe" if self.name == "forge" else "iframe.ap-iframe"

    def api(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        if isinstance(self.site, LiveSite):
            response = self.site.call(method, "/api/v1" + path, body, sub=PAYROLL_LEAD)
        else:  # the Forge token's principal is Payroll's lead
            response = self.site.call(method, "/api/v1" + path, body)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def team_page(self, viewer: str, project: str) -> str:
        if self.name == "forge":
            return f"{self.sandbox.url}/forge/apps/team-page?as={viewer}&project={project}"
        return f"{self.sandbox.url}/jira/apps/icm-team-page?as={viewer}&project.key={project}"

    def issue_panel(self, viewer: str, key: str) -> str:
        if self.name == "forge":
            return f"{self.sandbox.url}/forge/apps/issue-panel?as={viewer}&issue={key}"
        return f"{self.sandbox.url}/browse/{key}?as={viewer}"

    def confluence_page(self, page_id: str, viewer: str, theme: str) -> str:
        if self.name == "forge":
            return (
                f"{self.sandbox.url}/forge/wiki/spaces/ICM/pages/{page_id}"
                f"?as={viewer}&theme={theme}"
            )
        return self.sandbox.page_url(page_id) + f"?as={viewer}"

    def frame(self, page: Page, url: str) -> Frame:
        page.goto(url)
        iframe = page.locator(self.iframe)
        expect(iframe).to_have_count(1)
        found = iframe.element_handle().content_frame()
        assert found is not None
        found.wait_for_load_state("load")
        return found


@pytest.fixture(params=["connect", "forge"])
def platform(request: pytest.FixtureRequest, app_config: dict[str, Any]) -> Platform:
    if request.param == "forge":
        request.getfixturevalue("forge_bundle")  # the Custom UI as `forge deploy` ships it
        forge: PlatformSite = request.getfixturevalue("forge_live")
        assert forge.forge_app("jira") is forge.forge_app("confluence")  # installed once
        chosen = Platform("forge", forge.sandbox, forge)
    else:
        live: LiveSite = request.getfixturevalue("live_site")
        chosen = Platform("connect", live.sandbox, live)
    payroll_and_people(chosen)
    return chosen


def payroll_and_people(platform: Platform) -> Any:
    """The PAY and HR teams, and PAY's monthly payroll run for HR (the relationship, returned)."""
    for key, name, lead in (("PAY", "Payroll", PAYROLL_LEAD), ("HR", "People", HR_LEAD)):
        team = {"key": key, "name": name, "jiraProjectKey": key, "leadAccountId": lead}
        platform.api("POST", "/teams", team, 201)
    relationship = {"supplier": "PAY", "customer": "HR", "service": "monthly payroll run"}
    return platform.api("POST", "/relationships", relationship, 201)


def record_and_propose(frame: Frame) -> None:
    """Payroll's lead opens the guided form, asks the seed question and records the answer in
    HR's words."""
    frame.get_by_role("button", name="Record an expectation").click()
    expect(frame.get_by_text("What are the needs and expectations you have for me")).to_be_visible()
    propose(frame)  # the same form under Connect and Forge, filled as on the Jira pages


def text_colour(frame: Frame) -> tuple[int, ...]:
    """The text colour of the map (the innermost `.icm` block) as (r, g, b)."""
    colour: str = frame.evaluate(
        "getComputedStyle([...document.querySelectorAll('.icm')].pop()).color"
    )
    parts = colour[colour.index("(") + 1 : colour.index(")")].split(",")
    return tuple(int(float(p)) for p in parts[:3])


def test_ask_record_propose_agree_sync_rate_and_see_it_on_the_map(
    page: Page, platform: Platform, output_dir: Path
) -> None:
    name = platform.name
    frame = platform.frame(page, platform.team_page(PAYROLL_LEAD, "PAY"))
    expect(frame.get_by_role("heading", level=1)).to_have_text(
        "Payroll: internal customers and suppliers"
    )
    record_and_propose(frame)
    (proposed,) = platform.api("GET", "/expectations?team=PAY")["values"]
    assert (proposed["state"], proposed["statement"], proposed["cadenceDays"]) == (
        "proposed",
        WORDS,
        14,
    )
    assert proposed["growthOpportunity"] == "Payslips in the employee app"
    assert [(m["name"], m["target"], m["unit"]) for m in proposed["measures"]] == [
        ("Payslips on time", 99.5, "%")
    ]
    page.screenshot(path=output_dir / f"{name}-team-page-supplier.png", full_page=True)

    # HR's lead finds it among HR's suppliers and agrees.
    frame = platform.frame(page, platform.team_page(HR_LEAD, "HR"))
    agree = frame.get_by_role("button", name="Agree")
    expect(agree).to_have_count(1)
    agree.click()
    expect(frame.get_by_role("status")).to_have_text(AGREED)
    expect(frame.get_by_role("button", name="Agree")).to_have_count(0)

    # The sync files the Jira issue.
    drain_outbox(platform.site.app, force=True)
    synced = platform.api("GET", f"/expectations/{proposed['id']}")
    key = synced["jiraIssueKey"]
    assert synced["state"] == "agreed" and synced["syncState"] == "synced", synced
    assert key.startswith("PAY-") and key in platform.sandbox.jira.issues
    if name == "forge":  # the map on the team page links to the issue, through the router
        frame = platform.frame(page, platform.team_page(PAYROLL_LEAD, "PAY"))
        follow_link(page, frame, WORDS, f"/browse/{key}")

    # On that issue, HR's lead rates it 4 of 5 in one click, with a comment.
    panel = platform.frame(page, platform.issue_panel(HR_LEAD, key))
    expect(panel.get_by_text(WORDS)).to_be_visible()
    rate(panel, "4 Mostly met", "Two late payslips in March.")
    expect(panel.locator("#icm-mine")).to_have_text(
        "Your latest rating: 4 of 5 “Two late payslips in March.”"
    )
    (rated,) = platform.api("GET", f"/expectations/{proposed['id']}/feedback")["values"]
    assert (rated["rating"], rated["authorAccountId"]) == (4, HR_LEAD)
    page.screenshot(path=output_dir / f"{name}-issue-panel.png", full_page=True)

    # The customer map on a Confluence page shows it, light and dark.
    page_id = platform.sandbox.confluence_seed_page("ICM", "Payroll's customers", MAP_PAGE)
    shades = {}
    for theme in ("light", "dark"):
        # Connect follows the reader's system; Forge the product's theme (the system stays light).
        page.emulate_media(color_scheme=theme if name == "connect" else "light")
        shown = platform.frame(page, platform.confluence_page(page_id, HR_LEAD, theme))
        expect(shown.get_by_role("link", name=WORDS, exact=True)).to_be_visible()
        row = shown.get_by_role("row").filter(has_text="monthly payroll run")
        expect(row).to_contain_text("agreed")  # and rated today (the last feedback):
        expect(row).to_contain_text(utcnow().date().isoformat())
        shades[theme] = sum(text_colour(shown)) / 3
        page.screenshot(path=output_dir / f"{name}-customer-map-{theme}.png", full_page=True)
    assert shades["light"] < 100 < 150 < shades["dark"], shades  # dark text, then light text
    if name == "forge":
        follow_link(page, shown, WORDS, f"/browse/{key}")  # a link in the macro, too
        uninstall_and_see_it(platform)


def follow_link(page: Page, frame: Frame, text: str, path: str) -> None:
    """Click a link in a Forge frame: the view hands it to `router.navigate`, and the product
    page goes there (the iframe itself may not navigate the page: no allow-top-navigation)."""
    url = platform_url(page)
    frame.get_by_role("link", name=text, exact=True).first.click()
    page.wait_for_url(f"**{path}*")
    assert page.url.startswith(url) and f"{path}" in page.url


def platform_url(page: Page) -> str:
    return page.url.split("/forge/", 1)[0]


def uninstall_and_see_it(platform: Platform) -> None:
    """An admin removes the app: Forge's preUninstall reaches the service, which marks the one
    installation (Jira and Confluence) uninstalled; the operations view says so."""
    forge = platform.sandbox.url + "/_sandbox/forge"
    [installation] = {
        i["installationId"]
        for i in requests.get(f"{forge}/installations", timeout=10).json().values()
    }
    answer = requests.post(f"{forge}/uninstall", json={}, timeout=60)
    assert answer.status_code == 200 and answer.json()["preUninstall"][0]["status"] == 200
    with get_db(platform.site.app).transaction() as session:
        shown = operations_view(session, platform.sandbox.cloud_id, utcnow())["installations"]
    assert [(i["platform"], i["product"], i["installation"], i["state"]) for i in shown] == [
        ("forge", "confluence,jira", installation, "uninstalled")
    ]
