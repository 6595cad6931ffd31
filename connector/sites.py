"""Reach a site's products: find its active Jira (or Confluence) installation, build a client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from connector.clients import confluence_cloud, jira_cloud, policy_from, signed_session
from connector.jira import JiraSite
from connector.tenants import SqlTenantStore, Tenant


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
    # Forge Remote adapter (connector/forge): a site with no active Connect Jira tenant is
    # reached through its Forge installation (apiBaseUrl + the stored app token), if it has one.
    tenant = SqlTenantStore(session).for_site(site_id, "jira")
    if tenant is None:
        from connector.db import utcnow
        from connector.forge import clients as forge_clients

        forge = forge_clients.jira_for_site(session, site_id, config, utcnow())
        if forge is not None:
            return forge
        tenant = active_tenant(session, site_id, "jira")  # raises: no installation at all
    return JiraSite(jira_cloud(_session_for(tenant, config), tenant.base_url))


def confluence_for_site(session: Session, site_id: str, config: Mapping[str, Any]) -> Any:
    tenant = active_tenant(session, site_id, "confluence")
    return confluence_cloud(_session_for(tenant, config), tenant.base_url)
