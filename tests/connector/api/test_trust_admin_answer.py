"""Jira's answer to "is this user an administrator?" is read by its documented shape only: a
wrong shape or a body that is not JSON is no answer, so "no" (a 403), never a yes and never a 500
(issue #24). Jira here is a stand-in served over HTTP, answering what each case sets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, Response, request

from connector.jira.port import use_site_clients
from connector.jira.site import JiraSite
from connector.practice.roles import ADMIN_CHECK
from sandbox.serving import serving
from tests.support.api import Api


class StandInClient:
    """What JiraSite needs of atlassian-python-api's client: `request(...)` on a base URL."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.pop("advanced_mode", None)
        return requests.request(method, f"{self.base_url}/{path}", timeout=5, **kwargs)


@pytest.fixture
def jira_answers(app: Flask, api: Api) -> Iterator[dict[str, Any]]:
    said: dict[str, Any] = {"body": "{}", "asked": []}
    jira = Flask("stand-in-jira")

    @jira.post("/rest/api/3/permissions/check")
    def check() -> Response:
        said["asked"].append(request.get_json())
        return Response(said["body"], mimetype=said.get("type", "application/json"))

    with serving(jira) as server:
        client = StandInClient(f"http://127.0.0.1:{server.server_port}")
        use_site_clients(app, lambda _session, _site: JiraSite(client))
        app.extensions.pop(ADMIN_CHECK, None)  # ask "Jira", not the tests' seam
        app.extensions.pop("icm.site_admin_cache", None)
        yield said


@pytest.mark.parametrize(
    ("body", "mimetype"),
    [
        ('{"globalPermissions": "ADMINISTER-NOT"}', "application/json"),
        ('{"globalPermissions": [{"key": "ADMINISTER"}]}', "application/json"),
        ('["ADMINISTER"]', "application/json"),
        ("<html>Log in</html>", "text/html"),
        ('{"globalPermissions": ["ADMIN', "application/json"),
    ],
)
def test_an_answer_of_the_wrong_shape_is_no(
    api: Api, jira_answers: dict[str, Any], body: str, mimetype: str
) -> None:
    jira_answers.update(body=body, type=mimetype)
    response = api.as_("acc-9").call("PUT", "/settings", {"issueType": "Bug"})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "role_required"
    assert jira_answers["asked"][-1] == {"accountId": "acc-9", "globalPermissions": ["ADMINISTER"]}
    # Not remembered: once Jira answers properly, the same user is an administrator.
    jira_answers.update(body='{"globalPermissions": ["ADMINISTER"]}', type="application/json")
    assert api.as_("acc-9").call("PUT", "/settings", {"issueType": "Bug"}).status_code == 200
