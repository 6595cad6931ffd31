"""Fixtures for the sandbox tests: a running site, a fake app installed in it, signed calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from atlassian_jwt import encode_token

from sandbox import Sandbox
from tests.sandbox.fake_app import APP_KEY, FakeApp, running


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        sandbox.set_faults(seed=1)
        sandbox.webhooks.configure(backoff_s=0.01)
        yield sandbox


@pytest.fixture
def app(sb: Sandbox) -> Iterator[FakeApp]:
    with running(FakeApp(install_keys_url=sb.install_keys_url)) as fake:
        yield fake


@pytest.fixture
def jira(sb: Sandbox, app: FakeApp) -> Client:
    return Client(sb, sb.install(f"{app.base_url}/jira/atlassian-connect.json", "jira"))


@pytest.fixture
def confluence(sb: Sandbox, app: FakeApp) -> Client:
    return Client(sb, sb.install(f"{app.base_url}/confluence/atlassian-connect.json", "confluence"))


class Client:
    """Calls the sandbox as the installed app does: JWT with iss = app key, qsh per request."""

    def __init__(self, sb: Sandbox, tenant: dict[str, Any]) -> None:
        self.sb = sb
        self.tenant = tenant

    def url_for(self, path: str, params: dict[str, Any] | None = None) -> tuple[str, str]:
        query = "?" + urlencode(params, doseq=True) if params else ""
        relative = path + query
        return self.tenant["baseUrl"] + relative, relative

    def token(self, method: str, relative: str, **overrides: Any) -> str:
        secret = overrides.pop("secret", self.tenant["sharedSecret"])
        claims = {"iss": APP_KEY, **overrides}
        return str(
            encode_token(
                method,
                relative,
                self.tenant["clientKey"],
                secret,
                timeout_secs=180,
                payload_kwargs=claims,
            )
        )

    def call(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: dict[str, Any] | None = None,
        **token_overrides: Any,
    ) -> requests.Response:
        url, relative = self.url_for(path, params)
        headers = {"Authorization": f"JWT {self.token(method, relative, **token_overrides)}"}
        return requests.request(method, url, json=json, headers=headers, timeout=10)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.call("GET", path, params=params or None)

    def post(self, path: str, json: Any = None, **params: Any) -> requests.Response:
        return self.call("POST", path, json=json, params=params or None)

    def put(self, path: str, json: Any = None) -> requests.Response:
        return self.call("PUT", path, json=json)

    def delete(self, path: str) -> requests.Response:
        return self.call("DELETE", path)


def new_issue(
    summary: str = "Payslips on time", project: str = "PAY", **fields: Any
) -> dict[str, Any]:
    return {
        "fields": {
            "project": {"key": project},
            "issuetype": {"name": "Task"},
            "summary": summary,
            **fields,
        }
    }
