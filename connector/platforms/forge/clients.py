"""Product calls for a Forge installation: `apiBaseUrl` with `Authorization: Bearer <app token>`,
through the same atlassian-python-api clients and retry policy the Connect side uses.

The system token (`x-forge-oauth-system`) acts as the app. The user token (`x-forge-oauth-user`)
is not read: nothing here calls a product on a user's behalf.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests
from sqlalchemy.orm import Session

from connector.jira.confluence import ConfluenceSite
from connector.jira.http import (
    RetryingSession,
    confluence_cloud,
    jira_cloud,
    origin,
    policy_from,
)
from connector.jira.site import JiraSite
from connector.platforms.forge.installations import ForgeInstallation, ForgeInstallationStore


class ForgeBearerAuth(requests.auth.AuthBase):
    """Adds the Forge OAuth token to requests for one apiBaseUrl, and to nothing else."""

    def __init__(self, token: str, api_base_url: str) -> None:
        self._token = token
        self.api_base_url = api_base_url.rstrip("/")
        self._origin = origin(self.api_base_url)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if origin(r.url or "") != self._origin:
            # Never hand the token to another host (a redirect, an absolute link).
            r.headers.pop("Authorization", None)
            return r
        r.headers["Authorization"] = f"Bearer {self._token}"
        return r

    def __repr__(self) -> str:  # never the token
        return f"ForgeBearerAuth(base={self.api_base_url!r})"


def bearer_session(token: str, api_base_url: str, config: Mapping[str, Any]) -> RetryingSession:
    session = RetryingSession(
        policy_from(config), timeout=float(config.get("HTTP_TIMEOUT_SECONDS", 30.0))
    )
    session.auth = ForgeBearerAuth(token, api_base_url)
    session.headers["User-Agent"] = "internal-customer-map (forge)"
    return session


def jira_for_installation(
    installation: ForgeInstallation, token: str, config: Mapping[str, Any]
) -> JiraSite:
    session = bearer_session(token, installation.api_base_url, config)
    return JiraSite(jira_cloud(session, installation.product_base_url))


def confluence_for_installation(
    installation: ForgeInstallation, token: str, config: Mapping[str, Any]
) -> Any:
    session = bearer_session(token, installation.api_base_url, config)
    return confluence_cloud(session, installation.product_base_url)


def _usable(
    session: Session, site_id: str, product: str, now: datetime
) -> tuple[ForgeInstallation, str] | None:
    installation = ForgeInstallationStore(session).for_site(site_id, product)
    if installation is None:
        return None
    token = installation.usable_token(now)
    if token is None:
        raise LookupError(
            f"site {site_id!r} is a Forge installation whose app token has expired; "
            "it is renewed by the next invocation (a trigger, a UI view)"
        )
    return installation, token


def jira_for_site(
    session: Session, site_id: str, config: Mapping[str, Any], now: datetime
) -> JiraSite | None:
    """The site's Jira as the app, via Forge; None when the site has no Forge Jira install."""
    found = _usable(session, site_id, "jira", now)
    return jira_for_installation(*found, config) if found else None


def confluence_for_site(
    session: Session, site_id: str, config: Mapping[str, Any], now: datetime
) -> Any | None:
    found = _usable(session, site_id, "confluence", now)
    return confluence_for_installation(*found, config) if found else None


def confluence_pages_for_site(
    session: Session, site_id: str, config: Mapping[str, Any], now: datetime
) -> ConfluenceSite | None:
    """The site's Confluence for writing pages via Forge; None without a Forge install of it."""
    found = _usable(session, site_id, "confluence", now)
    if found is None:
        return None
    installation, token = found
    client = confluence_for_installation(installation, token, config)
    return ConfluenceSite(client, installation.browse_base_url, forge_macro_for(installation))


def forge_macro_for(installation: ForgeInstallation) -> Any:
    """How a page embeds this app's Forge macro: an ADF `extension` of type
    `com.atlassian.ecosystem` whose key is `{appId}/{environmentId}/static/{macroKey}` and whose
    `extensionId` is that key's ARI; the macro's config travels in `guestParams` (what Forge's
    Confluence stores for a macro inserted by hand, per Atlassian's getMacroContent sample:
    developer.atlassian.com/platform/forge/apis-reference/confluence-api-bridge/getMacroContent)."""
    app = installation.app_id.rsplit("/", 1)[-1]
    environment = installation.environment_id or "production"

    def node(key: str, params: Mapping[str, str]) -> dict[str, Any]:
        extension_key = f"{app}/{environment}/static/{key}"
        return {
            "type": "extension",
            "attrs": {
                "extensionType": "com.atlassian.ecosystem",
                "extensionKey": extension_key,
                "layout": "default",
                "parameters": {
                    "localId": f"icm-{key}",
                    "extensionId": f"ari:cloud:ecosystem::extension/{extension_key}",
                    "extensionTitle": key.replace("-", " ").capitalize(),
                    "forgeEnvironment": installation.environment or "PRODUCTION",
                    "render": "native",
                    "guestParams": dict(params),
                },
            },
        }

    return node
