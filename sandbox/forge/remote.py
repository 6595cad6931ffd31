"""Forge calling its remote: UI invocations, product-event triggers, scheduled triggers.

As Forge documents it (platform/forge/apis-reference/ui-api-bridge/invokeRemote and
manifest-reference/endpoint): a UI invocation's `path` is resolved against the remote's `baseUrl`
by the URL Standard's relative resolution (a leading `/` replaces any path in `baseUrl`), and the
endpoint's `route.path` is NOT used; a trigger or scheduled trigger POSTs to `baseUrl` +
`route.path`. Every call carries `Authorization: Bearer <FIT>`, the trace headers, and the app
tokens the endpoint's `auth` asks for. Triggers are POSTs with a
5 s timeout, retried up to 4 times on 5xx or no answer, as the Forge Remote contract says; UI
invocations are not retried.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests

from sandbox.connect import events
from sandbox.directory import USERS
from sandbox.forge.site import (
    ForgeApp,
    ForgeInstallError,
    ForgeSite,
)
from sandbox.jira.store import JiraEvent

log = logging.getLogger(__name__)
UI_TIMEOUT_S = 25
TRIGGER_TIMEOUT_S = 5
TRIGGER_RETRIES = 4

# The Connect webhook of a change -> the Forge product event of the same change.
FORGE_EVENTS = {
    "jira:issue_created": "avi:jira:created:issue",
    "jira:issue_updated": "avi:jira:updated:issue",
    "jira:issue_deleted": "avi:jira:deleted:issue",
    "comment_created": "avi:jira:commented:issue",
    "comment_updated": "avi:jira:updated:comment",
    "comment_deleted": "avi:jira:deleted:comment",
    "issuelink_created": "avi:jira:created:issuelink",
    "issuelink_deleted": "avi:jira:deleted:issuelink",
}
INSTALLED_EVENT = "avi:forge:installed:app"
PRE_UNINSTALL = "preUninstall"
# Connect also announces a comment as an issue update; Forge sends only the comment event.
_COMMENT_UPDATES = {"issue_commented", "issue_comment_edited", "issue_comment_deleted"}


@dataclass
class TriggerDelivery:
    event: str
    url: str
    status: int | None = None
    attempts: int = 0
    payload: dict[str, Any] = field(default_factory=dict)


def call_remote(
    site: ForgeSite,
    app: ForgeApp,
    module: dict[str, Any],
    *,
    path: str | None,
    method: str = "GET",
    body: Any = None,
    headers: dict[str, str] | None = None,
    account_id: str | None = None,
    timeout: float = UI_TIMEOUT_S,
    **context: Any,
) -> requests.Response:
    """One invocation of the remote through the endpoint `module` names: a UI module's `path`
    resolved against `baseUrl`, or (`path=None`, triggers) `baseUrl` + the endpoint's route."""
    endpoint = app.endpoint(str(module.get("endpoint") or _resolver_endpoint(module)))
    headers = {
        **{str(k): str(v) for k, v in (headers or {}).items()},  # invokeRemote's own headers
        **forge_headers(site, app, module, endpoint.get("auth") or {}, account_id, **context),
    }
    url = remote_url(app.remote_base_url, endpoint, path)
    return requests.request(method, url, json=body, headers=headers, timeout=timeout)


def forge_headers(
    site: ForgeSite,
    app: ForgeApp,
    module: dict[str, Any],
    auth: dict[str, Any],
    account_id: str | None,
    *,
    backend: bool = False,
    **context: Any,
) -> dict[str, str]:
    """What Forge adds to every call of the remote: the FIT, the trace headers, and the app
    tokens the endpoint's (or remote's) `auth` asks for."""
    token = site.invocation_token(app, module, account_id, backend=backend, **context)
    headers = {
        "Authorization": "Bearer " + token,
        "x-b3-traceid": uuid.uuid4().hex,
        "x-b3-spanid": uuid.uuid4().hex[:16],
    }
    if (auth.get("appSystemToken") or {}).get("enabled"):
        headers["x-forge-oauth-system"] = site.system_token(app)
    if account_id and (auth.get("appUserToken") or {}).get("enabled"):
        headers["x-forge-oauth-user"] = site.issue_app_token(app, "user", account_id)
    return headers


def remote_url(base_url: str, endpoint: dict[str, Any], path: str | None) -> str:
    """Where Forge sends an invocation: `path` (UI) by relative resolution against `baseUrl`;
    without one (triggers), `baseUrl` + `route.path`."""
    if path is not None:
        return urljoin(base_url, path)
    route = str((endpoint.get("route") or {}).get("path") or "")
    return base_url.rstrip("/") + route


def _resolver_endpoint(module: dict[str, Any]) -> str:
    resolver = module.get("resolver") or {}
    key = resolver.get("endpoint") if isinstance(resolver, dict) else None
    if not key:
        raise ForgeInstallError(f"module {module.get('key')!r} names no remote endpoint")
    return str(key)


def find_module(app: ForgeApp, key: str) -> tuple[str, dict[str, Any]]:
    for kind, found in (app.manifest.get("modules") or {}).items():
        for module in found or []:
            if isinstance(module, dict) and module.get("key") == key:
                return str(kind), module
    raise ForgeInstallError(f"the manifest has no module {key!r}")


