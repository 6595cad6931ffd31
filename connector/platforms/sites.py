"""A site's installations on either platform: the one place that knows both installation stores.

Which sites have Jira, how to reach a site's Jira or Confluence (its Connect installation, or on
a Forge-only site its Forge installation), and where its Jira lives for links.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.db import utcnow
from connector.jira.confluence import ConfluenceSite, use_confluence_clients
from connector.jira.http import confluence_cloud, jira_cloud, policy_from
from connector.jira.port import use_site_clients
from connector.jira.site import JiraSite
from connector.platforms.connect.clients import signed_session
from connector.platforms.connect.tenants import ACTIVE_STATES, SqlTenantStore, Tenant
from connector.platforms.forge import clients as forge_clients
from connector.platforms.forge.installations import (
    INSTALLED,
    ForgeInstallation,
    ForgeInstallationStore,
)
from macros.links import use_jira_base_url


def active_tenant(session: Session, site_id: str, product: str) -> Tenant:
    tenant = SqlTenantStore(session).for_site(site_id, product)
    if tenant is None:
        raise LookupError(f"site {site_id!r} has no active {product} installation")
    return tenant


def _session_for(tenant: Tenant, config: Mapping[str, Any]) -> Any:
    return signed_session(
        app_key=tenant.app_key,
        shared_secret=tenant.shared_secret,
        product_base_url=tenant.base_url,
        policy=policy_from(config),
        timeout=float(config.get("HTTP_TIMEOUT_SECONDS", 30.0)),
    )


def jira_for_site(session: Session, site_id: str, config: Mapping[str, Any]) -> JiraSite:
    """The site's Jira: its Connect tenant, or else its Forge installation (apiBaseUrl + token)."""
    tenant = SqlTenantStore(session).for_site(site_id, "jira")
    if tenant is None:
        forge = forge_clients.jira_for_site(session, site_id, config, utcnow())
        if forge is not None:
            return forge
        tenant = active_tenant(session, site_id, "jira")  # raises: no installation at all
    return JiraSite(jira_cloud(_session_for(tenant, config), tenant.base_url))


def confluence_for_site(
    session: Session, site_id: str, config: Mapping[str, Any]
) -> ConfluenceSite:
    """The site's Confluence: its Connect tenant, or else its Forge installation."""
    tenant = SqlTenantStore(session).for_site(site_id, "confluence")
    if tenant is None:
        forge = forge_clients.confluence_pages_for_site(session, site_id, config, utcnow())
        if forge is not None:
            return forge
        tenant = active_tenant(session, site_id, "confluence")  # raises: no installation at all
    client = confluence_cloud(_session_for(tenant, config), tenant.base_url)
    return ConfluenceSite(client, tenant.base_url, connect_macro)


def connect_macro(key: str, params: Mapping[str, str]) -> dict[str, Any]:
    """A Connect dynamic content macro as an ADF extension node (the storage format's
    `ac:structured-macro ac:name=key`)."""
    return {
        "type": "extension",
        "attrs": {
            "extensionType": "com.atlassian.confluence.macro.core",
            "extensionKey": key,
            "parameters": {"macroParams": {k: {"value": v} for k, v in params.items()}},
            "layout": "default",
        },
    }


def jira_sites(session: Session) -> list[str]:
    """The scheduler's sites: an active Connect Jira installation, or a Forge Jira installation
    holding a usable app token (the hourly scheduled trigger keeps one fresh; Forge installations
    silent for a day are marked uninstalled first and left out)."""
    now = utcnow()
    forge = ForgeInstallationStore(session)
    forge.retire_silent(now)
    rows = session.scalars(
        select(Tenant.site_id)
        .where(Tenant.product_type == "jira", Tenant.state.in_(ACTIVE_STATES))
        .distinct()
    )
    return sorted(set(rows) | set(forge.sites_with_usable_token("jira", now)))


def jira_base_url(session: Session, site_id: str) -> str | None:
    """The site's Jira as people open it: the active Connect tenant, else the Forge installation."""
    tenant = SqlTenantStore(session).for_site(site_id, "jira")
    if tenant is not None:
        return tenant.base_url.rstrip("/")
    installation = ForgeInstallationStore(session).for_site(site_id, "jira")
    if installation is not None:
        return installation.browse_base_url.rstrip("/")
    return None


def site_of_installation(session: Session, installation: str) -> str | None:
    """The site of a Connect clientKey or of an installed Forge installationId."""
    tenant = SqlTenantStore(session).get(installation)
    if tenant is not None:
        return tenant.site_id
    forge = ForgeInstallationStore(session).get(installation)
    if forge is not None and forge.state == INSTALLED:
        return forge.site_id
    return None


def site_installations(session: Session, site_id: str, now: datetime) -> list[dict[str, Any]]:
    """The app's installations on this site, on both platforms, for the operations view."""
    found: list[dict[str, Any]] = [
        {
            "platform": "connect",
            "product": tenant.product_type,
            "state": tenant.state,
            "baseUrl": tenant.base_url,
            "installedAt": tenant.installed_at.isoformat(),
            "token": None,
        }
        for tenant in session.scalars(
            select(Tenant).where(Tenant.site_id == site_id).order_by(Tenant.product_type)
        )
    ]
    for forge in session.scalars(
        select(ForgeInstallation)
        .where(ForgeInstallation.site_id == site_id)
        .order_by(ForgeInstallation.product)
    ):
        expires = forge.system_token_expires_at
        found.append(
            {
                "platform": "forge",
                "product": forge.product,
                "state": forge.state,
                "baseUrl": forge.site_url or forge.api_base_url,
                "installedAt": forge.installed_at.isoformat(),
                "token": {
                    "expiresAt": expires.isoformat() if expires else None,
                    "fresh": bool(forge.system_token and expires and expires > now),
                },
            }
        )
    return found


def init_app(app: Flask) -> None:
    use_site_clients(app, lambda session, site_id: jira_for_site(session, site_id, app.config))
    use_jira_base_url(app, jira_base_url)
    use_confluence_clients(
        app, lambda session, site_id: confluence_for_site(session, site_id, app.config)
    )
