"""The app served over real HTTP and installed into the sandbox: what integration tests stand on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from atlassian_jwt import encode_token
from flask import Flask

from connector import create_app
from sandbox import Sandbox
from sandbox.directory import USERS
from sandbox.serving import serving


@contextmanager
def serve_app(config: dict[str, Any]) -> Iterator[tuple[Flask, str]]:
    """Serve `create_app(config)` on a free loopback port; ICM_BASE_URL is that port's URL.

    The engine is disposed only once the server has stopped and its last request has returned:
    a request still running on werkzeug's (daemon) request thread would otherwise open a
    connection on the disposed engine that nobody closes (psycopg's ResourceWarning, which
    fails whichever test runs when it is collected).
    """
    holder: dict[str, Flask] = {}
    in_flight = threading.Condition()
    running = 0

    def dispatch(environ: Any, start_response: Any) -> Any:
        nonlocal running
        with in_flight:
            running += 1
        try:
            return holder["app"](environ, start_response)
        finally:
            with in_flight:
                running -= 1
                in_flight.notify_all()

    app: Flask | None = None
    try:
        with serving(dispatch) as server:
            url = f"http://127.0.0.1:{server.server_port}"
            app = create_app({**config, "BASE_URL": url})
            holder["app"] = app
            yield app, url
    finally:
        with in_flight:
            assert in_flight.wait_for(lambda: running == 0, timeout=30), "a request never ended"
        if app is not None:
            app.extensions["icm.db"].engine.dispose()


@dataclass
class LiveSite:
    """An app installed into sandbox Jira and Confluence (one Atlassian site)."""

    app: Flask
    url: str
    sandbox: Sandbox
    jira: dict[str, Any]  # the `installed` payload Jira sent
    confluence: dict[str, Any]

    @property
    def site_id(self) -> str:
        return str(self.jira.get("cloudId") or "")

    def token(self, method: str, path: str, *, product: str = "jira", **claims: Any) -> str:
        """A token for `path` as Atlassian's own library signs product->app calls."""
        installed = self.jira if product == "jira" else self.confluence
        return str(
            encode_token(
                method, path, installed["clientKey"], installed["sharedSecret"], 180, claims or None
            )
        )

    def call(
        self, method: str, path: str, json: Any = None, *, product: str = "jira", **claims: Any
    ) -> requests.Response:
        """As the sandbox's first user (its Jira administrator) unless `sub` says otherwise
        (`sub=None`: a token without a user)."""
        claims.setdefault("sub", USERS[0].account_id)
        if claims["sub"] is None:
            del claims["sub"]
        headers = {"Authorization": f"JWT {self.token(method, path, product=product, **claims)}"}
        return requests.request(method, self.url + path, json=json, headers=headers, timeout=30)


@contextmanager
def live_site(config: dict[str, Any], specs: Path | None) -> Iterator[LiveSite]:
    with Sandbox(specs_dir=specs, validate=specs is not None) as sandbox:
        config = {**config, "INSTALL_KEYS_URL": sandbox.install_keys_url}
        with serve_app(config) as (app, url):
            jira = sandbox.install(f"{url}/jira/atlassian-connect.json", "jira")
            confluence = sandbox.install(f"{url}/confluence/atlassian-connect.json", "confluence")
            yield LiveSite(app, url, sandbox, jira, confluence)
            # Let the webhooks the test set off arrive before the app stops answering.
            sandbox.webhooks.wait_idle(10)
