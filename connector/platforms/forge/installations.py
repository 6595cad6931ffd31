"""Forge installations of the app, keyed by `installationId` (an ARI; it changes on reinstall).

A Forge site has no `installed` callback carrying a shared secret: every verified invocation token
describes its installation (cloudId, apiBaseUrl, environment, the Atlassian apps it spans), so
each one upserts the row and keeps the latest app system token for work done outside a request
(the outbox worker, the scheduler). `site_id` is the cloudId, the same organisation a Connect
install of the site uses. With `app.compatibility` one installation spans the site's Jira and
Confluence (platform/forge/app-compatibility): `products` lists the apps its tokens' contexts
name, and each product's API is reached under the same gateway, `/ex/<product>/<cloudId>`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import String, column, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime
from connector.db.secrets import EncryptedText
from connector.domain.errors import Forbidden
from connector.domain.sites import site_id_for_url
from connector.platforms.forge.tokens import InvocationClaims, token_expiry

INSTALLED = "installed"
UNINSTALLED = "uninstalled"
PRODUCTS = ("jira", "confluence")
# Who said the installation is gone: Forge's preUninstall (final: a reinstall is a new
# installationId), or the silence fallback below (undone by the next invocation).
BY_PRE_UNINSTALL = "preUninstall"
BY_SILENCE = "silence"
# An app token whose expiry cannot be read is trusted for this long after it arrived.
FALLBACK_TOKEN_LIFETIME = timedelta(minutes=15)
# A token this close to its expiry is not handed out for new work.
TOKEN_MARGIN = timedelta(seconds=60)
# The fallback where the documentation leaves a gap: a preUninstall invocation is not blocking
# ("if the invocation fails, the uninstallation process will still continue") and no retry is
# documented, so one lost call would leave the site installed for ever. The hourly trigger missed
# this long in a row also marks the installation uninstalled; its next invocation undoes that.
SILENCE_MEANS_UNINSTALLED = timedelta(hours=24)
_GATEWAY = re.compile(r"^(?P<root>.*/ex/)(?P<product>[a-z-]+)(?P<rest>/[A-Za-z0-9-]+)$")

_CONNECT_TENANTS = table("tenants", column("client_key"), column("installation_id"))


class ForgeInstallation(Base):
    __tablename__ = "forge_installations"

    installation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    app_id: Mapped[str] = mapped_column(String(255))
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    cloud_id: Mapped[str | None] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(32))  # the product of the last apiBaseUrl
    # Every product it spans, comma-separated; at first the product of its first invocation.
    products: Mapped[str] = mapped_column(
        String(64), default=lambda context: context.get_current_parameters()["product"]
    )
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
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    uninstalled_by: Mapped[str | None] = mapped_column(String(16))

    def __repr__(self) -> str:  # never the token
        return f"<ForgeInstallation {self.installation_id} {self.products} {self.site_id}>"

    @property
    def spans(self) -> tuple[str, ...]:
        return tuple(p for p in self.products.split(",") if p)

    def api_base_for(self, product: str) -> str:
        """Where `product`'s REST API is for this app: the gateway's `/ex/<product>/<cloudId>`
        (apiBaseUrl names the product of the invocation; the other one sits beside it), plus
        `/wiki` for Confluence's paths."""
        found = _GATEWAY.match(self.api_base_url)
        base = f"{found['root']}{product}{found['rest']}" if found else self.api_base_url
        return base + ("/wiki" if product == "confluence" else "")

    @property
    def product_base_url(self) -> str:
        """The REST API of the product the last invocation came from."""
        return self.api_base_for(self.product)

    def browse_url(self, product: str = "jira") -> str:
        """The site as people open it (links); the API base when the site URL is unknown."""
        base = self.site_url or self.api_base_url
        return base + ("/wiki" if product == "confluence" else "")

    @property
    def browse_base_url(self) -> str:
        return self.browse_url(self.product)

    def usable_token(self, now: datetime) -> str | None:
        expires = self.system_token_expires_at
        if self.system_token is None or expires is None or expires - TOKEN_MARGIN <= now:
            return None
        return self.system_token


def product_of(claims: InvocationClaims) -> str:
    """The product of this invocation ("jira", "confluence"): apiBaseUrl `/ex/<product>/<id>`,
    else the first of the installation's contexts, else the module's type."""
    segments = urlsplit(claims.api_base_url).path.strip("/").split("/")
    for product in PRODUCTS:
        if product in segments:
            return product
    spanned = products_of(claims)
    if spanned:
        return spanned[0]
    module_type = claims.module_type or ""
    return "confluence" if module_type.startswith(("confluence", "xen:macro")) else "jira"


