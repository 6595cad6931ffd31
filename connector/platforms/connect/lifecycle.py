"""The Connect lifecycle: installed, uninstalled (RS256, signed by Atlassian), enabled, disabled.

Nothing is written unless the callback verifies: a forged or unsigned `installed` never changes a
row, whatever clientKey it names.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request

from connector.db import request_session
from connector.domain.errors import AuthenticationFailed, BadRequest, Forbidden
from connector.platforms.connect import tokens
from connector.platforms.connect.auth import authenticate, expected_query_hashes, tenant_cache
from connector.platforms.connect.install_keys import InstallKeys
from connector.platforms.connect.tenants import Installation, SqlTenantStore, TenantState
from connector.practice.outbox import queue_link_type

log = logging.getLogger(__name__)
bp = Blueprint("lifecycle", __name__)

REQUIRED_INSTALL_FIELDS = ("key", "clientKey", "sharedSecret", "baseUrl", "productType")


def lifecycle_payload(event: str) -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadRequest(f"the {event} callback body must be a JSON object")
    if payload.get("eventType") not in (None, event):
        raise BadRequest(f"eventType {payload.get('eventType')!r} sent to the {event} callback")
    client_key = payload.get("clientKey")
    if not isinstance(client_key, str) or not client_key:
        raise BadRequest(f"the {event} callback body has no clientKey")
    return payload


def verify_signed_lifecycle(payload: Mapping[str, Any]) -> tokens.TokenClaims:
    """Atlassian's signed-install check: RS256, key by kid, our base URL as aud, iss = clientKey."""
    token = tokens.extract_token(request.headers.get("Authorization"), request.args.get("jwt"))
    kid = tokens.install_token_kid(token)
    keys: InstallKeys = current_app.extensions["icm.install_keys"]
    base_url = current_app.config["BASE_URL"].rstrip("/")
    claims = tokens.verify_install_token(
        token,
        keys.public_key(kid),
        audiences=[base_url, base_url + "/"],
        expected_qsh=expected_query_hashes()[0],
    )
    if claims.issuer != payload["clientKey"]:
        raise AuthenticationFailed(
            "client_key_mismatch", "the token's issuer does not match the body's clientKey"
        )
    return claims


def check_install_payload(payload: Mapping[str, Any]) -> None:
    missing = [name for name in REQUIRED_INSTALL_FIELDS if not payload.get(name)]
    if missing:
        raise BadRequest(
            f"the installed payload lacks {', '.join(missing)}", details={"missing": missing}
        )
    app_key = current_app.config["APP_KEY"]
    if payload["key"] != app_key:
        raise BadRequest(f"the payload is for app {payload['key']!r}, this is {app_key!r}")
    if payload["productType"] not in ("jira", "confluence"):
        raise BadRequest(f"productType {payload['productType']!r} is not jira or confluence")
    host = urlsplit(str(payload["baseUrl"])).hostname or ""
    patterns = [p.strip() for p in current_app.config["ALLOWED_PRODUCT_HOSTS"].split(",")]
    if not any(fnmatch.fnmatch(host, p) for p in patterns if p):
        raise Forbidden(f"installs from {host!r} are not allowed (ICM_ALLOWED_PRODUCT_HOSTS)")


@bp.post("/installed")
def installed() -> Response:
    payload = lifecycle_payload("installed")
    check_install_payload(payload)
    verify_signed_lifecycle(payload)
    installation = Installation.from_payload(payload)
    session = request_session()
    tenant = SqlTenantStore(session).save_installation(installation)
    # In the same transaction: a new Jira site gets the `Internal customer` link type.
    queue_link_type(session, tenant.site_id, tenant.product_type)
    session.commit()
    tenant_cache().forget(tenant.client_key)  # other processes: the store's NOTIFY
    log.info(
        "installed",
        extra={
            "client_key": tenant.client_key,
            "product": tenant.product_type,
            "site": tenant.site_id,
        },
    )
    return Response(status=204)


@bp.post("/uninstalled")
def uninstalled() -> Response:
    payload = lifecycle_payload("uninstalled")
    verify_signed_lifecycle(payload)
    session = request_session()
    tenant = SqlTenantStore(session).set_state(payload["clientKey"], TenantState.UNINSTALLED)
    session.commit()
    tenant_cache().forget(str(payload["clientKey"]))
    log.info("uninstalled", extra={"client_key": payload["clientKey"], "known": tenant is not None})
    return Response(status=204)


TOGGLE_STATES = (TenantState.INSTALLED, TenantState.ENABLED, TenantState.DISABLED)


def _toggle(event: str, state: TenantState) -> Response:
    payload = lifecycle_payload(event)
    tenant, _claims = authenticate(context_qsh=False, states=TOGGLE_STATES)
    if tenant.client_key != payload["clientKey"]:
        raise AuthenticationFailed(
            "client_key_mismatch", "the token's issuer does not match the body's clientKey"
        )
    session = request_session()
    SqlTenantStore(session).set_state(tenant.client_key, state)
    session.commit()
    tenant_cache().forget(tenant.client_key)
    log.info(event, extra={"client_key": tenant.client_key})
    return Response(status=204)


@bp.post("/enabled")
def enabled() -> Response:
    return _toggle("enabled", TenantState.ENABLED)


@bp.post("/disabled")
def disabled() -> Response:
    return _toggle("disabled", TenantState.DISABLED)
