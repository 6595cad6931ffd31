"""Forge, as far as a Forge Remote can tell: installs by manifest, invocation tokens, app tokens.

The site publishes a JWKS (its own RSA key) at `/forge/.well-known/jwks.json`, installs an app
from its `manifest.yml` (manifest variables `${VAR}` bound at install, as the Forge CLI binds
them from the shell at deploy), signs a Forge Invocation Token for every call to the remote, and
hands the remote app tokens (`x-forge-oauth-system`, `x-forge-oauth-user`) that the product APIs
accept as Bearer tokens under `apiBaseUrl` = `{site}/ex/{product}/{cloudId}` (the `ApiGateway`).

An app declaring `app.compatibility` is installed once for the whole site: one installation
(an ARI, `ari:cloud:ecosystem::installation/<uuid>`) spans Jira and Confluence, its tokens list
both products in `app.installation.contexts`, and its app token is good for both APIs. Without
`compatibility` an app is for one product only, installed per product as before.
"""

from __future__ import annotations

import re
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

from sandbox.connect.install import Installation
from sandbox.state import SiteState

ISSUER = "forge/invocation-token"
FIT_LIFETIME_S = 60
# The app system token is cached and rotated by Forge, its lifetime at most 4 hours, read from
# its `exp` (platform/forge/remote/calling-product-apis, .../remote/scheduled-triggers): the
# sandbox keeps one per installation and hands it out until less than 2 hours are left.
APP_TOKEN_LIFETIME_S = 4 * 3600
APP_TOKEN_ROTATE_S = 2 * 3600
SCHEDULED_TOKEN_LIFETIME_S = APP_TOKEN_LIFETIME_S
INSTALLATION_ARI = "ari:cloud:ecosystem::installation/"
PRODUCTS = ("jira", "confluence")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
GATEWAY_PREFIX = "/ex/"
MANIFEST = Path(__file__).resolve().parents[2] / "forge" / "manifest.yml"


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
    """One Forge installation of the app: of one product, or (with `app.compatibility`) of every
    product of the site it declares; `products[0]` is the required one."""

    installation_id: str
    app_id: str
    products: tuple[str, ...]
    remote_base_url: str
    manifest: dict[str, Any]
    site_url: str
    cloud_id: str
    app_version: str = "1.0.0"
    manifest_dir: Path = MANIFEST.parent  # where the manifest's resources are
    # What the product APIs see as the caller (sandbox.server.caller()), per product.
    installations: dict[str, Installation] = field(default_factory=dict)
    uninstalled: bool = False

    @property
    def product(self) -> str:
        return self.products[0]

    def api_base(self, product: str | None = None) -> str:
        return f"{self.site_url}/ex/{product or self.product}/{self.cloud_id}"

    @property
    def api_base_url(self) -> str:
        return self.api_base()

    @property
    def as_installation(self) -> Installation | None:
        return self.installations.get(self.product)

    def product_of(self, kind: str) -> str:
        """The Atlassian app a module of manifest kind `kind` lives in."""
        if kind == "macro" or kind.startswith("confluence:"):
            found = "confluence"
        elif kind.startswith("jira:"):
            found = "jira"
        else:
            found = self.product
        return found if found in self.products else self.product

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
    products: tuple[str, ...]
    kind: str  # "system" or "user"
    account_id: str | None
    expires_at: float