def products_of(claims: InvocationClaims) -> tuple[str, ...]:
    """The Atlassian apps the installation spans: each of `app.installation.contexts` is an ARI
    `ari:cloud:<product>::site/<cloudId>` (platform/forge/function-reference/arguments:
    `installation.contexts`), plus the product apiBaseUrl points at."""
    found = []
    for context in claims.contexts:
        name = str(context.get("name") or context.get("ari") or "")
        for product in PRODUCTS:
            if name.startswith(f"ari:cloud:{product}:") and product not in found:
                found.append(product)
    segments = urlsplit(claims.api_base_url).path.strip("/").split("/")
    found += [p for p in PRODUCTS if p in segments and p not in found]
    return tuple(found)


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
        if row is not None and row.uninstalled_by == BY_PRE_UNINSTALL:
            # Forge said it is gone; a reinstall is a new installationId.
            raise Forbidden(
                "this Forge installation was uninstalled", code="installation_uninstalled"
            )
        twin = row.connect_client_key if row else self._connect_twin(claims.installation_id)
        if row is None:
            row = self._first(claims, now)
        row.app_id = claims.app_id
        row.site_id = site_id_of(claims)
        row.cloud_id = claims.cloud_id
        row.product = product_of(claims)
        spans = [*row.spans, *(p for p in products_of(claims) if p not in row.spans)]
        row.products = ",".join(sorted(spans or [row.product]))
        row.api_base_url = claims.api_base_url
        row.site_url = (claims.site_url or "").rstrip("/") or row.site_url
        row.environment = str(claims.environment.get("type") or "") or None
        row.environment_id = str(claims.environment.get("id") or "") or row.environment_id
        row.app_version = claims.app_version or row.app_version
        row.connect_client_key = twin
        row.state = INSTALLED
        row.uninstalled_at = row.uninstalled_by = None
        if system_token:
            row.system_token = system_token
            row.system_token_expires_at = token_expiry(system_token) or now + (
                FALLBACK_TOKEN_LIFETIME
            )
        row.updated_at = now
        self.session.flush()
        return row

    def _first(self, claims: InvocationClaims, now: datetime) -> ForgeInstallation:
        """The row of an installation's first invocation. A view's parallel first calls all get
        here: the one whose insert loses (unique installation id) takes the winner's row."""
        try:
            with self.session.begin_nested():
                row = ForgeInstallation(
                    installation_id=claims.installation_id,
                    installed_at=now,
                    products="",
                    app_id=claims.app_id,
                    site_id=site_id_of(claims),
                    product=product_of(claims),
                    api_base_url=claims.api_base_url,
                    state=INSTALLED,
                    updated_at=now,
                )
                self.session.add(row)
                self.session.flush()
            return row
        except IntegrityError:
            won = self.get(claims.installation_id)
            if won is None:
                raise
            return won

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
            _retire(row, BY_SILENCE, row.updated_at)  # the purge clock: since it last spoke
        self.session.flush()
        return [row.installation_id for row in silent]

    def uninstall(self, installation_id: str, now: datetime) -> ForgeInstallation | None:
        """Forge's preUninstall: the installation is gone from now on (the purge clock starts)."""
        row = self.get(installation_id)
        if row is None:
            return None
        _retire(row, BY_PRE_UNINSTALL, now)
        row.updated_at = now
        self.session.flush()
        return row

    def sites_with_usable_token(self, product: str, now: datetime) -> list[str]:
        """Sites whose installed installation spanning `product` holds an app token usable now."""
        rows = self.session.scalars(
            select(ForgeInstallation).where(
                ForgeInstallation.products.contains(product),
                ForgeInstallation.state == INSTALLED,
            )
        )
        return sorted({row.site_id for row in rows if row.usable_token(now) is not None})

    def for_site(self, site_id: str, product: str) -> ForgeInstallation | None:
        """The site's installed Forge installation spanning `product`, most recently seen first."""
        return self.session.scalars(
            select(ForgeInstallation)
            .where(
                ForgeInstallation.site_id == site_id,
                ForgeInstallation.products.contains(product),
                ForgeInstallation.state == INSTALLED,
            )
            .order_by(ForgeInstallation.updated_at.desc())
        ).first()


def _retire(row: ForgeInstallation, by: str, at: datetime) -> None:
    row.state = UNINSTALLED
    row.uninstalled_by = by
    row.uninstalled_at = at
    row.system_token = None  # never presented again
    row.system_token_expires_at = None
