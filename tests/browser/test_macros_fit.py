"""Maps that fit the page, measured in Chromium: a sandbox Confluence page with the customer map,
the expectations table and the integrator map, each in its signed iframe, at the width of
Confluence's default page (760 px) and of a wide one (1,264 px). Nothing in a macro's frame may
need horizontal scrolling, the maps' labels must render at 11 px or more, and "Download CSV"
hands over the expectations the macro shows.

The figures are written to tests/output/macro-fit.json, screenshots beside them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, expect

from connector.api.importer import check, read, write
from connector.db import get_db
from macros.integrator_svg import OVERVIEW_TEAMS
from tests.browser.test_macros_in_confluence import frames, macro
from tests.browser.test_practice_on_both_platforms import (
    PAYROLL_LEAD,
    Platform,
    payroll_and_people,
)
from tests.macros.seed import payroll_organisation, tiered_organisation
from tests.support.live import LiveSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "organisation.yaml"
WIDTHS = (760, 1264)
MIN_LABEL_PX = 11.0
PAGE_BODY = "".join(
    (
        macro("customer-map", team="PAY", expectations="true"),
        macro("expectations", team="PAY"),
        macro("integrator-map"),
    )
)


def _example(live: LiveSite) -> None:
    """examples/organisation.yaml, as `icm import` writes it."""
    records = read(EXAMPLE)
    with live.app.app_context(), get_db(live.app).transaction() as session:
        assert check(live.app, session, live.site_id, records) == []
        write(session, live.site_id, records, lambda _record: None)


ORGANISATIONS: dict[str, Callable[[LiveSite], None]] = {
    "payroll-4-teams": lambda live: _seed(live, payroll_organisation),
    "example-8-teams": _example,
    "departments-20-teams": lambda live: _seed(live, tiered_organisation),
}


def _seed(live: LiveSite, organisation: Callable[..., Any]) -> None:
    with get_db(live.app).transaction() as session:
        organisation(session, live.site_id)


# Inside a macro's frame: how wide its document is against its viewport, how wide each table
# is against its box, and the smallest label of each map as drawn (font size times the scale
# at which the picture is shown; and the text's own box, as a cross-check).
MEASURE = """() => {
  const page = document.scrollingElement;
  const maps = [...document.querySelectorAll('svg.map')].filter((s) => s.getClientRects().length);
  const drawn = maps.map((svg) => {
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    const texts = [...svg.querySelectorAll('text')];
    const sizes = texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    const heights = texts.map((t) => t.getBoundingClientRect().height).filter((h) => h > 0);
    return {
      id: svg.querySelector('title').id, width: box.width, right: box.right,
      natural: svg.viewBox.baseVal.width, scale,
      smallestFont: Math.min(...sizes), smallestTextBox: Math.min(...heights),
    };
  });
  const tables = [...document.querySelectorAll('.table-wrap')].map(
    (w) => ({ scrollWidth: w.scrollWidth, clientWidth: w.clientWidth }));
  return { scrollWidth: page.scrollWidth, clientWidth: page.clientWidth,
           viewport: window.innerWidth, maps: drawn, tables };
}"""


def _frame_width(page: Page, width: int) -> None:
    """Size the window so that the macros' iframes (100 % of the page's content) are `width`."""
    page.set_viewport_size({"width": width + 16, "height": 900})
    shown = page.locator("iframe.ap-iframe").first.evaluate("f => f.clientWidth")
    if shown != width:
        page.set_viewport_size({"width": width + 16 + (width - shown), "height": 900})
    assert page.locator("iframe.ap-iframe").first.evaluate("f => f.clientWidth") == width


@pytest.mark.parametrize("organisation", sorted(ORGANISATIONS))
def test_macros_fit_760_and_1264_pixel_frames(
    page: Page, live_site: LiveSite, output_dir: Path, organisation: str
) -> None:
    ORGANISATIONS[organisation](live_site)
    sandbox = live_site.sandbox
    url = sandbox.page_url(sandbox.confluence_seed_page("PAY", "Fit", PAGE_BODY))
    figures: dict[str, Any] = {}
    for width in WIDTHS:
        page.goto(url)
        _frame_width(page, width)
        page.reload()
        for name, frame in zip(
            ("customer-map", "expectations", "integrator-map"), frames(page, 3), strict=True
        ):
            measured = frame.evaluate(MEASURE)
            figures[f"{name}@{width}"] = measured
            assert measured["viewport"] == width
            assert measured["scrollWidth"] <= measured["clientWidth"], (name, width, measured)
            for table in measured["tables"]:
                assert table["scrollWidth"] <= table["clientWidth"], (name, width, table)
            if name != "expectations":
                assert measured["maps"], f"{name} shows no map at {width} px"
            for drawn in measured["maps"]:
                assert drawn["right"] <= measured["clientWidth"], (name, width, drawn)
                assert drawn["smallestFont"] >= MIN_LABEL_PX, (name, width, drawn)
            whole = page.context.new_page()  # the macro's whole document at this width
            whole.set_viewport_size({"width": width, "height": 900})
            whole.goto(frame.url)
            whole.screenshot(
                path=output_dir / f"macro-fit-{organisation}-{name}-{width}.png", full_page=True
            )
            whole.close()
    report = output_dir / "macro-fit.json"
    previous = json.loads(report.read_text()) if report.exists() else {}
    report.write_text(json.dumps(previous | {organisation: figures}, indent=1))


def test_a_very_large_organisation_is_scaled_to_the_frame_with_a_full_size_view(
    page: Page, live_site: LiveSite, output_dir: Path
) -> None:
    with get_db(live_site.app).transaction() as session:
        tiered_organisation(session, live_site.site_id, teams=OVERVIEW_TEAMS + 20)
    sandbox = live_site.sandbox
    page.goto(sandbox.page_url(sandbox.confluence_seed_page("PAY", "All", macro("integrator-map"))))
    _frame_width(page, 760)
    page.reload()
    (frame,) = frames(page, 1)
    overview = frame.evaluate(MEASURE)
    assert overview["scrollWidth"] <= overview["clientWidth"]
    (drawn,) = overview["maps"]
    assert drawn["scale"] < 1 and drawn["right"] <= overview["clientWidth"]

    frame.get_by_label("Show the picture at full size").check()
    full = frame.evaluate(MEASURE)
    (drawn,) = full["maps"]
    assert drawn["scale"] == 1 and drawn["smallestFont"] >= MIN_LABEL_PX
    assert full["scrollWidth"] <= full["clientWidth"]  # the page still does not scroll sideways
    box = frame.locator(".figure-scroll").evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert box[0] > box[1]  # the picture scrolls in its own box
    frame.locator(".figure-scroll").screenshot(path=output_dir / "macro-fit-overview-full.png")


def _downloaded(page: Page, frame: Frame) -> str:
    button = frame.get_by_role("button", name="Download CSV")
    expect(button).to_be_visible()
    with page.expect_download() as download:
        button.click()
    path = download.value.path()
    assert path is not None
    text = Path(path).read_bytes().decode("utf-8")  # as written: BOM and CRLF kept
    expect(frame.locator(".download-status")).to_contain_text("Downloaded")
    return f"{download.value.suggested_filename}\n{text}"


def test_download_csv_from_the_expectations_macro_and_the_integrator_map(
    page: Page, live_site: LiveSite
) -> None:
    _seed(live_site, payroll_organisation)
    sandbox = live_site.sandbox
    body = macro("expectations", team="pay", side="supplier") + macro("integrator-map")
    page.goto(sandbox.page_url(sandbox.confluence_seed_page("PAY", "Review", body)))
    table, integrator = frames(page, 2)

    name, text = _downloaded(page, table).split("\n", 1)
    assert name == "PAY-expectations.csv"
    assert text.startswith("\ufeffid,supplier,customer,service,statement")
    assert "Payslips out two days before payday" in text
    assert "The payroll system is up" not in text  # IT's, on the customer side: not asked for
    assert "Rating 5" not in text  # no comment text ever

    name, text = _downloaded(page, integrator).split("\n", 1)
    assert name == "all-expectations.csv"
    assert "The payroll system is up" in text and "Cost report by the 3rd" in text


def test_download_csv_on_forge_builds_the_file_from_the_json_rows(
    page: Page, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue("forge_bundle")
    site = request.getfixturevalue("forge_live")
    forge = Platform("forge", site.sandbox, site)
    relationship = payroll_and_people(forge)
    words = "=HYPERLINK(payslips), on time, with “quotes”"
    made = {"relationshipId": relationship["id"], "statement": words}
    forge.api("POST", "/expectations", made, 201)
    page_id = forge.sandbox.confluence_seed_page(
        "ICM", "Review", macro("expectations", team="PAY", side="supplier")
    )
    frame = forge.frame(page, forge.confluence_page(page_id, PAYROLL_LEAD, "light"))

    name, text = _downloaded(page, frame).split("\n", 1)
    assert name == "PAY-expectations.csv"
    assert text.startswith("\ufeffid,supplier,customer,service,statement")
    assert "\r\n" in text
    # Built by the Custom UI as the service builds it: the formula neutralised, quoted for commas.
    assert '"\'=HYPERLINK(payslips), on time, with “quotes”"' in text
