"""Authenticate incoming Connect requests as a tenant: HS256 with its shared secret, qsh checked.

`tenant_required()` guards a Connect route (it takes Connect tokens only); `context_qsh=True` marks
the routes our own pages call with a context token (qsh `context-qsh`); everywhere else the token
must hash this very request. `connect_caller` is this platform's half of
`connector.platforms.caller`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import quote, urlsplit

from flask import current_app, request

from connector.db import get_db, request_session
from connector.domain.caller import Caller
from connector.domain.errors import AuthenticationFailed
from connector.platforms.connect import tokens
from connector.platforms.connect.tenant_cache import KnownTenant, TenantCache
from connector.platforms.connect.tenants import ACTIVE_STATES, SqlTenantStore, Tenant, TenantState
from connector.web.caller import set_caller
from connector.web.headers import allow_framing_by

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T", Tenant, KnownTenant)


def request_target() -> str:
    """The request target as the client sent it (the qsh hashes it undecoded; canonical URI:
    https://developer.atlassian.com/cloud/bitbucket/query-string-hash). A server that gives no
    raw target (granian) leaves the decoded path, quoted again here: docs/production.md."""
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/%:@&=+$,;~")
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


# The bodies Werkzeug reads as form parameters (it parses no other type into `request.form`).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_form() -> bool:
    """Whether the body holds form parameters; a JSON body (every webhook) is not even asked."""
    return request.mimetype in FORM_TYPES and bool(request.form)


def expected_query_hashes() -> list[str]:
    base_path = urlsplit(current_app.config["BASE_URL"]).path
    target = request_target()
    hashes = [tokens.query_hash(request.method, target, base_path)]
    if request.method in ("POST", "PUT") and has_form():
        # Connect frameworks accept form parameters in place of an empty query (ACE, ACSB).
        pairs = [(k, v) for k in request.form for v in request.form.getlist(k)]
        hashes.append(tokens.query_hash(request.method, target, base_path, body_params=pairs))
    return hashes


def request_token() -> str:
    query_token = request.args.get("jwt") or (request.form.get("jwt") if has_form() else None)
    return tokens.extract_token(request.headers.get("Authorization"), query_token)


def authenticate(
    *, context_qsh: bool, states: tuple[TenantState, ...] = ACTIVE_STATES
) -> tuple[Tenant, tokens.TokenClaims]:
    token = request_token()
    tenant = SqlTenantStore(request_session()).get(tokens.unverified_issuer(token))
    return verify(token, tenant, context_qsh=context_qsh, states=states)


def verify(
    token: str,
    tenant: T | None,
    *,
    context_qsh: bool,
    states: tuple[TenantState, ...] = ACTIVE_STATES,
) -> tuple[T, tokens.TokenClaims]:
    """The token's claims, if `tenant` (its issuer) is active and signed it for this request."""
    if tenant is None:
        raise AuthenticationFailed("unknown_tenant", "no installation matches the token's issuer")
    if tenant.state not in states:
        raise AuthenticationFailed("tenant_inactive", "the app is not installed on this site")
    claims = tokens.verify_tenant_token(
        token,
        tenant.shared_secret,
        client_key=tenant.client_key,
        expected_qsh=expected_query_hashes(),
        allow_context_qsh=context_qsh,
    )
    allow_framing_by(tenant.base_url, tenant.display_url)
    return tenant, claims


def tenant_cache() -> TenantCache:
    """This app's cache of verified tenants (made on first use; see `tenant_cache`)."""
    app = current_app
    cache: TenantCache | None = app.extensions.get("icm.tenant_cache")
    if cache is None:
        cache = TenantCache(float(app.config.get("TENANT_CACHE_SECONDS", 0)), get_db(app).engine)
        app.extensions["icm.tenant_cache"] = cache
    return cache


def _load_tenant(client_key: str) -> KnownTenant | None:
    tenant = SqlTenantStore(request_session()).get(client_key)
    return KnownTenant.of(tenant) if tenant is not None else None


def cached_caller() -> Caller:
    """`connect_caller` for the webhook receivers: the tenant from memory when it was verified
    moments ago; a token the kept secret refuses is checked again against the stored tenant."""
    token = request_token()
    client_key = tokens.unverified_issuer(token)
    cache = tenant_cache()
    tenant, kept = cache.lookup(client_key, _load_tenant)
    try:
        return caller_for(*verify(token, tenant, context_qsh=False))
    except AuthenticationFailed:
        if not kept:
            raise
    cache.forget(client_key)
    return caller_for(*verify(token, _load_tenant(client_key), context_qsh=False))


def caller_for(tenant: Tenant | KnownTenant, claims: tokens.TokenClaims) -> Caller:
    return Caller(
        site_id=tenant.site_id,
        installation=tenant.client_key,
        product=tenant.product_type,
        base_url=tenant.base_url,
        account_id=claims.subject,
        via_context_token=claims.is_context_token,
    )


def connect_caller(*, context_qsh: bool) -> Caller:
    tenant, claims = authenticate(context_qsh=context_qsh)
    return caller_for(tenant, claims)


def tenant_required(
    *, context_qsh: bool = False, cached: bool = False
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`cached=True` (webhook receivers): the tenant may come from `tenant_cache()`."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            caller = cached_caller() if cached else connect_caller(context_qsh=context_qsh)
            set_caller(caller)
            return view(*args, **kwargs)

        guarded.icm_context_qsh = context_qsh  # type: ignore[attr-defined]
        return guarded

    return decorate
