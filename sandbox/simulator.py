"""`Sandbox`: run a simulated Atlassian site in a background thread (tests, demo)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer

from sandbox.confluence.store import ConfluenceStore
from sandbox.connect.install import Installation
from sandbox.connect.webhooks import WebhookDispatcher
from sandbox.directory import USERS
from sandbox.jira.store import JiraStore
from sandbox.server import create_sandbox_app
from sandbox.serving import quiet_server
from sandbox.state import RecordedCall, SiteState


class Sandbox:
    """A local Jira + Confluence site: `with Sandbox() as sb: sb.install(url, "jira")`."""

    def __init__(self, specs_dir: Path | None = None, validate: bool = True) -> None:
        self.state = SiteState(specs_dir, validate)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        server = self._bind(host, port)
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(
        self, host: str, port: int, on_ready: Callable[[str], None] | None = None
    ) -> None:
        """Serve in the calling thread (the command line); `on_ready` gets the bound URL."""
        server = self._bind(host, port)
        if on_ready is not None:
            on_ready(self.url)
        try:
            server.serve_forever()
        finally:
            self.state.webhooks.stop()

    def _bind(self, host: str, port: int) -> BaseWSGIServer:
        """Listen on host:port (0: a free port) and start delivering webhooks."""
        self._server = quiet_server(create_sandbox_app(self.state), host, port)
        self.state.set_url(f"http://{host}:{self._server.server_port}")
        self.state.webhooks.start()
        return self._server

    def stop(self) -> None:
        self.state.webhooks.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self.state.url

    @property
    def install_keys_url(self) -> str:
        """What the app's ICM_INSTALL_KEYS_URL should be."""
        return self.url + "/install-keys"

    @property
    def cloud_id(self) -> str:
        return self.state.cloud_id

    @property
    def jira(self) -> JiraStore:
        return self.state.jira

    @property
    def confluence(self) -> ConfluenceStore:
        return self.state.confluence

    @property
    def webhooks(self) -> WebhookDispatcher:
        return self.state.webhooks

    @property
    def calls(self) -> list[RecordedCall]:
        return self.state.calls

    @property
    def contract_violations(self) -> list[str]:
        return self.state.contract_violations

    @property
    def installations(self) -> dict[str, Installation]:
        return self.state.installer.installations

    def install(
        self, descriptor_url: str, product: str, rotate_secret: bool = True
    ) -> dict[str, Any]:
        """Install the app; returns the `installed` payload sent (InstallError if refused)."""
        return dict(self.state.install(descriptor_url, product, rotate_secret).payload)

    def uninstall(self, product: str) -> dict[str, int | str]:
        """Send `disabled` then `uninstalled`; returns the status code of each."""
        return dict(self.state.installer.uninstall(product).outcome)

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        return self.state.set_faults(**settings)

    def confluence_seed_page(self, space_key: str, title: str, body: str) -> str:
        store = self.state.confluence
        page = store.create_page(
            {
                "spaceId": store.space(space_key).id,
                "title": title,
                "body": {"representation": "storage", "value": body},
            },
            USERS[0].account_id,
        )
        return page.id

    def page_url(self, page_id: str) -> str:
        page = self.state.confluence.page(page_id)
        return f"{self.url}/wiki/spaces/{page.space.key}/pages/{page.id}"
