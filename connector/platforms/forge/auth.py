"""Authenticate a Forge Remote invocation: verify the FIT, record the installation, build a Caller.

`connector.platforms.caller` asks `caller_if_forge()` first: with Forge configured
(ICM_FORGE_APP_ID) and an `Authorization: Bearer` header, the request is a Forge invocation;
anything else goes down the Connect path unchanged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from cachetools import TTLCache
from flask import Flask, current_app, request

from connector.db import get_db, utcnow
from connector.domain.caller import Caller
from connector.domain.errors import AuthenticationFailed, Forbidden
from connector.platforms.forge.installations import (
    ForgeInstallation,
    ForgeInstallationStore,
    product_of,
    products_of,
    site_id_of,
)
from connector.platforms.forge.modules import UI_MODULES
from connector.platforms.forge.tokens import (
    ForgeKeys,
    InvocationClaims,
    bearer_token,
    token_expiry,
    verify_invocation_token,
)

# A header name, not a secret.
SYSTEM_TOKEN_HEADER = "x-forge-oauth-system"  # noqa: S105

# Recording an invocation is a write (the installation row, its newest app token, `updated_at`).
# A process writes it again only when the claims changed, when a minute has passed, or when the
# request brings an app token that outlives the stored one by more than TOKEN_MARGIN: a busy
# site's events then cost no write each. `updated_at` (what "silent for 24 h means uninstalled"
# reads) is at most RECORD_EVERY_SECONDS old, and the stored token is at most TOKEN_MARGIN short
# of the newest one.
RECORD_EVERY_SECONDS = 60.0
RECORDED_MAX = 10_000  # installations remembered per process (least recently used out first)
TOKEN_MARGIN = timedelta(minutes=15)


@dataclass(frozen=True)
class _Recorded:
    fingerprint: tuple[object, ...]
    installation: ForgeInstallation


class RecordedInvocations:
    """This process's last write of each installation (see RECORD_EVERY_SECONDS)."""

    def __init__(self, every_seconds: float = RECORD_EVERY_SECONDS) -> None:
        self.every_seconds = every_seconds
        self._lock = threading.Lock()
        # each write remembered `every_seconds` from when it was made (cachetools' TTLCache)
        self._seen: TTLCache[str, _Recorded] = TTLCache(
            maxsize=RECORDED_MAX, ttl=every_seconds, timer=time.monotonic
        )

    def fresh(self, claims: InvocationClaims, system_token: str | None) -> ForgeInstallation | None:
        """The installation as last written, when it need not be written again."""
        with self._lock:
            seen = self._seen.get(claims.installation_id)
        if seen is None or seen.fingerprint != _fingerprint(claims):
            return None
        stored = seen.installation.system_token_expires_at
        brought = token_expiry(system_token) if system_token else None
        if brought is not None and (stored is None or brought - stored > TOKEN_MARGIN):
            return None  # a token that lives longer (a scheduled trigger's 2 h): keep it
        return seen.installation

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def forget(self, installation_id: str) -> None:
        with self._lock:
            self._seen.pop(installation_id, None)

    def remember(self, claims: InvocationClaims, installation: ForgeInstallation) -> None:
        recorded = _Recorded(_fingerprint(claims), installation)
        with self._lock:
            self._seen[claims.installation_id] = recorded


def _fingerprint(claims: InvocationClaims) -> tuple[object, ...]:
    """What `record_invocation` writes from the claims."""
    return (
        claims.app_id,
        site_id_of(claims),
        claims.cloud_id,
        product_of(claims),
        products_of(claims),
        claims.api_base_url,
        claims.site_url,
        claims.environment.get("type"),
        claims.app_version,
    )


def recorded_invocations(app: Flask) -> RecordedInvocations:
    found: RecordedInvocations | None = app.extensions.get("icm.forge_recorded")
    if found is None:
        seconds = float(app.config["FORGE_RECORD_SECONDS"])
        found = app.extensions.setdefault("icm.forge_recorded", RecordedInvocations(seconds))
    return found


def forge_enabled(app: Flask) -> bool:
    return bool(app.config.get("FORGE_APP_ID"))


def forge_keys(app: Flask) -> ForgeKeys:
    keys: ForgeKeys | None = app.extensions.get("icm.forge_keys")
    if keys is None:
        keys = ForgeKeys(str(app.config["FORGE_JWKS_URL"]))
        app.extensions["icm.forge_keys"] = keys
    return keys


def authenticate_invocation(
    modules: Collection[str] | None = UI_MODULES,
    *,
    refused: Collection[str] = (),
    userless: bool = False,
) -> tuple[ForgeInstallation, InvocationClaims]:
    """Verify this request's FIT, from one of `modules` (by default the UI modules; None: any
    module, or none, that is not `refused`); `userless`: a token carrying a user is refused.
    AuthenticationFailed (401) names what was wrong, Forbidden (403) a caller not meant to call."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not forge_enabled(app):
        raise AuthenticationFailed("forge_disabled", "this service is not set up as a Forge remote")
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        raise AuthenticationFailed("token_missing", "no 'Authorization: Bearer <FIT>' header")
    claims = verify_invocation_token(token, forge_keys(app), app_id=str(app.config["FORGE_APP_ID"]))
    if userless and claims.account_id is not None:
        raise Forbidden(
            "this route acts for no user; the token carries one (principal)", code="user_token"
        )
    wrong = claims.module_key in refused if modules is None else claims.module_key not in modules
    if wrong:
        raise Forbidden(
            f"the Forge module {claims.module_key!r} may not call this route",
            code="wrong_module",
            details={"module": claims.module_key},
        )
    system_token = request.headers.get(SYSTEM_TOKEN_HEADER)
    now = utcnow()
    recorded = recorded_invocations(app)
    installation = recorded.fresh(claims, system_token)
    if installation is not None:
        return installation, claims
    # Its own short transaction: the installation (and its newest app token) is kept even when
    # the view that follows fails, and the view's session starts from it.
    with get_db(app).transaction() as session:
        installation = ForgeInstallationStore(session).record_invocation(claims, system_token, now)
    recorded.remember(claims, installation)
    return installation, claims


def caller_for(installation: ForgeInstallation, claims: InvocationClaims) -> Caller:
    product = product_of(claims)  # one installation may span both: this invocation's
    return Caller(
        site_id=installation.site_id,
        installation=installation.installation_id,
        product=product,
        base_url=installation.browse_url(product),
        account_id=claims.account_id,
        platform="forge",
    )


def caller_if_forge() -> Caller | None:
    """The Forge caller when this request carries a FIT (and Forge is on), else None."""
    if not forge_enabled(current_app._get_current_object()):  # type: ignore[attr-defined]
        return None
    if bearer_token(request.headers.get("Authorization")) is None:
        return None
    return caller_for(*authenticate_invocation())
