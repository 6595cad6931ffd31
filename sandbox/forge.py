"""Forge, as far as a Forge Remote can tell: installs by manifest, invocation tokens, app tokens.

The site publishes a JWKS (its own RSA key) at `/forge/.well-known/jwks.json`, installs an app
from its `manifest.yml` (the remote's baseUrl given at install, as `forge deploy` variables do),
signs a Forge Invocation Token for every call to the remote, and hands the remote opaque app
tokens (`x-forge-oauth-system`, `x-forge-oauth-user`) that the product APIs accept as Bearer
tokens under `apiBaseUrl` = `{site}/ex/{product}/{cloudId}` (the `ApiGateway` below).
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.install import Installation
from sandbox.state import SiteState

ISSUER = "forge/invocation-token"
FIT_LIFETIME_S = 60
APP_TOKEN_LIFETIME_S = 3600  # UI and event invocations (Forge: at least 55 minutes)
SCHEDULED_TOKEN_LIFETIME_S = 2 * 3600  # "at least 2 hours" for scheduled-trigger deliveries
GATEWAY_PREFIX = "/ex/"
MANIFEST = Path(__file__).resolve().parent.parent / "forge" / "manifest.yml"


class ForgeInstallError(Exception):
    """The manifest cannot be installed."""


@dataclass
class ForgeKeys:
    """The key pair the site signs invocation tokens with, published as a JWKS."""

    kid: str = field(default_factory=lambda: f"forge-sandbox-{uuid.uuid4()}")
    _key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwks(self) -> dict[str, Any]:
        jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(
            self._key.public_key(), as_dict=True
        )
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})


@dataclass
class ForgeApp:
    """One product's Forge installation of the app."""

    installation_id: str
    app_id: str
    product: str
    remote_base_url: str
    manifest: dict[str, Any]
    api_base_url: str
    site_url: str
    cloud_id: str
    app_version: str = "1.0.0"
    manifest_dir: Path = MANIFEST.parent  # where the manifest's resources are
    # What the product APIs see as the caller (sandbox.server.caller()).
    as_installation: Installation | None = None

    def modules(self, kind: str) -> list[dict[str, Any]]:
        found = (self.manifest.get("modules") or {}).get(kind) or []
        return [m for m in found if isinstance(m, dict)]

    def endpoint(self, key: str) -> dict[str, Any]:
        for module in self.modules("endpoint"):
            if module.get("key") == key:
                return module
        raise ForgeInstallError(f"the manifest has no endpoint {key!r}")


@dataclass(frozen=True)
class AppToken:
    installation_id: str
    product: str
    kind: str  # "system" or "user"
    account_id: str | None
    expires_at: float


