"""Browser views: Confluence pages and Jira pages embed the app in signed iframes."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import requests

from sandbox import Sandbox
from tests.sandbox.conftest import Client, new_issue
from tests.sandbox.test_confluence import MACRO


class Iframes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.sources.append(dict(attrs)["src"] or "")


def iframes(html: str) -> list[str]:
    parser = Iframes()
    parser.feed(html)
    return parser.sources


def test_confluence_page_renders_macro_in_signed_iframe(sb: Sandbox, confluence: Client) -> None:
    page_id = sb.confluence_seed_page("ICM", "Map", f"<p>Intro</p>{MACRO}")
    viewer = "5b10ac8d82e05b22cc7d4ef5"

    html = requests.get(sb.page_url(page_id), params={"as": viewer}, timeout=5).text

    assert html.startswith("<!DOCTYPE html>")
    [src] = iframes(html)
    assert "team=PAY" in src and f"page={page_id}" in src and "out=display" in src and "x=&" in src
    answer = requests.get(src, timeout=5).json()  # the fake app verifies jwt + qsh
    assert answer["claims"]["sub"] == viewer
    assert answer["args"]["cp"] == "/wiki"


def test_a_dark_reader_gets_a_dark_page_and_macros_asked_for_dark(
    sb: Sandbox, confluence: Client
) -> None:
    """`?theme=dark` (the demo's dark link): the page is dark and each macro's signed URL asks
    for the dark rendering; without it, neither."""
    page_id = sb.confluence_seed_page("ICM", "Map", MACRO)
    dark = requests.get(sb.page_url(page_id), params={"theme": "dark"}, timeout=5).text
    [src] = iframes(dark)
    assert "color-scheme:dark" in dark
    answer = requests.get(src, timeout=5).json()  # still signed: the fake app checks the qsh
    assert answer["args"]["theme"] == "dark"
    light = requests.get(sb.page_url(page_id), timeout=5).text
    [plain] = iframes(light)
    assert "theme" not in requests.get(plain, timeout=5).json()["args"]
    assert "color-scheme:dark" not in light


def test_jira_views_embed_pages_and_panels(sb: Sandbox, jira: Client) -> None:
    key = jira.post("/rest/api/3/issue", new_issue()).json()["key"]

    page = requests.get(
        f"{sb.url}/jira/apps/overview", params={"project.key": "PAY"}, timeout=5
    ).text
    [src] = iframes(page)
    assert requests.get(src, timeout=5).json()["args"]["project"] == "PAY"

    browse = requests.get(f"{sb.url}/browse/{key}", timeout=5).text
    [panel] = iframes(browse)
    assert requests.get(panel, timeout=5).json()["args"]["issue"] == key
    assert re.search(r"Payslips on time", unescape(browse))


def test_unknown_views_are_404(sb: Sandbox, jira: Client) -> None:
    jira.get("/rest/api/3/myself")
    assert requests.get(f"{sb.url}/browse/PAY-404", timeout=5).status_code == 404
    assert requests.get(f"{sb.url}/jira/apps/nope", timeout=5).status_code == 404
    assert requests.get(f"{sb.url}/_sandbox/calls", timeout=5).json()[0]["method"] == "GET"
