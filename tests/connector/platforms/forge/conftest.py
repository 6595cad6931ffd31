"""Fixtures for the Forge adapter: Atlassian's manifest validator from npm, and one site fixture
that speaks Connect or Forge behind the same `.call(method, path, json)`."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from sandbox import Sandbox
from sandbox.directory import USERS
from sandbox.forge.remote import TriggerQueue, triggers
from sandbox.forge.site import ForgeApp, ForgeSite, forge_site
from tests.conftest import specs_dir
from tests.support.live import LiveSite, serve_app
from tests.support.prerequisites import missing

FORGE_DIR = Path(__file__).resolve().parents[4] / "forge"
APP_ID = f"ari:cloud:ecosystem::app/{uuid.uuid4()}"


@pytest.fixture(scope="session")
def forge_tooling() -> Path:
    """forge/node_modules (@forge/manifest, @forge/api, ...), installed once (no lock file)."""
    packages = ("manifest", "api")
    if not all((FORGE_DIR / "node_modules" / "@forge" / name).is_dir() for name in packages):
        npm = shutil.which("npm")
        if npm is None:
            missing("npm is not installed: Atlassian's manifest validator cannot run")
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(FORGE_DIR),
                "--no-package-lock",
                "--no-audit",
                "--no-fund",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    if shutil.which("node") is None:
        missing("node is not installed: Atlassian's manifest validator cannot run")
    return FORGE_DIR


@pytest.fixture(scope="session")
def forge_bundle(forge_tooling: Path) -> Path:
    """The Custom UI, built from forge/src by esbuild as `forge deploy` would ship it."""
    npm = shutil.which("npm") or "npm"
    subprocess.run(
        [npm, "--prefix", str(FORGE_DIR), "run", "build"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return FORGE_DIR / "static"


UI_MODULE = {"key": "general-page", "type": "jira:globalPage"}
EVENTS_MODULE = {"key": "icm-jira-events", "type": "core:trigger"}
SCHEDULED_MODULE = {"key": "icm-hourly", "type": "core:scheduledTrigger"}


@dataclass
class PlatformSite:
    """The app installed into a sandbox site through one platform; `call` authenticates as it."""

    platform: str
    app: Flask
    url: str
    sandbox: Sandbox
    site_id: str
    live: LiveSite | None = None
    forge: ForgeSite | None = None

    def forge_app(self, product: str = "jira") -> ForgeApp:
        assert self.forge is not None
        found = self.forge.app(product)
        assert found is not None
        return found

    def call(
        self, method: str, path: str, json: Any = None, *, product: str = "jira"
    ) -> requests.Response:
        if self.live is not None:
            return self.live.call(method, path, json, product=product)
        module = UI_MODULE
        if path.startswith("/forge/ui/"):  # each UI module's front end asks for itself
            module = {"key": path.removeprefix("/forge/ui/").partition("?")[0], "type": "macro"}
        headers = self.forge_headers(product, module)
        return requests.request(method, self.url + path, json=json, headers=headers, timeout=30)

    def forge_headers(
        self,
        product: str = "jira",
        module: dict[str, Any] = UI_MODULE,
        account_id: str | None = USERS[0].account_id,
    ) -> dict[str, str]:
        """Headers as Forge sends them for `module` (by default a UI module, for the viewer)."""
        assert self.forge is not None
        app = self.forge_app(product)
        token = self.forge.invocation_token(app, module, account_id)
        return {
            "Authorization": f"Bearer {token}",
            "x-forge-oauth-system": self.forge.issue_app_token(app, "system"),
        }

    def wait_for_events(self) -> None:
        if self.forge is not None:
            assert self.triggers().wait_idle(10)
        else:
            assert self.sandbox.webhooks.wait_idle(10)

    def triggers(self) -> TriggerQueue:
        assert self.forge is not None
        return triggers(self.forge)


def forge_config(app_config: dict[str, Any], sandbox: Sandbox) -> dict[str, Any]:
    return {
        **app_config,
        "INSTALL_KEYS_URL": sandbox.install_keys_url,
        "FORGE_APP_ID": APP_ID,
        "FORGE_JWKS_URL": sandbox.url + "/forge/.well-known/jwks.json",
    }


@pytest.fixture
def forge_live(app_config: dict[str, Any]) -> Iterator[PlatformSite]:
    """The app as the remote of a Forge app installed in sandbox Jira and Confluence."""
    specs = specs_dir()
    with Sandbox(specs_dir=specs, validate=specs is not None) as sandbox:
        with serve_app(forge_config(app_config, sandbox)) as (app, url):
            forge = forge_site(sandbox.state)
            forge.install(url, APP_ID)  # once: the manifest's compatibility spans both apps
            triggers(forge)
            yield PlatformSite("forge", app, url, sandbox, sandbox.cloud_id, forge=forge)
        assert sandbox.contract_violations == [], sandbox.contract_violations


@pytest.fixture(params=["connect", "forge"])
def platform_site(request: pytest.FixtureRequest, app_config: dict[str, Any]) -> PlatformSite:
    """The same site, installed through Connect or through Forge (on each database: `app_config`
    is requested here so that its parameter is known before the site's fixture asks for it)."""
    if request.param == "forge":
        site: PlatformSite = request.getfixturevalue("forge_live")
        return site
    live: LiveSite = request.getfixturevalue("live_site")
    return PlatformSite("connect", live.app, live.url, live.sandbox, live.site_id, live=live)
