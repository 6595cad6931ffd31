"""Installing an app from its descriptor as Atlassian does: signed lifecycle callbacks."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from sandbox.connect import signing

log = logging.getLogger(__name__)

PRODUCTS = ("jira", "confluence")
HTTP_TIMEOUT_S = 10


class InstallError(Exception):
    """The app refused or failed a lifecycle callback."""


@dataclass
class Installation:
    """One product's installation of the app (a Connect "tenant" seen from Atlassian's side)."""

    product: str
    descriptor: dict[str, Any]
    client_key: str
    shared_secret: str
    base_url: str
    app_account_id: str
    installed: bool = False
    outcome: dict[str, int | str] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def app_key(self) -> str:
        return str(self.descriptor["key"])

    @property
    def app_base_url(self) -> str:
        return str(self.descriptor["baseUrl"]).rstrip("/")

    @property
    def modules(self) -> dict[str, Any]:
        modules = self.descriptor.get("modules") or {}
        return modules if isinstance(modules, dict) else {}

    def lifecycle_path(self, event: str) -> str | None:
        path = (self.descriptor.get("lifecycle") or {}).get(event)
        return str(path) if path else None


class Installer:
    """Keeps the installations of one site and runs the install/uninstall handshakes."""

    def __init__(self, site_url: str, cloud_id: str, keys: signing.InstallKeys) -> None:
        self.site_url = site_url
        self.cloud_id = cloud_id
        self.keys = keys
        self.installations: dict[str, Installation] = {}
        self.lock = threading.RLock()

    def product_base_url(self, product: str) -> str:
        return self.site_url + ("/wiki" if product == "confluence" else "")

    def find(self, app_key: str, product: str) -> Installation | None:
        with self.lock:
            found = self.installations.get(product)
            return found if found is not None and found.app_key == app_key else None

    def install(
        self, descriptor_url: str, product: str, rotate_secret: bool = True
    ) -> Installation:
        if product not in PRODUCTS:
            raise InstallError(f"Unknown product {product!r}; expected one of {PRODUCTS}")
        descriptor = fetch_descriptor(descriptor_url)
        previous = self.installations.get(product)
        same_app = previous is not None and previous.app_key == descriptor["key"]
        client_key = previous.client_key if same_app and previous else str(uuid.uuid4())
        secret = (
            previous.shared_secret
            if same_app and previous and not rotate_secret
            else signing.new_shared_secret()
        )
        base_url = self.product_base_url(product)
        inst = Installation(
            product,
            descriptor,
            client_key,
            secret,
            base_url,
            previous.app_account_id if same_app and previous else f"557058:{uuid.uuid4()}",
        )
        inst.payload = self._payload(inst, "installed")
        with self.lock:
            # Registered before the callback: an app may call back while handling `installed`.
            self.installations[product] = inst
        status = self._send_signed_install(inst, "installed", inst.payload)
        inst.outcome["installed"] = status
        if not 200 <= status < 300:
            with self.lock:
                if previous is not None:
                    self.installations[product] = previous
                else:
                    self.installations.pop(product, None)
            raise InstallError(f"The app answered {status} to the installed callback")
        inst.installed = True
        if inst.lifecycle_path("enabled"):
            inst.outcome["enabled"] = self._send_shared_secret(inst, "enabled")
        return inst

    def uninstall(self, product: str) -> Installation:
        with self.lock:
            inst = self.installations.get(product)
        if inst is None:
            raise InstallError(f"No app is installed in {product}")
        if inst.lifecycle_path("disabled"):
            inst.outcome["disabled"] = self._send_shared_secret(inst, "disabled")
        if inst.lifecycle_path("uninstalled"):
            payload = self._payload(inst, "uninstalled")
            inst.outcome["uninstalled"] = self._send_signed_install(inst, "uninstalled", payload)
        inst.installed = False
        with self.lock:
            self.installations.pop(product, None)
        return inst

    def _payload(self, inst: Installation, event: str) -> dict[str, Any]:
        return {
            "key": inst.app_key,
            "clientKey": inst.client_key,
            "sharedSecret": inst.shared_secret,
            "baseUrl": inst.base_url,
            "displayUrl": inst.base_url,
            "productType": inst.product,
            "description": f"Atlassian sandbox site ({inst.product})",
            "eventType": event,
            "cloudId": self.cloud_id,
            "serverVersion": "100290",
            "pluginsVersion": "1001.0.0-SNAPSHOT",
        }

    def _send_signed_install(self, inst: Installation, event: str, payload: dict[str, Any]) -> int:
        path = inst.lifecycle_path(event) or f"/{event}"
        claims = signing.lifecycle_claims(inst.client_key, inst.app_base_url, "POST", path)
        return self._post(inst.app_base_url + path, payload, self.keys.sign(claims))

    def _send_shared_secret(self, inst: Installation, event: str) -> int:
        path = inst.lifecycle_path(event) or f"/{event}"
        token = signing.hs256_token(inst.shared_secret, inst.client_key, "POST", path)
        return self._post(inst.app_base_url + path, self._payload(inst, event), token)

    @staticmethod
    def _post(url: str, payload: dict[str, Any], token: str) -> int:
        try:
            response = requests.post(
                url, json=payload, headers={"Authorization": f"JWT {token}"}, timeout=HTTP_TIMEOUT_S
            )
        except requests.RequestException as exc:
            log.warning("lifecycle callback to %s failed: %s", url, exc.__class__.__name__)
            return 0
        return response.status_code


def fetch_descriptor(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT_S)
    except requests.RequestException as exc:
        raise InstallError(f"Could not fetch the descriptor at {url}: {exc}") from exc
    if response.status_code != 200:
        raise InstallError(f"The descriptor at {url} answered {response.status_code}")
    try:
        descriptor = response.json()
    except ValueError as exc:
        raise InstallError(f"The descriptor at {url} is not JSON") from exc
    missing = [k for k in ("key", "baseUrl", "authentication") if not descriptor.get(k)]
    if not isinstance(descriptor, dict) or missing:
        raise InstallError(f"The descriptor at {url} lacks {missing}")
    if not (descriptor.get("lifecycle") or {}).get("installed"):
        raise InstallError("The descriptor declares no lifecycle.installed URL")
    return descriptor
