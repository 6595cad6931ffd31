"""The sandbox's stand-in for all.js, and the host half that sizes app iframes."""

from __future__ import annotations

import requests

from sandbox import Sandbox


def test_all_js_stand_in_and_host_bridge() -> None:
    with Sandbox(validate=False) as sandbox:
        script = requests.get(sandbox.url + "/atlassian-connect/all.js", timeout=10)
        assert script.status_code == 200
        assert script.headers["Content-Type"].startswith("text/javascript")
        assert "resize:function" in script.text
        assert "ap-resize" in script.text
        page_id = sandbox.confluence_seed_page("ICM", "Bridge", "<p>hello</p>")
        page = requests.get(sandbox.page_url(page_id), timeout=10).text
        assert "addEventListener('message'" in page
        assert "ap-resize" in page
