"""Authenticate a Forge Remote invocation: verify the FIT, record the installation, build a Caller.

`connector.platforms.caller` asks `caller_if_forge()` first: with Forge configured
(ICM_FORGE_APP_ID) and an `Authorization: Bearer` header, the request is a Forge invocation;
anything else goes down the Connect path unchanged.
"""

from __future__ import annotations

from collections.abc import Collection

from flask import Flask, current_app, request

from connector.db import get_db, utcnow
from connector.domain.caller import Caller
from connector.domain.errors import AuthenticationFailed, Forbidden
from connector.platforms.forge.installations import ForgeInstallation, ForgeInstallationStore
from connector.platforms.forge.modules import UI_MODULES
from connector.platforms.forge.tokens import (
    ForgeKeys,
    InvocationClaims,
    bearer_token,
    verify_invocation_token,
)

# A header name, not a secret.
SYSTEM_TOKEN_HEADER = "x-forge-oauth-system"  # noqa: S105


def forge_enabled(app: Flask) -> bool:
    return bool(app.config.get("FORGE_APP_ID"))


def forge_keys(app: Flask) -> ForgeKeys:
    keys: ForgeKeys | None = app.extensions.get("icm.forge_keys")
    if keys is None:
        keys = ForgeKeys(str(app.config["FORGE_JWKS_URL"]))
        app.extensions["icm.forge_keys"] = keys
    return keys


def authenticate_invocation(
    modules: Collection[str] = UI_MODULES,
) -> tuple[ForgeInstallation, InvocationClaims]:
    """Verify this request's FIT, from one of `modules` (by default the UI modules);
    AuthenticationFailed (401) names what was wrong, Forbidden (403) a module not meant to call."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not forge_enabled(app):
        raise AuthenticationFailed("forge_disabled", "this service is not set up as a Forge remote")
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        raise AuthenticationFailed("token_missing", "no 'Authorization: Bearer <FIT>' header")
    claims = verify_invocation_token(token, forge_keys(app), app_id=str(app.config["FORGE_APP_ID"]))
    if claims.module_key not in modules:
        raise Forbidden(
            f"the Forge module {claims.module_key!r} may not call this route",
            code="wrong_module",
            details={"module": claims.module_key},
        )
    # Its own short transaction: the installation (and its newest app token) is kept even when
    # the view that follows fails, and the view's session starts from it.
    with get_db(app).transaction() as session:
        installation = ForgeInstallationStore(session).record_invocation(
            claims, request.headers.get(SYSTEM_TOKEN_HEADER), utcnow()
        )
    return installation, claims


def caller_for(installation: ForgeInstallation, claims: InvocationClaims) -> Caller:
    return Caller(
        site_id=installation.site_id,
        installation=installation.installation_id,
        product=installation.product,
        base_url=installation.browse_base_url,
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
