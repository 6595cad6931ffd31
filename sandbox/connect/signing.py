"""Connect JWTs as Atlassian issues and checks them: RS256 install tokens, HS256 tokens, qsh."""

from __future__ import annotations

import importlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# Atlassian's own canonicaliser, so the sandbox is not checking the app against a copy of itself.
# Imported dynamically because the package ships no type information.
_url_utils = importlib.import_module("atlassian_jwt.url_utils")
_hash_url: Callable[[str, str], str] = _url_utils.hash_url

TOKEN_LIFETIME_S = 180
LEEWAY_S = 30


def query_string_hash(method: str, url_relative_to_base: str) -> str:
    """qsh of a request, given its path and query relative to the base URL."""
    return _hash_url(method, url_relative_to_base)


def relative_to(base_url: str, absolute_or_path: str) -> str:
    """Strip the base URL's path (e.g. `/wiki`) from a URL or path, keeping the query."""
    parts = urlsplit(absolute_or_path)
    base_path = urlsplit(base_url).path.rstrip("/")
    path = parts.path
    if base_path and (path == base_path or path.startswith(base_path + "/")):
        path = path[len(base_path) :]
    return path + ("?" + parts.query if parts.query else "")


def new_shared_secret() -> str:
    return secrets.token_urlsafe(48)[:64]


@dataclass
class InstallKeys:
    """The RSA key pair this site signs `installed`/`uninstalled` with, published by kid."""

    kid: str = field(default_factory=lambda: f"sandbox-{uuid.uuid4()}")
    _key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def public_pem(self) -> str:
        return (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})


def lifecycle_claims(client_key: str, app_base_url: str, method: str, path: str) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": client_key,
        "aud": app_base_url,
        "qsh": query_string_hash(method, path),
        "iat": now,
        "exp": now + TOKEN_LIFETIME_S,
    }


def hs256_token(
    secret: str,
    iss: str,
    method: str,
    url_relative_to_app: str,
    extra: dict[str, Any] | None = None,
) -> str:
    """A token as Jira/Confluence send to an app (webhooks, iframes, enabled/disabled)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": iss,
        "iat": now,
        "exp": now + TOKEN_LIFETIME_S,
        "qsh": query_string_hash(method, url_relative_to_app),
    }
    claims.update(extra or {})
    return jwt.encode(claims, secret, algorithm="HS256")


class TokenRejectedError(Exception):
    """The app's token does not authenticate its request."""


def unverified_issuer(token: str) -> str:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise TokenRejectedError(f"Malformed JWT: {exc}") from exc
    iss = claims.get("iss")
    if not isinstance(iss, str):
        raise TokenRejectedError("JWT has no 'iss' claim")
    return iss


def verify_app_token(token: str, secret: str, app_key: str, expected_qsh: str) -> dict[str, Any]:
    """Check a token an app sent with a REST call, the way the products do."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"require": ["iss", "iat", "exp", "qsh"], "verify_aud": False},
            leeway=LEEWAY_S,
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenRejectedError("JWT expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenRejectedError(f"JWT signature or claims invalid: {exc}") from exc
    if claims["iss"] != app_key:
        raise TokenRejectedError(
            f"JWT 'iss' is {claims['iss']!r}, expected the app key {app_key!r}"
        )
    if claims["qsh"] != expected_qsh:
        raise TokenRejectedError(
            "JWT 'qsh' does not match the request (query string hash mismatch)"
        )
    return claims
