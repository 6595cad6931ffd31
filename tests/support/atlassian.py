"""Test stand-ins for Atlassian's side of the lifecycle: an install-key server and signed callbacks.

Tokens here are made with Atlassian's own Python library (atlassian-jwt) where it applies, and
with PyJWT for RS256 signed installs, never with the app's own token code.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from atlassian_jwt import encode_token
from atlassian_jwt.url_utils import hash_url
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.wrappers import Request, Response

from sandbox.serving import serving


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class KeyServer:
    """Serves PEM public keys at /{kid}, like connect-install-keys.atlassian.com."""

    keys: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        kid = request.path.strip("/")
        self.requests.append(kid)
        pem = self.keys.get(kid)
        response = Response(pem, mimetype="text/plain") if pem else Response("no key", status=404)
        return response(environ, start_response)


@contextmanager
def serve(wsgi_app: Any) -> Iterator[str]:
    with serving(wsgi_app) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@dataclass
class FakeSite:
    """One Atlassian site installing the app: signs lifecycle callbacks the way Atlassian does."""

    app_base_url: str
    app_key: str
    key: rsa.RSAPrivateKey
    kid: str
    product: str = "jira"
    client_key: str = field(default_factory=lambda: f"client-{uuid.uuid4()}")
    shared_secret: str = field(default_factory=lambda: uuid.uuid4().hex + uuid.uuid4().hex)
    base_url: str = "https://acme.atlassian.net"
    cloud_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def payload(self, event: str = "installed", **overrides: Any) -> dict[str, Any]:
        body = {
            "key": self.app_key,
            "clientKey": self.client_key,
            "sharedSecret": self.shared_secret,
            "baseUrl": self.base_url + ("/wiki" if self.product == "confluence" else ""),
            "displayUrl": self.base_url,
            "productType": self.product,
            "description": "Atlassian JIRA at https://acme.atlassian.net",
            "eventType": event,
            "cloudId": self.cloud_id,
        }
        body.update(overrides)
        return body

    def install_token(
        self,
        path: str = "/installed",
        *,
        iss: str | None = None,
        aud: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        exp_in: int = 180,
        qsh: str | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": iss or self.client_key,
            "aud": aud or self.app_base_url,
            "iat": now,
            "exp": now + exp_in,
            "qsh": qsh or hash_url("POST", path),
            "context": {},
        }
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def tenant_token(self, method: str, url: str, **claims: Any) -> str:
        """A product->app token, as Atlassian's own library makes one."""
        return str(
            encode_token(method, url, self.client_key, self.shared_secret, 180, claims or None)
        )


def post_json(client: Any, path: str, body: Any, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"JWT {token}"
    return client.post(path, data=json.dumps(body), headers=headers)
