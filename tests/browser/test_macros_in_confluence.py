"""The macros as a reader sees them: a sandbox Confluence page embedding them in signed iframes,
opened in Chromium. Each macro's picture, table and Jira links are checked inside its frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import requests
from playwright.sync_api import Frame, Page, expect

from connector.db import get_db
from tests.macros.seed import payroll_organisation
from tests.support.html5 import parse_strict
from tests.support.live import LiveSite

pytestmark = pytest.mark.browser


def macro(name: str, **params: str) -> str:
    inner = "".join(f'<ac:parameter ac:name="{k}">{v}</ac:parameter>' for k, v in params.items())
    return f'<ac:structured-macro ac:name="{name}">{inner}</ac:structured-macro>'


PAGE_BODY = "".join(
    (
        "<p>Who we serve and who serves us.</p>",
        macro("customer-map", team="pay", expectations="true"),
        macro("expectations", team="PAY", side="supplier"),
        macro("integrator-map"),
        macro("customer-map", team="NOPE"),
    )
)


@pytest.fixture
def confluence_page(live_site: LiveSite) -> str:
    with get_db(live_site.app).transaction() as session:
        payroll_organisation(session, live_site.site_id)
    sandbox = live_site.sandbox
    return sandbox.page_url(sandbox.confluence_seed_page("PAY", "Payroll's customers", PAGE_BODY))


def frames(page: Page, count: int) -> list[Frame]:
    iframes = page.locator("iframe.ap-iframe")
    expect(iframes).to_have_count(count)
    found = []
    for i in range(count):
        frame = iframes.nth(i).element_handle().content_frame()
        assert frame is not None
        frame.wait_for_load_state("load")
        found.append(frame)
    return found


def hrefs(frame: Frame) -> list[str]:
    values: list[Any] = frame.locator("a[href]").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.getAttribute('target')])"
    )
    assert all(target == "_top" for _, target in values), "links must leave the macro's frame"
    return [unquote(href) for href, _ in values]


def valid_html5(url: str) -> None:
    """The document the frame loaded (its signed URL fetched again), by html5lib's strict parser."""
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    parse_strict(response.text)


@pytest.mark.slow
def test_macros_on_a_confluence_page(
    page: Page, live_site: LiveSite, confluence_page: str, output_dir: Path
) -> None:
    jira = str(live_site.jira["baseUrl"]).rstrip("/")
    page.goto(confluence_page)
    expect(page.locator("h1")).to_have_text("Payroll's customers")
    customer_map, table, integrator, unknown = frames(page, 4)

    expect(customer_map.locator("svg").first).to_be_visible()
    expect(customer_map.locator("table")).to_have_count(1)
    expect(customer_map.locator("h2").first).to_have_text("Customer map: Payroll")
    links = hrefs(customer_map)
    assert f'{jira}/issues/?jql=project = "PAY" AND labels = "internal-customer" ORDER BY key' in (
        links
    )
    assert f"{jira}/issues/?jql=key in (PAY-1, PAY-2) ORDER BY key" in links
    assert f"{jira}/browse/PAY-1" in links
    assert f"{jira}/browse/IT-7" not in links  # IT's expectations are not listed as customers'

    expect(table.locator("table")).to_be_visible()
    expect(table.get_by_text("Payslips out two days before payday")).to_be_visible()
    assert {f"{jira}/browse/PAY-1", f"{jira}/browse/PAY-2", f"{jira}/browse/PAY-3"} <= set(
        hrefs(table)
    )

    expect(integrator.locator("svg").first).to_be_visible()
    expect(integrator.get_by_role("heading", name="Needs attention (", exact=False)).to_be_visible()
    integrator_links = hrefs(integrator)
    assert f"{jira}/issues/?jql=key in (IT-7) ORDER BY key" in integrator_links
    assert f'{jira}/issues/?jql=project = "FIN" AND labels = "internal-customer" ORDER BY key' in (
        integrator_links
    )

    expect(unknown.get_by_role("alert")).to_contain_text("There is no team with the key “NOPE”")
    expect(unknown.locator("svg")).to_have_count(0)

    for name, frame in zip(
        ("customer-map", "expectations", "integrator-map", "unknown-team"),
        (customer_map, table, integrator, unknown),
        strict=True,
    ):
        valid_html5(frame.url)
        page.locator(f'iframe[src="{frame.url}"]').screenshot(path=output_dir / f"macro-{name}.png")
        whole = page.context.new_page()  # the macro's whole document, as it is after AP.resize
        whole.goto(frame.url)
        whole.screenshot(path=output_dir / f"macro-{name}-full.png", full_page=True)
        whole.close()

    # A link opens the Jira issue in the whole window, not inside the macro's frame.
    customer_map.locator(f'a[href="{jira}/browse/PAY-1"]').first.click()
    page.wait_for_url(f"{jira}/browse/PAY-1")


def test_macro_editor_offers_the_teams_offline(page: Page, live_site: LiveSite) -> None:
    with get_db(live_site.app).transaction() as session:
        payroll_organisation(session, live_site.site_id)
    path = "/macros/editor?macro=customer-map"
    token = live_site.token("GET", path, product="confluence")
    page.goto(f"{live_site.url}{path}&jwt={token}")
    team = page.get_by_label("Team")
    expect(team.locator("option")).to_have_count(4)
    team.select_option("HR")
    page.get_by_label("List each customer's expectations").check()
    page.get_by_role("button", name="Save").click()  # without Confluence, nothing breaks
    expect(team).to_have_value("HR")
