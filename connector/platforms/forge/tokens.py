"""Forge Invocation Tokens (FIT): the one module that decodes them (as
connector/platforms/connect/tokens.py does for Connect; the ruff banned-API rule allows
`jwt.decode` in these two files only).

A FIT is RS256, signed by a key Forge publishes in a JWKS; `iss` is "forge/invocation-token",
`aud` the app's id (an ARI), and `iat`, `nbf`, `exp`, `jti` are all required. Keys are cached by
kid; an unknown kid refetches the set, at most once per `min_refetch_seconds`, so a flood of
tokens with made-up kids cannot turn into a flood of fetches.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests

from connector.domain.errors import AuthenticationFailed
from connector.platforms.token_failures import signing_key_id, token_failure

ISSUER = "forge/invocation-token"
LEEWAY_SECONDS = 30
_ALGORITHMS = ["RS256"]
_REQUIRED = ["iss", "aud", "iat", "nbf", "exp", "jti"]
_SITE_ARI = re.compile(r"^ari:cloud:[a-z-]+::site/([A-Za-z0-9-]+)$")
_GATEWAY = re.compile(r"/ex/[a-z-]+/([A-Za-z0-9-]+)/?$")

JwksFetch = Callable[[str], Mapping[str, Any]]


def fetch_jwks(url: str) -> Mapping[str, Any]:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError("the JWKS is not a JSON object")
    return data


class ForgeKeys:
    """Forge's signing keys by kid, fetched from the JWKS URL and cached."""

    def __init__(
        self,
        url: str,
        *,
        min_refetch_seconds: float = 60.0,
        fetch: JwksFetch = fetch_jwks,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.min_refetch_seconds = min_refetch_seconds
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and self._may_refetch():
                self._refresh()
            found = self._keys.get(kid)
        if found is None:
            raise AuthenticationFailed(
                "unknown_key", f"no Forge signing key with kid {kid!r} at {self.url}"
            )
        return found

    def _may_refetch(self) -> bool:
        last = self._fetched_at
        return last is None or self._clock() - last >= self.min_refetch_seconds

    def _refresh(self) -> None:
        self._fetched_at = self._clock()
        self.fetches += 1
        try:
            jwk_set = jwt.PyJWKSet.from_dict(dict(self._fetch(self.url)))
        except (requests.RequestException, ValueError, jwt.PyJWTError) as exc:
            # Keep the keys we had: a JWKS outage must not log everybody out.
            raise AuthenticationFailed(
                "keys_unavailable", f"Forge's signing keys could not be fetched: {exc}"
            ) from exc
        self._keys.update({k.key_id: k.key for k in jwk_set.keys if k.key_id})


@dataclass(frozen=True)
class InvocationClaims:
    """What a verified FIT says about the invocation."""

    app_id: str
    installation_id: str
    api_base_url: str
    cloud_id: str | None
    site_url: str | None
    account_id: str | None  # `principal`: the user of a UI invocation
    module_key: str | None
    module_type: str | None
    app_version: str | None
    environment: Mapping[str, Any]
    contexts: tuple[Mapping[str, Any], ...]
    context: Mapping[str, Any]
    jti: str
    expires_at: int
    raw: Mapping[str, Any] = field(repr=False)


def bearer_token(authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer <token>`, or None for any other header."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    if not value.strip():
        raise AuthenticationFailed("token_malformed", "the Authorization header has no token")
    return value.strip()


def verify_invocation_token(token: str, keys: ForgeKeys, *, app_id: str) -> InvocationClaims:
    """Verify a Forge Invocation Token for this app; AuthenticationFailed says what was wrong."""
    key = keys.key(_kid(token))
    claims = _decode(token, key, app_id)
    return _invocation(claims, app_id)


def _kid(token: str) -> str:
    return signing_key_id(
        token,
        what="the invocation token",
        algorithms=_ALGORITHMS,
        signed_as="Forge invocation tokens are RS256",
    )


def _decode(token: str, key: Any, app_id: str) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            key,
            algorithms=_ALGORITHMS,
            audience=app_id,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": _REQUIRED},
        )
    except jwt.InvalidTokenError as exc:
        raise token_failure(
            exc,
            what="the invocation token",
            audience=f"this app's id {app_id!r}",
            issuer=repr(ISSUER),
            algorithms=_ALGORITHMS,
        ) from exc


def _text(mapping: Mapping[str, Any], name: str) -> str | None:
    value = mapping.get(name)
    return value if isinstance(value, str) and value else None


def _mapping(mapping: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = mapping.get(name)
    return value if isinstance(value, Mapping) else {}


def _invocation(claims: Mapping[str, Any], app_id: str) -> InvocationClaims:
    app = _mapping(claims, "app")
    installation = _mapping(app, "installation")
    installation_id = _text(app, "installationId") or _text(installation, "id")
    api_base_url = _text(app, "apiBaseUrl")
    if installation_id is None or api_base_url is None:
        raise AuthenticationFailed(
            "token_malformed", "the invocation token lacks app.installationId or app.apiBaseUrl"
        )
    if _text(app, "id") not in (None, app_id):
        raise AuthenticationFailed("bad_audience", "the token's app.id is not this app")
    context = _mapping(claims, "context")
    contexts = tuple(c for c in installation.get("contexts") or () if isinstance(c, Mapping))
    principal = claims.get("principal")
    module = _mapping(app, "module")
    return InvocationClaims(
        app_id=app_id,
        installation_id=installation_id,
        api_base_url=api_base_url.rstrip("/"),
        cloud_id=_text(context, "cloudId") or _installation_cloud_id(contexts, api_base_url),
        site_url=_text(context, "siteUrl"),
        account_id=principal if isinstance(principal, str) and principal else None,
        module_key=_text(module, "key") or _text(context, "moduleKey"),
        module_type=_text(module, "type"),
        app_version=_text(app, "appVersion") or _text(app, "version"),
        environment=_mapping(app, "environment"),
        contexts=contexts,
        context=context,
        jti=str(claims["jti"]),
        expires_at=int(claims["exp"]),
        raw=claims,
    )


def _installation_cloud_id(
    contexts: tuple[Mapping[str, Any], ...], api_base_url: str
) -> str | None:
    """The site's cloudId when the token has no `context` (a backend function's invokeRemote
    carries none: runtime-reference/invoke-remote-api): from the installation's contexts (a
    `cloudId`, or the ARI `ari:cloud:<product>::site/<cloudId>` in `name`), else from apiBaseUrl
    (`.../ex/<product>/<cloudId>`)."""
    for found in contexts:
        if isinstance(found.get("cloudId"), str) and found["cloudId"]:
            return str(found["cloudId"])
        site = _SITE_ARI.match(str(found.get("name") or ""))
        if site:
            return site.group(1)
    gateway = _GATEWAY.search(urlsplit(api_base_url).path)
    return gateway.group(1) if gateway else None


def token_expiry(app_token: str) -> datetime | None:
    """When an `x-forge-oauth-*` token expires, if it is a JWT carrying `exp`.

    Atlassian calls these tokens opaque; reading `exp` unverified only decides how long we reuse
    the token ourselves (Atlassian verifies it on every call), never whether to trust a caller.
    """
    try:
        claims = jwt.decode(app_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None
