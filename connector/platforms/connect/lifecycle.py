"""The Connect lifecycle: installed, uninstalled (RS256, signed by Atlassian), enabled, disabled.

Nothing is written unless the callback verifies: a forged or unsigned `installed` never changes a
row, whatever clientKey it names.
"""

from __future__ import annotations

import logging
import re
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
    """The body, read only once its token has been verified (`verified_install_token`)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadRequest(f"the {event} callback body must be a JSON object")
    if payload.get("eventType") not in (None, event):
        raise BadRequest(f"eventType {payload.get('eventType')!r} sent to the {event} callback")
    client_key = payload.get("clientKey")
    if not isinstance(client_key, str) or not client_key:
        raise BadRequest(f"the {event} callback body has no clientKey")
    return payload


def verified_install_token() -> tokens.TokenClaims:
    """Atlassian's signed-install check (RS256, key by kid, our base URL as aud), made from the
    Authorization header alone: nothing of the body is read before it passes."""
    token = tokens.extract_token(request.headers.get("Authorization"), None)
    kid = tokens.install_token_kid(token)
    keys: InstallKeys = current_app.extensions["icm.install_keys"]
    base_url = current_app.config["BASE_URL"]  # create_app drops its trailing slash
    return tokens.verify_install_token(
        token,
        keys.public_key(kid),
        audiences=[base_url, base_url + "/"],
        expected_qsh=expected_query_hashes()[0],
    )


def check_issuer(claims: tokens.TokenClaims, payload: Mapping[str, Any]) -> tokens.TokenClaims:
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
    patterns = [p.strip() for p in current_app.config["ALLOWED_PRODUCT_HOSTS"].split(",")]
    for name in ("baseUrl", "displayUrl"):
        if name in payload:
            refusal = product_url_refusal(str(payload[name]), [p for p in patterns if p])
            if refusal:
                raise Forbidden(f"{name}: {refusal} (ICM_ALLOWED_PRODUCT_HOSTS)")


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SUSPECT = re.compile(r"[\\@\s]|%2f|%5c|%40", re.IGNORECASE)


def product_url_refusal(url: str, patterns: list[str]) -> str | None:
    """Why a product base URL is not one we install into, or None. https, a host matching one of
    `patterns` exactly (`*` is one DNS label), no user-info, port, backslash or escaped slash;
    plain http and a port only for the loopback hosts named in the patterns (demo, tests)."""
    if _SUSPECT.search(url):
        return f"{url!r} holds a backslash, an @, a space or an escaped slash"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"{url!r} is not a URL"
    host = parts.hostname or ""  # user-info needs an @, refused above
    if host in LOOPBACK and host in patterns:
        return None if parts.scheme in ("http", "https") else f"{url!r} is not http(s)"
    if parts.scheme != "https":
        return f"{url!r} is not https"
    if port is not None:
        return f"{url!r} names a port"
    if parts.netloc.lower() != host:  # DNS names are case-insensitive
        return f"{url!r} has an unexpected host part"
    if not any(_host_matches(host, pattern) for pattern in patterns):
        return f"installs from {host!r} are not allowed"
    return None


def _host_matches(host: str, pattern: str) -> bool:
    labels, wanted = host.split("."), pattern.lower().split(".")
    if len(labels) != len(wanted):
        return False
    return all(
        _LABEL.fullmatch(label) is not None and (want == "*" or want == label)
        for label, want in zip(labels, wanted, strict=True)
    )


@bp.post("/installed")
def installed() -> Response:
    claims = verified_install_token()
    payload = lifecycle_payload("installed")
    check_install_payload(payload)
    check_issuer(claims, payload)
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
    claims = verified_install_token()
    payload = lifecycle_payload("uninstalled")
    check_issuer(claims, payload)
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
