"""Tenants: one row per installation of the app in a Jira or Confluence site, keyed by clientKey.

A tenant belongs to a *site* (`site_id`): the Jira and Confluence installations of one Atlassian
site share one organisation of teams and expectations. The store is a narrow interface with one
SQL implementation, run through the same contract tests on SQLite and PostgreSQL.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, utcnow
from connector.db.secrets import EncryptedText, SecretUnreadable
from connector.domain.sites import site_id_for_url


class TenantState(enum.StrEnum):
    INSTALLED = "installed"
    ENABLED = "enabled"
    DISABLED = "disabled"
    UNINSTALLED = "uninstalled"


ACTIVE_STATES = (TenantState.INSTALLED, TenantState.ENABLED)
# On PostgreSQL every change of a tenant is announced here, delivered at its commit: the
# processes' tenant caches (`connector.platforms.connect.tenant_cache`) drop the tenant.
CHANNEL = "icm_tenants"


class Tenant(Base):
    __tablename__ = "tenants"

    client_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    product_type: Mapped[str] = mapped_column(String(32))
    app_key: Mapped[str] = mapped_column(String(80))
    base_url: Mapped[str] = mapped_column(String(512))
    display_url: Mapped[str | None] = mapped_column(String(512))
    shared_secret: Mapped[str] = mapped_column(EncryptedText())  # a Fernet token at rest
    state: Mapped[str] = mapped_column(String(16))
    cloud_id: Mapped[str | None] = mapped_column(String(64))
    installation_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(String(1024))
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:  # never the secret
        return f"<Tenant {self.client_key} {self.product_type} {self.base_url} {self.state}>"

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


@dataclass(frozen=True)
class Installation:
    """The fields of an `installed` payload the app keeps (the rest is not stored)."""

    client_key: str
    app_key: str
    shared_secret: str
    base_url: str
    product_type: str
    display_url: str | None = None
    cloud_id: str | None = None
    installation_id: str | None = None
    description: str | None = None

    @property
    def site_id(self) -> str:
        """Same cloudId, or lacking it the same host: one site, one organisation."""
        return self.cloud_id or site_id_for_url(self.base_url)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Installation:
        def text(name: str) -> str | None:
            value = payload.get(name)
            return value if isinstance(value, str) and value else None

        return cls(
            client_key=str(payload["clientKey"]),
            app_key=str(payload["key"]),
            shared_secret=str(payload["sharedSecret"]),
            base_url=str(payload["baseUrl"]).rstrip("/"),
            product_type=str(payload["productType"]),
            display_url=text("displayUrl"),
            cloud_id=text("cloudId"),
            installation_id=text("installationId"),
            description=text("description"),
        )


class SqlTenantStore:
    """The tenant store on SQLAlchemy; the caller owns the transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, client_key: str) -> Tenant | None:
        return self.session.get(Tenant, client_key)

    def save_installation(self, installation: Installation) -> Tenant:
        now = utcnow()
        try:
            tenant = self.get(installation.client_key)
        except SecretUnreadable:
            # Its key was lost (docs/personal-data.md, "Secrets at rest"): the install that
            # Atlassian signed brings a new secret, so the row is given it, and the reinstall
            # recovers the site.
            self.session.execute(
                update(Tenant)
                .where(Tenant.client_key == installation.client_key)
                .values(shared_secret=installation.shared_secret)
                .execution_options(synchronize_session=False)
            )
            tenant = self.session.get(Tenant, installation.client_key, populate_existing=True)
        if tenant is None:
            tenant = Tenant(client_key=installation.client_key, installed_at=now)
            self.session.add(tenant)
        tenant.site_id = installation.site_id
        tenant.product_type = installation.product_type
        tenant.app_key = installation.app_key
        tenant.base_url = installation.base_url
        tenant.display_url = installation.display_url
        tenant.shared_secret = installation.shared_secret
        tenant.cloud_id = installation.cloud_id
        tenant.installation_id = installation.installation_id
        tenant.description = installation.description
        tenant.state = TenantState.INSTALLED
        tenant.updated_at = now
        self.session.flush()
        self.announce_change(tenant.client_key)
        return tenant

    def set_state(self, client_key: str, state: TenantState) -> Tenant | None:
        tenant = self.get(client_key)
        if tenant is not None:
            tenant.state = state
            tenant.updated_at = utcnow()
            self.session.flush()
            self.announce_change(client_key)
        return tenant

    def announce_change(self, client_key: str) -> None:
        """NOTIFY every process of this change, at the commit of this transaction (PostgreSQL)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_notify(:channel, :key)"), {"channel": CHANNEL, "key": client_key}
            )

    def for_site(self, site_id: str, product_type: str) -> Tenant | None:
        return self.session.scalars(
            select(Tenant)
            .where(
                Tenant.site_id == site_id,
                Tenant.product_type == product_type,
                Tenant.state.in_(ACTIVE_STATES),
            )
            .order_by(Tenant.updated_at.desc())
        ).first()

    def active(self) -> Sequence[Tenant]:
        return self.session.scalars(
            select(Tenant).where(Tenant.state.in_(ACTIVE_STATES)).order_by(Tenant.client_key)
        ).all()
