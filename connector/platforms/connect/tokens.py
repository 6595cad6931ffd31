"""Atlassian Connect JWTs: the one module that encodes or decodes a token (a ruff rule keeps it so).

Algorithms are pinned per token kind, the query string hash (qsh) is computed from the raw request
target, and every failure is an `AuthenticationFailed` naming what was wrong.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import jwt

from connector.domain.errors import AuthenticationFailed
from connector.platforms.token_failures import signing_key_id, token_failure

CONTEXT_QSH = "context-qsh"
LEEWAY_SECONDS = 30
OUTGOING_TTL_SECONDS = 180
_SYMMETRIC = ["HS256"]
_INSTALL = ["RS256"]


def canonical_request(
    method: str,
    target: str,
    base_path: str = "",
    body_params: Iterable[tuple[str, str]] | None = None,
) -> str:
    """The canonical request `METHOD&path&query` that a qsh hashes.

    `target` is the request target as sent (`/path?query`, or an absolute URL); `base_path` is the
    context path to drop (the app's base URL path for incoming calls, `/wiki` for Confluence).
    `body_params` stands in for an empty query, as Atlassian's frameworks do for form POSTs.
    """
    parts = urlsplit(target)
    path = parts.path
    base = base_path.rstrip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :]
    if len(path) > 1:
        path = path.rstrip("/")
    path = (path or "/").replace("&", "%26")
    if not path.startswith("/"):
        path = "/" + path
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not pairs and body_params is not None:
        pairs = list(body_params)
    return f"{method.upper()}&{path}&{canonical_query(pairs)}"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sorted, RFC 3986-encoded parameters; repeated names joined with `,`; `jwt` left out."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        if name != "jwt":
            grouped.setdefault(_encode(name), []).append(value)
    return "&".join(
        f"{name}={','.join(_encode(v) for v in sorted(values))}"
        for name, values in sorted(grouped.items())
    )


def _encode(text: str) -> str:
    # With safe="" quote() keeps just RFC 3986 unreserved: space -> %20, "*" -> %2A, "~" kept.
    return quote(text, safe="")


def query_hash(method: str, target: str, base_path: str = "", **kwargs: Any) -> str:
    return hashlib.sha256(
        canonical_request(method, target, base_path, **kwargs).encode("utf-8")
    ).hexdigest()


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says about its caller."""

    issuer: str
    subject: str | None
    qsh: str
    context: Mapping[str, Any]
    raw: Mapping[str, Any]

    @property
    def is_context_token(self) -> bool:
        return self.qsh == CONTEXT_QSH


def extract_token(authorization: str | None, query_token: str | None) -> str:
    """The token from `Authorization: JWT <t>` or `?jwt=`; both at once is refused, as in ACE."""
    header_token = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.upper() != "JWT" or not value.strip():
            raise AuthenticationFailed(
                "token_malformed",
                f"Authorization header must be 'JWT <token>', got scheme {scheme!r}",
            )
        header_token = value.strip()
    if header_token and query_token and header_token != query_token:
        raise AuthenticationFailed(
            "token_malformed", "a token came in both the header and the query"
        )
    token = header_token or query_token
    if not token:
        raise AuthenticationFailed("token_missing", "no JWT in the Authorization header or ?jwt=")
    return token


def unverified_issuer(token: str) -> str:
    """The `iss` claim before verification: only to find whose secret verifies the token.

    The payload segment is read once here, without PyJWT's decode machinery (a sixth of the cost;
    bench/README.md); `verify_tenant_token` then verifies signature and claims with PyJWT."""
    segments = token.split(".")
    if len(segments) != 3:
        raise AuthenticationFailed("token_malformed", "not a JWT: it is not three segments")
    try:
        claims = json.loads(base64.urlsafe_b64decode(segments[1] + "=" * (-len(segments[1]) % 4)))
    except (ValueError, RecursionError) as exc:  # binascii.Error and JSON errors are ValueErrors
        raise AuthenticationFailed("token_malformed", f"not a JWT: {exc}") from exc
    if not isinstance(claims, dict):
        raise AuthenticationFailed("token_malformed", "not a JWT: the payload is no JSON object")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise AuthenticationFailed("token_malformed", "the token has no 'iss' claim")
    return issuer


def verify_tenant_token(
    token: str,
    shared_secret: str,
    *,
    client_key: str,
    expected_qsh: str | Iterable[str],
    allow_context_qsh: bool,
) -> TokenClaims:
    """Verify an HS256 token from a product (iframe, webhook, REST caller) for one tenant."""
    claims = _decode(token, shared_secret, _SYMMETRIC, audience=None)
    audience = claims.get("aud")
    if audience is not None:
        allowed = audience if isinstance(audience, list) else [audience]
        if client_key not in allowed:
            raise AuthenticationFailed(
                "bad_audience", "the token's 'aud' does not name this tenant"
            )
    qsh = claims["qsh"]
    if qsh == CONTEXT_QSH:
        if not allow_context_qsh:
            raise AuthenticationFailed(
                "wrong_token_kind",
                "a context token (qsh 'context-qsh') is not accepted here; sign the request itself",
            )
    else:
        expected = {expected_qsh} if isinstance(expected_qsh, str) else set(expected_qsh)
        if qsh not in expected:
            raise AuthenticationFailed(
                "qsh_mismatch", "the token's qsh does not match this request"
            )
    return _claims(claims)


def install_token_kid(token: str) -> str:
    """The `kid` of a signed-install token; it must be RS256."""
    return signing_key_id(
        token,
        what="the install token",
        algorithms=("RS256",),
        signed_as="install callbacks must be signed with RS256 by Atlassian",
    )


def verify_install_token(
    token: str, public_key_pem: str, *, audiences: list[str], expected_qsh: str
) -> TokenClaims:
    """Verify Atlassian's RS256 `installed`/`uninstalled` token against its published key."""
    claims = _decode(token, public_key_pem, _INSTALL, audience=audiences)
    if claims["qsh"] != expected_qsh:
        raise AuthenticationFailed("qsh_mismatch", "the install token's qsh does not match")
    return _claims(claims)


def sign_app_request(
    method: str,
    url: str,
    *,
    app_key: str,
    shared_secret: str,
    product_base_url: str,
    ttl_seconds: int = OUTGOING_TTL_SECONDS,
) -> str:
    """A token for a call from the app to a product: `iss` = app key, qsh relative to the site."""
    now = int(time.time())
    claims = {
        "iss": app_key,
        "iat": now,
        "exp": now + ttl_seconds,
        "qsh": query_hash(method, url, urlsplit(product_base_url).path),
    }
    return jwt.encode(claims, shared_secret, algorithm="HS256")


def sign_context_token(
    *, client_key: str, shared_secret: str, subject: str | None, ttl_seconds: int = 900
) -> str:
    """A context token our own pages use to call our API (qsh `context-qsh`), like Connect's."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": client_key,
        "iat": now,
        "exp": now + ttl_seconds,
        "qsh": CONTEXT_QSH,
    }
    if subject:
        claims["sub"] = subject
    return jwt.encode(claims, shared_secret, algorithm="HS256")


def _decode(
    token: str, key: str, algorithms: list[str], *, audience: list[str] | None
) -> dict[str, Any]:
    options: jwt.types.Options = {
        "require": ["iss", "iat", "exp", "qsh"],
        "verify_aud": audience is not None,
    }
    try:
        return jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=audience,
            leeway=LEEWAY_SECONDS,
            options=options,
        )
    except jwt.InvalidTokenError as exc:
        raise token_failure(
            exc, audience=f"this app's base URL {audience}", algorithms=algorithms
        ) from exc


def _claims(raw: Mapping[str, Any]) -> TokenClaims:
    context = raw.get("context")
    subject = raw.get("sub")
    return TokenClaims(
        issuer=str(raw["iss"]),
        subject=subject if isinstance(subject, str) else None,
        qsh=str(raw["qsh"]),
        context=context if isinstance(context, dict) else {},
        raw=raw,
    )
