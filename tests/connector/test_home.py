"""The app's root: a short page whose every link answers."""

from __future__ import annotations

import re

from flask import Flask

from tests.conftest import APP_BASE_URL


def test_root_names_the_service_and_every_link_on_it_answers(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Internal Customer Map" in page
    links = sorted(set(re.findall(r'href="([^"]+)"', page)))
    assert links == [
        f"{APP_BASE_URL}/api/v1/openapi.json",
        f"{APP_BASE_URL}/confluence/atlassian-connect.json",
        f"{APP_BASE_URL}/jira/atlassian-connect.json",
        f"{APP_BASE_URL}/livez",
        f"{APP_BASE_URL}/readyz",
    ]
    for link in links:
        assert client.get(link.removeprefix(APP_BASE_URL)).status_code == 200, link