class ForgeSite:
    """The Forge side of one sandbox site: installations, tokens, invocations."""

    def __init__(self, state: SiteState) -> None:
        self.state = state
        self.keys = ForgeKeys()
        self.apps: dict[str, ForgeApp] = {}  # by product (one app under both when multi-app)
        self.tokens: dict[str, AppToken] = {}
        self.system_tokens: dict[str, tuple[str, float]] = {}  # by installation: Forge's cache
        self.lock = threading.RLock()

    # --- installing

    def install(
        self,
        remote_base_url: str,
        app_id: str,
        product: str | None = None,
        manifest_path: Path | None = None,
        variables: dict[str, str] | None = None,
    ) -> ForgeApp:
        """Install the app: once for the site when its manifest declares `app.compatibility`
        (every declared product this site has: Jira and Confluence), else into `product`.
        `remote_base_url` binds the manifest variable the remote's `baseUrl` names, if any."""
        path = manifest_path or MANIFEST
        raw = load_manifest(path, None)
        bound = dict(variables or {})
        remote_var = _remote_variable(raw)
        if remote_var and remote_base_url and remote_var not in bound:
            bound[remote_var] = remote_base_url
        manifest = load_manifest(path, bound)
        products = _products(manifest, product)
        with self.lock:
            already = self.apps.get(products[0])
        same = already is not None and already.manifest_dir == path.resolve().parent
        if already is not None and same and len(products) > 1 and already.app_id == app_id:
            return (
                already  # one installation for the site: installing "into Confluence" again is it
            )
        remotes = manifest.get("remotes") or [{}]
        base = str(remotes[0].get("baseUrl") or remote_base_url) if remote_var else remote_base_url
        site = self.state.url
        app = ForgeApp(
            installation_id=f"{INSTALLATION_ARI}{uuid.uuid4()}",
            app_id=app_id,
            products=products,
            remote_base_url=base.rstrip("/"),
            manifest=manifest,
            site_url=site,
            cloud_id=self.state.cloud_id,
            manifest_dir=path.resolve().parent,
        )
        account = f"557058:{uuid.uuid4()}"  # one app user for the installation
        for each in products:
            app.installations[each] = Installation(
                product=each,
                descriptor={"key": app_id, "baseUrl": app.remote_base_url, "modules": {}},
                client_key=app.installation_id,
                shared_secret="",  # Forge apps have none
                base_url=site + ("/wiki" if each == "confluence" else ""),
                app_account_id=account,
                installed=True,
            )
        with self.lock:
            for each in products:
                self.apps[each] = app
        return app

    def uninstall(self, app: ForgeApp) -> None:
        """Remove the installation: its modules, triggers and tokens stop at once."""
        with self.lock:
            app.uninstalled = True
            for product in list(self.apps):
                if self.apps[product] is app:
                    del self.apps[product]
            self.system_tokens.pop(app.installation_id, None)
            for token in [
                t for t, o in self.tokens.items() if o.installation_id == app.installation_id
            ]:
                del self.tokens[token]

    def app(self, product: str) -> ForgeApp | None:
        with self.lock:
            return self.apps.get(product)

    def installed(self) -> list[ForgeApp]:
        """Each installation once."""
        with self.lock:
            return list({id(a): a for a in self.apps.values()}.values())

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
                app.installation_id, app.products, kind, account_id, expires
            )
        return token

    def system_token(self, app: ForgeApp) -> str:
        """The installation's app system token as Forge hands it out: cached, rotated when less
        than APP_TOKEN_ROTATE_S is left, so each delivery's lives 2 to 4 hours (its `exp`)."""
        with self.lock:
            cached = self.system_tokens.get(app.installation_id)
            if cached is not None and cached[1] - time.time() > APP_TOKEN_ROTATE_S:
                return cached[0]
            token = self.issue_app_token(app, "system")
            self.system_tokens[app.installation_id] = (token, time.time() + APP_TOKEN_LIFETIME_S)
            return token

    def token_owner(self, token: str) -> tuple[ForgeApp, AppToken] | None:
        with self.lock:
            found = self.tokens.get(token)
            app = self.apps.get(found.products[0]) if found else None
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
        """A FIT for a call of `module` (its `type` the manifest's kind). `backend`: a function's
        invokeRemote, which carries no `context` (runtime-reference/invoke-remote-api), no module
        claim (none is documented for it) and only the documented fields of the installation's
        contexts (name, apiBaseUrl): the remote finds the site without them. `siteUrl` only in
        a UI invocation's context (a user's, `principal`)."""
        now = int(time.time())
        product = app.product_of(str(module.get("type") or ""))
        contexts = []
        for each in app.products:
            product_context = {
                "name": f"ari:cloud:{each}::site/{app.cloud_id}",
                "apiBaseUrl": app.api_base(each),
            }
            if not backend:
                product_context["cloudId"] = app.cloud_id
            contexts.append(product_context)
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
                "apiBaseUrl": app.api_base(product),
                "appVersion": app.app_version,
                "environment": {"type": "DEVELOPMENT", "id": "sandbox"},
                "module": {"key": module.get("key"), "type": module.get("type")},
                "installation": {"id": app.installation_id, "contexts": contexts},
            },
        }
        if backend:
            del claims["app"]["module"]
        else:
            claims["context"] = {"cloudId": app.cloud_id, "moduleKey": module.get("key"), **context}
            if account_id:
                claims["context"]["siteUrl"] = app.site_url
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


def load_manifest(path: Path, variables: dict[str, str] | None = None) -> dict[str, Any]:
    """The manifest, its `${VAR}`s bound as the Forge CLI binds them (platform/forge/
    manifest-reference/variables): only variables declared in `environment.variables`, from
    `variables`, else their `default`; None leaves them unbound."""
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ForgeInstallError(f"cannot read the manifest {path}: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("modules"), dict):
        raise ForgeInstallError(f"{path} is not a Forge manifest with modules")
    if variables is None:
        return manifest
    declared: dict[str, str | None] = {}
    for entry in (manifest.get("environment") or {}).get("variables") or []:
        if isinstance(entry, str):
            declared[entry] = None
        elif isinstance(entry, dict) and entry.get("key"):
            declared[str(entry["key"])] = entry.get("default")

    def bind(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in declared:
            return match.group(0)
        value = variables.get(name, declared[name])
        if value is None:
            raise ForgeInstallError(f"the manifest variable {name} has no value and no default")
        return str(value)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return _VARIABLE.sub(bind, value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    bound: dict[str, Any] = walk(manifest)
    return bound


def _remote_variable(manifest: dict[str, Any]) -> str | None:
    """The variable the first remote's baseUrl is made of (`${VAR}`), if it is one."""
    remotes = manifest.get("remotes") or []
    base = str(remotes[0].get("baseUrl") or "") if remotes and isinstance(remotes[0], dict) else ""
    found = _VARIABLE.fullmatch(base.strip())
    return found.group(1) if found else None


def _products(manifest: dict[str, Any], product: str | None) -> tuple[str, ...]:
    """Where an installation lands: with `app.compatibility`, the required app first, then the
    optional ones (this site has both); without, the one product asked for."""
    compatibility = (manifest.get("app") or {}).get("compatibility")
    if isinstance(compatibility, dict) and compatibility:
        declared = [p for p in compatibility if p in PRODUCTS]
        required = [p for p in declared if (compatibility[p] or {}).get("required") is True]
        if not required:
            raise ForgeInstallError("app.compatibility names no required Atlassian app")
        if product not in (None, *declared):
            raise ForgeInstallError(f"the app is not compatible with {product!r}")
        return tuple(required + [p for p in declared if p not in required])
    chosen = product or "jira"
    if chosen not in PRODUCTS:
        raise ForgeInstallError(f"unknown product {chosen!r}")
    return (chosen,)


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
