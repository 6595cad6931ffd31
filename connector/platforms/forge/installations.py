"""Forge installations of the app, keyed by `installationId` (it changes on reinstall).

A Forge site has no `installed` callback carrying a shared secret: every verified invocation token
describes its installation (cloudId, apiBaseUrl, environment), so each one upserts the row and
keeps the latest app system token for work done outside a request (the outbox worker, the
scheduler). `site_id` is the cloudId, the same organisation a Connect install of the site uses.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import String, column, select, table
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime
from connector.db.secrets import EncryptedText
from connector.domain.sites import site_id_for_url
from connector.platforms.forge.tokens import InvocationClaims, token_expiry

INSTALLED = "installed"
UNINSTALLED = "uninstalled"
# An app token whose expiry cannot be read is trusted for this long after it arrived.
FALLBACK_TOKEN_LIFETIME = timedelta(minutes=15)
# A token this close to its expiry is not handed out for new work.
TOKEN_MARGIN = timedelta(seconds=60)
# Forge sends no uninstall event; Atlassian's documented signal is that the scheduled trigger
# stops arriving. The hourly trigger missed this long in a row marks the installation
# uninstalled: it is no longer called, and its next invocation (a reinstall) marks it installed.
SILENCE_MEANS_UNINSTALLED = timedelta(hours=24)

_CONNECT_TENANTS = table("tenants", column("client_key"), column("installation_id"))


class ForgeInstallation(Base):
    __tablename__ = "forge_installations"

    installation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    app_id: Mapped[str] = mapped_column(String(255))
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    cloud_id: Mapped[str | None] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(32))
    api_base_url: Mapped[str] = mapped_column(String(512))
    site_url: Mapped[str | None] = mapped_column(String(512))
    environment: Mapped[str | None] = mapped_column(String(64))
    environment_id: Mapped[str | None] = mapped_column(String(64))  # a macro's extension key
    app_version: Mapped[str | None] = mapped_column(String(64))
    connect_client_key: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    system_token: Mapped[str | None] = mapped_column(EncryptedText())  # a Fernet token at rest
    system_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:  # never the token
        return f"<ForgeInstallation {self.installation_id} {self.product} {self.site_id}>"

    @property
    def product_base_url(self) -> str:
        """Where the product's REST API is, for this app: apiBaseUrl (+ /wiki for Confluence)."""
        return self.api_base_url + ("/wiki" if self.product == "confluence" else "")

    @property
    def browse_base_url(self) -> str:
        """The site as people open it (links); the API base when the site URL is unknown."""
        base = self.site_url or self.api_base_url
        return base + ("/wiki" if self.product == "confluence" else "")

    def usable_token(self, now: datetime) -> str | None:
        expires = self.system_token_expires_at
        if self.system_token is None or expires is None or expires - TOKEN_MARGIN <= now:
            return None
        return self.system_token


def product_of(claims: InvocationClaims) -> str:
    """The product ("jira", "confluence"), from apiBaseUrl `/ex/<product>/<cloudId>` or contexts."""
    segments = urlsplit(claims.api_base_url).path.strip("/").split("/")
    for product in ("jira", "confluence"):
        if product in segments:
            return product
    for context in claims.contexts:
        name = str(context.get("name") or "")
        for product in ("jira", "confluence"):
            if name.startswith(f"ari:cloud:{product}:"):
                return product
    module_type = claims.module_type or ""
    return "confluence" if module_type.startswith(("confluence", "xen:macro")) else "jira"


def site_id_of(claims: InvocationClaims) -> str:
    if claims.cloud_id:
        return claims.cloud_id
    return site_id_for_url(claims.site_url or claims.api_base_url)


class ForgeInstallationStore:
    """Forge installations on SQLAlchemy; the caller owns the transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, installation_id: str) -> ForgeInstallation | None:
        return self.session.get(ForgeInstallation, installation_id)

    def record_invocation(
        self, claims: InvocationClaims, system_token: str | None, now: datetime
    ) -> ForgeInstallation:
        """Upsert the installation a verified token describes; keep its newest app token."""
        row = self.get(claims.installation_id)
        twin = row.connect_client_key if row else self._connect_twin(claims.installation_id)
        if row is None:
            row = ForgeInstallation(installation_id=claims.installation_id, installed_at=now)
            self.session.add(row)
        row.app_id = claims.app_id
        row.site_id = site_id_of(claims)
        row.cloud_id = claims.cloud_id
        row.product = product_of(claims)
        row.api_base_url = claims.api_base_url
        row.site_url = (claims.site_url or "").rstrip("/") or row.site_url
        row.environment = str(claims.environment.get("type") or "") or None
        row.environment_id = str(claims.environment.get("id") or "") or row.environment_id
        row.app_version = claims.app_version or row.app_version
        row.connect_client_key = twin
        row.state = INSTALLED
        if system_token:
            row.system_token = system_token
            row.system_token_expires_at = token_expiry(system_token) or now + (
                FALLBACK_TOKEN_LIFETIME
            )
        row.updated_at = now
        self.session.flush()
        return row

    def _connect_twin(self, installation_id: str) -> str | None:
        """Connect-on-Forge: the Connect tenant whose `installed` payload named this install.

        Read by table name: the Forge adapter never imports the Connect one, and this one column
        is all it needs to tell a site that moved from Connect."""
        return self.session.scalars(
            select(_CONNECT_TENANTS.c.client_key).where(
                _CONNECT_TENANTS.c.installation_id == installation_id
            )
        ).first()

    def retire_silent(self, now: datetime) -> list[str]:
        """Mark uninstalled every installation Forge has not invoked for
        SILENCE_MEANS_UNINSTALLED; the installation ids so marked."""
        silent = list(
            self.session.scalars(
                select(ForgeInstallation).where(
                    ForgeInstallation.state == INSTALLED,
                    ForgeInstallation.updated_at < now - SILENCE_MEANS_UNINSTALLED,
                )
            )
        )
        for row in silent:
            row.state = UNINSTALLED
            row.system_token = None  # never presented again
            row.system_token_expires_at = None
        self.session.flush()
        return [row.installation_id for row in silent]

    def sites_with_usable_token(self, product: str, now: datetime) -> list[str]:
        """Sites whose installed `product` installation holds an app token still usable now."""
        rows = self.session.scalars(
            select(ForgeInstallation).where(
                ForgeInstallation.product == product, ForgeInstallation.state == INSTALLED
            )
        )
        return sorted({row.site_id for row in rows if row.usable_token(now) is not None})

    def for_site(self, site_id: str, product: str) -> ForgeInstallation | None:
        """The site's installed Forge installation of `product`, most recently seen first."""
        return self.session.scalars(
            select(ForgeInstallation)
            .where(
                ForgeInstallation.site_id == site_id,
                ForgeInstallation.product == product,
                ForgeInstallation.state == INSTALLED,
            )
            .order_by(ForgeInstallation.updated_at.desc())
        ).first()