class ForgeSite:
    """The Forge side of one sandbox site: installations, tokens, invocations."""

    def __init__(self, state: SiteState) -> None:
        self.state = state
        self.keys = ForgeKeys()
        self.apps: dict[str, ForgeApp] = {}  # by product
        self.tokens: dict[str, AppToken] = {}
        self.lock = threading.RLock()

    # --- installing

    def install(
        self,
        remote_base_url: str,
        app_id: str,
        product: str = "jira",
        manifest_path: Path | None = None,
    ) -> ForgeApp:
        if product not in ("jira", "confluence"):
            raise ForgeInstallError(f"unknown product {product!r}")
        manifest = load_manifest(manifest_path or MANIFEST)
        site = self.state.url
        cloud = self.state.cloud_id
        app = ForgeApp(
            installation_id=str(uuid.uuid4()),
            app_id=app_id,
            product=product,
            remote_base_url=remote_base_url.rstrip("/"),
            manifest=manifest,
            api_base_url=f"{site}/ex/{product}/{cloud}",
            site_url=site,
            cloud_id=cloud,
            manifest_dir=(manifest_path or MANIFEST).resolve().parent,
        )
        app.as_installation = Installation(
            product=product,
            descriptor={"key": app_id, "baseUrl": app.remote_base_url, "modules": {}},
            client_key=app.installation_id,
            shared_secret="",  # Forge apps have none
            base_url=site + ("/wiki" if product == "confluence" else ""),
            app_account_id=f"557058:{uuid.uuid4()}",
            installed=True,
        )
        with self.lock:
            self.apps[product] = app
        return app

    def app(self, product: str) -> ForgeApp | None:
        with self.lock:
            return self.apps.get(product)

    # --- tokens

    def issue_app_token(
        self,
        app: ForgeApp,
        kind: str,
        account_id: str | None = None,
        lifetime_s: int = APP_TOKEN_LIFETIME_S,
    ) -> str:
        """An app token as Forge hands them over: a JWT whose `exp` says when it expires (the
        remote may read it, not verify it); the gateway knows it by its exact text."""
        expires = int(time.time()) + lifetime_s
        token = self.keys.sign(
            {
                "iss": "sandbox-forge-oauth",
                "sub": account_id or app.installation_id,
                "exp": expires,
                "jti": secrets.token_urlsafe(16),
            }
        )
        with self.lock:
            self.tokens[token] = AppToken(
                app.installation_id, app.product, kind, account_id, expires
            )
        return token

    def token_owner(self, token: str) -> tuple[ForgeApp, AppToken] | None:
        with self.lock:
            found = self.tokens.get(token)
            app = self.apps.get(found.product) if found else None
        if found is None or app is None or app.installation_id != found.installation_id:
            return None
        if found.expires_at < time.time():
            return None
        return app, found

    def invocation_token(
        self,
        app: ForgeApp,
        module: dict[str, Any],
        account_id: str | None,
        *,
        backend: bool = False,
        **context: Any,
    ) -> str:
        """A FIT for a call of `module`. `backend`: a function's invokeRemote, which carries no
        `context` (runtime-reference/invoke-remote-api) and only the documented fields of the
        installation's contexts (name, apiBaseUrl): the remote finds the site without them."""
        now = int(time.time())
        product_context = {
            "name": f"ari:cloud:{app.product}::site/{app.cloud_id}",
            "apiBaseUrl": app.api_base_url,
        }
        if not backend:
            product_context["cloudId"] = app.cloud_id
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": app.app_id,
            "iat": now,
            "nbf": now,
            "exp": now + FIT_LIFETIME_S,
            "jti": str(uuid.uuid4()),
            "app": {
                "id": app.app_id,
                "installationId": app.installation_id,
                "apiBaseUrl": app.api_base_url,
                "appVersion": app.app_version,
                "environment": {"type": "DEVELOPMENT", "id": "sandbox"},
                "module": {"key": module.get("key"), "type": module.get("type")},
                "installation": {"id": app.installation_id, "contexts": [product_context]},
            },
        }
        if not backend:
            claims["context"] = {
                "cloudId": app.cloud_id,
                "siteUrl": app.site_url,
                "moduleKey": module.get("key"),
                **context,
            }
        if account_id:
            claims["principal"] = account_id
        return self.keys.sign(claims)


_SITES: weakref.WeakKeyDictionary[SiteState, ForgeSite] = weakref.WeakKeyDictionary()
_SITES_LOCK = threading.Lock()


def forge_site(state: SiteState) -> ForgeSite:
    """The Forge side of a sandbox site (made on first use)."""
    with _SITES_LOCK:
        found = _SITES.get(state)
        if found is None:
            found = _SITES[state] = ForgeSite(state)
        return found


def load_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ForgeInstallError(f"cannot read the manifest {path}: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("modules"), dict):
        raise ForgeInstallError(f"{path} is not a Forge manifest with modules")
    return manifest


class ApiGateway:
    """WSGI middleware: `/ex/{product}/{cloudId}/rest/...` as api.atlassian.com routes it.

    The prefix is removed before the site's own routes see the request, and remembered in the
    environ so the product guard can insist that Forge app tokens come through it.
    """

    def __init__(self, wsgi_app: Any, state: SiteState) -> None:
        self.wsgi_app = wsgi_app
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(GATEWAY_PREFIX):
            parts = path[len(GATEWAY_PREFIX) :].split("/", 2)
            if len(parts) == 3 and parts[1] == self.state.cloud_id:
                product, _, rest = parts
                prefix = f"{GATEWAY_PREFIX}{product}/{parts[1]}"
                environ["sandbox.gateway_product"] = product
                environ["PATH_INFO"] = "/" + rest
                for name in ("RAW_URI", "REQUEST_URI"):
                    raw = environ.get(name)
                    if isinstance(raw, str) and raw.startswith(prefix):
                        environ[name] = raw[len(prefix) :]
        return self.wsgi_app(environ, start_response)
