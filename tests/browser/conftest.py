"""Browser fixtures on plain Playwright with Debian's Chromium (never a downloaded browser).

One browser per session, a fresh context per test. Tests here skip, with the reason, only when
the Chromium executable is missing; CI installs it (`make browser`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.support.prerequisites import missing

CHROMIUM = Path(os.environ.get("ICM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container
    "--disable-gpu",
    "--disable-dev-shm-usage",  # small /dev/shm in containers
    "--disable-background-networking",  # closed network: no phoning home
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = Path(__file__).resolve().parent.parent / "output"
# Connect's all.js comes from Atlassian's CDN; here it is refused, as when a reader is offline.
ALL_JS = "https://connect-cdn.atl-paas.net/**"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(ALL_JS, lambda route: route.abort())
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Screenshots for people to look at (gitignored; CI keeps the folder as an artefact)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


# The Forge site and its built Custom UI, for the suite that runs on both platforms.
from tests.connector.platforms.forge.conftest import (  # noqa: E402, F401
    forge_bundle,
    forge_live,
    forge_tooling,
)
