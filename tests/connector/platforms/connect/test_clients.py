"""Outgoing calls: signed as the app on every attempt, retried only where that is safe."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import requests
from atlassian_jwt.url_utils import hash_url
from werkzeug.wrappers import Request, Response

from connector.jira.http import (
    RetryPolicy,
    confluence_cloud,
    jira_cloud,
    parse_retry_after,
)
from connector.platforms.connect.clients import signed_session
from tests.support.atlassian import serve

SECRET = "k" * 48
APP_KEY = "com.example.internal-customer-map"


@dataclass
class ScriptedSite:
    """Answers from a script of (status, headers) and records what arrived."""

    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    seen: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        token = request.headers.get("Authorization", "").removeprefix("JWT ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"]) if token else {}
        self.seen.append((request.method, request.full_path.rstrip("?"), claims))
        status, headers = self.script.pop(0) if self.script else (200, {})
        body = '{"accountId": "5b10a2844c20165700ede21g", "values": []}'
        return Response(body, status=status, headers=headers, mimetype="application/json")(
            environ, start_response
        )


@pytest.fixture
def site() -> Iterator[tuple[ScriptedSite, str]]:
    scripted = ScriptedSite()
    with serve(scripted) as url:
        yield scripted, url


def session_for(url: str, sleeps: list[float], **policy: Any) -> requests.Session:
    session = signed_session(
        app_key=APP_KEY, shared_secret=SECRET, product_base_url=url, policy=RetryPolicy(**policy)
    )
    session.sleep = sleeps.append  # type: ignore[attr-defined]
    return session


def test_jira_client_calls_are_signed_as_the_app(site: tuple[ScriptedSite, str]) -> None:
    scripted, url = site
    jira = jira_cloud(session_for(url, []), url)
    jira.get(
        "rest/api/3/search/jql", params={"jql": "project = PAY AND labels = internal-customer"}
    )
    method, path, claims = scripted.seen[-1]
    assert claims["iss"] == APP_KEY
    assert claims["qsh"] == hash_url(method, path)
    assert claims["exp"] - claims["iat"] <= 180


def test_confluence_qsh_leaves_out_the_wiki_context(site: tuple[ScriptedSite, str]) -> None:
    scripted, url = site
    confluence = confluence_cloud(session_for(url + "/wiki", []), url + "/wiki")
    confluence.get("api/v2/pages", params={"title": "Team map"})
    _method, path, claims = scripted.seen[-1]
    assert path.startswith("/wiki/api/v2/pages")
    assert claims["qsh"] == hash_url("GET", path.removeprefix("/wiki"))


def test_429_waits_for_retry_after_and_re_signs(site: tuple[ScriptedSite, str]) -> None:
    scripted, url = site
    scripted.script = [(429, {"Retry-After": "2"}), (429, {"Retry-After": "1"}), (200, {})]
    sleeps: list[float] = []
    response = session_for(url, sleeps).post(url + "/rest/api/3/issue", json={"fields": {}})
    assert response.status_code == 200
    assert sleeps == [2.0, 1.0]
    assert len(scripted.seen) == 3
    assert all(
        claims["qsh"] == hash_url("POST", "/rest/api/3/issue") for _, _, claims in scripted.seen
    )


def test_503_on_a_create_is_not_repeated(site: tuple[ScriptedSite, str]) -> None:
    scripted, url = site
    scripted.script = [(503, {"Retry-After": "1"}), (200, {})]
    sleeps: list[float] = []
    response = session_for(url, sleeps).post(
        url + "/rest/api/3/issue/bulk", json={"issueUpdates": []}
    )
    assert response.status_code == 503
    assert sleeps == [] and len(scripted.seen) == 1


def test_503_on_a_read_is_retried(site: tuple[ScriptedSite, str]) -> None:
    scripted, url = site
    scripted.script = [(503, {}), (200, {})]
    sleeps: list[float] = []
    response = session_for(url, sleeps, backoff_base=0.01).post(
        url + "/rest/api/3/search/jql", json={"jql": "project = PAY"}
    )
    assert response.status_code == 200 and len(sleeps) == 1


def test_retry_after_beyond_the_cap_is_not_waited_for(site: tuple[ScriptedSite, str]) -> None:
    scripted, url = site
    scripted.script = [(429, {"Retry-After": "600"})]
    sleeps: list[float] = []
    response = session_for(url, sleeps, retry_after_cap=30).get(url + "/rest/api/3/myself")
    assert response.status_code == 429 and sleeps == []


def test_attempts_are_bounded(site: tuple[ScriptedSite, str]) -> None:
    scripted, url = site
    scripted.script = [(429, {"Retry-After": "0"})] * 10
    sleeps: list[float] = []
    response = session_for(url, sleeps, attempts=3).get(url + "/rest/api/3/myself")
    assert response.status_code == 429 and len(scripted.seen) == 3


def test_token_never_sent_to_another_host(site: tuple[ScriptedSite, str]) -> None:
    scripted, url = site
    elsewhere = ScriptedSite()
    with serve(elsewhere) as other:
        session = session_for(url, [])
        session.get(url + "/rest/api/3/myself")
        session.get(other + "/elsewhere")
    assert scripted.seen[-1][2]["iss"] == APP_KEY
    assert elsewhere.seen == [("GET", "/elsewhere", {})]


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
