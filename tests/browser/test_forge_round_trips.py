"""Each Forge view shows its content after at most one `invokeRemote` on its critical path.

Every invokeRemote crosses Atlassian's infrastructure before it reaches the service; the sandbox
plays that with a fixed delay per call (DELAY_MS). A view's time to content (the Custom UI's
`icm-content` performance mark, from the frame's start) must stay under DELAY_MS + BUDGET_MS,
and the calls it made must form a chain of one: none started after another had answered.
forge/README.md lists the figures per view.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import Frame, Page, expect

from sandbox.forge.site import forge_site
from sandbox.forge.ui import frames
from tests.browser.test_practice_on_both_platforms import (
    HR_LEAD,
    MAP_PAGE,
    PAYROLL_LEAD,
    Platform,
    payroll_and_people,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DELAY_MS = 250  # per invokeRemote, each way through Atlassian together
BUDGET_MS = 400  # the bundle, the bridge's own calls (context, theme), the service, drawing


@pytest.fixture
def forge(request: pytest.FixtureRequest) -> Platform:
    request.getfixturevalue("forge_bundle")
    site = request.getfixturevalue("forge_live")
    platform = Platform("forge", site.sandbox, site)
    payroll_and_people(platform)
    answer = requests.post(
        f"{platform.sandbox.url}/_sandbox/forge/bridge-delay", json={"ms": DELAY_MS}, timeout=10
    )
    assert answer.status_code == 200
    return platform


def chain(module_key: str, platform: Platform) -> int:
    """How many of the view's calls ran one after another (1: all side by side)."""
    found = frames(forge_site(platform.sandbox.state))
    with found.lock:
        frame = [f for f in found.frames.values() if f.module_key == module_key][-1]
    depth, free_at = 0, float("-inf")
    for started, answered in sorted(frame.invokes):
        if started >= free_at:  # waited for an earlier answer
            depth += 1
            free_at = answered
        else:
            free_at = min(free_at, answered)
    return depth


def time_to_content(frame: Frame) -> float:
    """Milliseconds from the frame's start to the view's `icm-content` mark."""
    frame.wait_for_function("performance.getEntriesByName('icm-content').length > 0")
    started: float = frame.evaluate("performance.getEntriesByName('icm-content')[0].startTime")
    return started


def views(platform: Platform) -> list[tuple[str, str, str]]:
    """(module, url, text the content shows)."""
    url = platform.sandbox.url
    page_id = platform.sandbox.confluence_seed_page("ICM", "Payroll's customers", MAP_PAGE)
    return [
        ("team-page", platform.team_page(PAYROLL_LEAD, "PAY"), "What are the needs"),
        ("issue-panel", platform.issue_panel(HR_LEAD, "PAY-1"), "not an internal customer"),
        ("admin-page", f"{url}/forge/apps/admin-page?as={PAYROLL_LEAD}", "Save the settings"),
        ("general-page", f"{url}/forge/apps/general-page?as={PAYROLL_LEAD}", "monthly payroll run"),
        (
            "customer-map",
            platform.confluence_page(page_id, HR_LEAD, "light"),
            "monthly payroll run",
        ),
    ]


def test_every_view_shows_its_content_after_one_round_trip(page: Page, forge: Platform) -> None:
    figures: dict[str, Any] = {}
    for module, url, text in views(forge):
        took = []
        for visit in range(2):  # the better of two: the first also warms the service's caches
            page.goto(url)
            frame = page.frame_locator("iframe.forge-iframe").first
            if not visit:
                expect(frame.locator("#icm")).to_contain_text("Loading")  # while the call is out
            expect(frame.locator("#icm")).to_contain_text(text)
            handle = page.locator("iframe.forge-iframe").first.element_handle().content_frame()
            assert handle is not None
            took.append(round(time_to_content(handle)))
            assert chain(module, forge) == 1, (module, visit)  # no call waited for another
        figures[module] = min(took)
    print(f"time to content (ms) with {DELAY_MS} ms per invokeRemote: {figures}")  # noqa: T201
    for module, took in figures.items():
        assert DELAY_MS <= took < DELAY_MS + BUDGET_MS, (module, figures)