class TriggerQueue:
    """Sends product events to the triggers that subscribe to them, one at a time, in order."""

    def __init__(self, site: ForgeSite) -> None:
        self.site = site
        self.deliveries: list[TriggerDelivery] = []
        self._queue: queue.Queue[tuple[ForgeApp, dict[str, Any], dict[str, Any], str] | None] = (
            queue.Queue()
        )
        self._thread = threading.Thread(target=self._run, name="sandbox-forge", daemon=True)
        self._thread.start()

    def on_jira_event(self, event: JiraEvent) -> None:
        app = self.site.app("jira")
        forge_event = FORGE_EVENTS.get(event.webhook_event)
        if app is None or forge_event is None or event.type_name in _COMMENT_UPDATES:
            return
        self._send(app, forge_event, forge_payload(forge_event, event, self.site))

    def on_installed(self, app: ForgeApp, event: str = INSTALLED_EVENT) -> None:
        """The lifecycle event Forge sends after an install (or an upgrade) of `app`, with the
        payload platform/forge/events-reference/life-cycle documents: `id` (the installation),
        `installerAccountId`, `app {id, version}`, `environment {id}`; no event name."""
        self._send(
            app,
            event,
            {
                "id": app.installation_id,
                "installerAccountId": USERS[0].account_id,
                "app": {"id": app.app_id, "version": app.app_version},
                "environment": {"id": "sandbox"},
            },
        )

    def uninstall(self, app: ForgeApp) -> list[TriggerDelivery]:
        """An admin removes the app: each `preUninstall` module's endpoint is invoked once with
        `{context: {cloudId, moduleKey}, contextToken}` (platform/forge/manifest-reference/
        modules/pre-uninstall-trigger: not blocking, 55 s, no retry documented), then the
        installation is gone, whatever it answered."""
        sent = []
        for module in app.modules("preUninstall"):
            if not module.get("endpoint"):
                continue
            body = {
                "context": {"cloudId": app.cloud_id, "moduleKey": module.get("key")},
                "contextToken": secrets.token_urlsafe(24),
            }
            typed = {**module, "type": "core:preUninstall"}
            sent.append(self._deliver(app, typed, body, PRE_UNINSTALL, retries=0, timeout=55))
        self.site.uninstall(app)
        return sent

    def _send(self, app: ForgeApp, event: str, payload: dict[str, Any]) -> None:
        """Queue `payload` for every trigger of `app` that subscribes to `event`."""
        for trigger in app.modules("trigger"):
            if event in (trigger.get("events") or []) and trigger.get("endpoint"):
                own = app.as_installation.app_account_id if app.as_installation else None
                if _ignores_self(trigger) and own and payload.get("atlassianId") == own:
                    continue  # `filter.ignoreSelf`: the app's own changes never reach it
                self._queue.put((app, {**trigger, "type": "core:trigger"}, payload, event))

    def fire_scheduled(
        self, product: str = "jira", key: str | None = None
    ) -> list[TriggerDelivery]:
        """Deliver the app's scheduled triggers that invoke a remote endpoint (all, or `key`);
        those that run a Forge function are `sandbox.forge.functions`'."""
        app = self.site.app(product)
        if app is None:
            raise ForgeInstallError(f"the app is not installed in {product} as Forge")
        sent = []
        for module in app.modules("scheduledTrigger"):
            if not module.get("endpoint") or key not in (None, module.get("key")):
                continue
            body = {"context": {"cloudId": app.cloud_id, "moduleKey": module.get("key")}}
            typed = {**module, "type": "core:scheduledTrigger"}
            sent.append(self._deliver(app, typed, body, "scheduled"))
        return sent

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def stop(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._deliver(*item)
            finally:
                self._queue.task_done()

    def _deliver(
        self,
        app: ForgeApp,
        module: dict[str, Any],
        payload: dict[str, Any],
        event: str,
        *,
        retries: int = TRIGGER_RETRIES,
        timeout: float = TRIGGER_TIMEOUT_S,
    ) -> TriggerDelivery:
        delivery = TriggerDelivery(event, "", None, 0, payload)
        self.deliveries.append(delivery)
        for attempt in range(retries + 1):
            delivery.attempts += 1
            body = payload if not attempt else {**payload, "retryContext": {"retryCount": attempt}}
            try:
                response = call_remote(
                    self.site,
                    app,
                    module,
                    path=None,
                    method="POST",
                    body=body,
                    timeout=timeout,
                )
            except requests.RequestException as exc:
                log.info("forge trigger failed: %s", exc.__class__.__name__)
                continue
            delivery.url, delivery.status = response.url, response.status_code
            if response.status_code < 500:
                break
        return delivery


def _ignores_self(trigger: dict[str, Any]) -> bool:
    found = trigger.get("filter")
    return isinstance(found, dict) and found.get("ignoreSelf") is True


def forge_payload(forge_event: str, event: JiraEvent, site: ForgeSite) -> dict[str, Any]:
    """The Forge event body: the webhook's objects, named and framed as Forge frames them."""
    webhook = events.jira_payload(event, site.state.renderer(version=3))
    body: dict[str, Any] = {"eventType": forge_event, "atlassianId": event.actor}
    if "issueLink" in webhook:
        body.update(webhook["issueLink"])  # Forge puts the link's fields at the top level
        return body
    for name in ("issue", "comment", "changelog"):
        if name in webhook:
            body[name] = webhook[name]
    return body


_QUEUES: weakref.WeakKeyDictionary[ForgeSite, TriggerQueue] = weakref.WeakKeyDictionary()
_QUEUES_LOCK = threading.Lock()


def triggers(site: ForgeSite) -> TriggerQueue:
    """The site's trigger queue, listening to its Jira from first use."""
    with _QUEUES_LOCK:
        found = _QUEUES.get(site)
        if found is None:
            found = _QUEUES[site] = TriggerQueue(site)
            site.state.jira.listeners.append(found.on_jira_event)
        return found
