"""The sandbox's root is a home page, and every link on it answers."""

from __future__ import annotations

import re
from html import unescape

import requests

from tests.support.live import LiveSite


def test_home_links_projects_spaces_the_apps_pages_and_the_call_log(live_site: LiveSite) -> None:
    sandbox = live_site.sandbox
    page_id = sandbox.confluence_seed_page("ICM", "Maps", "<p>nothing yet</p>")
    response = requests.get(sandbox.url + "/", timeout=30)
    assert response.status_code == 200
    html = response.text
    assert "Jira projects" in html and "Confluence spaces" in html
    links = [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]
    assert "/_sandbox/calls" in links
    assert any(href.startswith("/jira/apps/") and "project.key=" in href for href in links)
    assert any(href.endswith(f"/pages/{page_id}") for href in links)
    for href in links:
        assert requests.get(sandbox.url + href, timeout=30).status_code == 200, href
