"""Configuration: defaults here, then `instance/config.py`, then `ICM_*` variables, then tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DESCRIPTOR_SOURCE = Path(__file__).resolve().parent.parent / "atlassian-connect.json"
if not DESCRIPTOR_SOURCE.exists():  # installed as a wheel: the descriptor ships inside the package
    DESCRIPTOR_SOURCE = Path(__file__).resolve().parent / "atlassian-connect.json"


def defaults() -> dict[str, Any]:
    return {
        "BASE_URL": "http://localhost:8000",
        "DATABASE_URL": None,  # None: SQLite in the instance folder
        "INSTALL_KEYS_URL": "https://connect-install-keys.atlassian.com",
        "APP_KEY": default_app_key(),
        "DESCRIPTOR_PATH": str(DESCRIPTOR_SOURCE),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        # Outgoing calls: how long one Retry-After may make us wait, and how many tries in all.
        "RETRY_AFTER_CAP_SECONDS": 30.0,
        "RETRY_ATTEMPTS": 4,
        "HTTP_TIMEOUT_SECONDS": 30.0,
        # Hosts an `installed` callback may name as its baseUrl, matched exactly (`*` is one DNS
        # label); loopback hosts (the demo, tests) only when named, and then http and a port too.
        "ALLOWED_PRODUCT_HOSTS": "*.atlassian.net,*.jira.com",
        "ALL_JS_URL": "https://connect-cdn.atl-paas.net/all.js",
        # Forge Remote adapter (connector/forge): invocation tokens are verified against this JWKS
        # and must name FORGE_APP_ID (ari:cloud:ecosystem::app/<uuid>); empty = Forge is off.
        "FORGE_JWKS_URL": "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json",
        "FORGE_APP_ID": "",
        # A process rewrites a Forge installation's row on an invocation at most this often
        # (sooner when the claims change or its app token nears expiry; platforms/forge/auth.py).
        "FORGE_RECORD_SECONDS": 60.0,
        # Webhook intake: commit concurrent deliveries together (PostgreSQL only; each is still
        # answered after its commit), and keep verified tenants in memory this many seconds.
        "INTAKE_GROUP_COMMIT": True,
        "TENANT_CACHE_SECONDS": 5.0,
        # Secrets at rest (connector/db/secrets.py): comma-separated Fernet keys, the first
        # encrypts. Unset: refused, unless testing, debugging or SECRET_KEYS_AUTOCREATE (the
        # demo), which keep a key in instance/secret.keys.
        "SECRET_KEYS": "",
        "SECRET_KEYS_AUTOCREATE": False,
        # Privacy (connector/practice/privacy/, docs/personal-data.md): days a site's data
        # is kept after its last installation is uninstalled; days parked deliveries are kept.
        "PURGE_AFTER_UNINSTALL_DAYS": 30,
        "PARKED_KEEP_DAYS": 30,
        # Where vulnerability reports go (SECURITY.md), published at /.well-known/security.txt.
        "SECURITY_CONTACT": "",
    }


def default_app_key() -> str:
    with DESCRIPTOR_SOURCE.open(encoding="utf-8") as handle:
        key: str = json.load(handle)["key"]
    return key
