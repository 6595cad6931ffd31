"""The issue panel shows the expectation's ratings over time, drawn and in words."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from flask import Flask

from tests.connector.api.test_feedback import call
from tests.webhooks.support import install, seed_app


def test_panel_draws_the_ratings_over_time_with_a_text_equivalent(
    app: Flask, signing_key: Any, kid: str
) -> None:
    site = install(app, signing_key, kid)
    seed_app(app, site.cloud_id)
    client = app.test_client()
    path = "/feedback/panel?issue.key=TES-1"

    def panel() -> str:
        token = site.tenant_token("GET", path)
        page: str = client.get(path, headers={"Authorization": f"JWT {token}"}).get_data(
            as_text=True
        )
        return page

    assert 'id="icm-history"' not in panel()  # no ratings, nothing drawn
    for rating in (2, 4):
        body = {"issueKey": "TES-1", "rating": rating}
        assert call(client, site, "POST", "/feedback/panel", body).status_code == 201
    page = panel()
    [label] = re.findall(r'<svg id="icm-history"[^>]*aria-label="([^"]*)"', page)
    assert re.fullmatch(r"Ratings over time: 2 from .+ to .+: 2, 4", unescape(label))
    assert page.count("<circle") == 2
