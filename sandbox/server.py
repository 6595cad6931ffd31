"""The sandbox's Flask app: product REST APIs guarded as Atlassian guards them, plus admin."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, jsonify, request

from sandbox import signing
from sandbox.errors import SandboxHTTPError
from sandbox.install import Installation
from sandbox.state import SiteState

REST_PREFIXES = {"/rest/": "jira", "/wiki/api/": "confluence", "/wiki/rest/": "confluence"}


def product_of(path: str) -> str | None:
    for prefix, product in REST_PREFIXES.items():
        if path.startswith(prefix):
            return product
    return None


def create_sandbox_app(state: SiteState) -> Flask:
    """The WSGI app for one simulated site; `state` holds everything it serves and records."""
    from sandbox import (
        admin,
        confluence_api,
        confluence_site,
        forge,
        forge_functions,
        forge_ui,
        forge_views,
        home,
        jira_api,
        privacy,
        rovo,
        views,
    )

    app = Flask("sandbox")
    app.extensions["sandbox_state"] = state
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.before_request
    def guard() -> Any:
        product = product_of(request.path)
        if product is None:
            return None
        refused = authenticate(state, product)
        if refused is not None:
            return refused
        violations = state.contracts.check_request(request)
        if violations:
            state.record_violations(violations)
            return error_response(product, 400, "Contract violation: " + " | ".join(violations))
        fault = state.faults.decide() or state.faults.per_issue_write(request.method, request.path)
        if fault is not None:
            g.faulted = True
            response = jsonify(fault.body)
            response.status_code = fault.status
            response.headers.update(fault.headers)
            return response
        return None

    @app.after_request
    def record(response: Response) -> Response:
        if product_of(request.path) is None:
            return response
        if getattr(g, "installation", None) is not None and not getattr(g, "faulted", False):
            state.record_violations(state.contracts.check_response(request, response))
        state.record_call(request.method, request.path, response.status_code)
        return response

    @app.errorhandler(SandboxHTTPError)
    def product_error(error: SandboxHTTPError) -> tuple[Response, int]:
        return jsonify(error.body()), error.status

    for blueprint in (
        jira_api.blueprint,
        confluence_api.blueprint,
        confluence_site.blueprint,  # the stylesheet of pages as the site shows them
        admin.blueprint,
        views.blueprint,
        forge_views.blueprint,  # Forge: JWKS, installs, triggers, Custom UI pages
        forge_ui.blueprint,  # Forge: Custom UI iframes, their files under Forge's CSP, the bridge
        forge_functions.blueprint,  # Forge functions (Node.js); api.atlassian.com's report-accounts
        privacy.blueprint,  # the personal data reporting API and its test hooks
        rovo.blueprint,  # Rovo: an agent's action invoked as Forge would (no model)
        home.blueprint,  # the root: links to everything above
    ):
        app.register_blueprint(blueprint)
    app.wsgi_app = forge.ApiGateway(app.wsgi_app, state)  # type: ignore[method-assign]
    return app


def site() -> SiteState:
    from flask import current_app

    state: SiteState = current_app.extensions["sandbox_state"]
    return state


def caller() -> Installation:
    """The installation whose app made the current (authenticated) REST call."""
    inst: Installation = g.installation
    return inst


def error_response(product: str, status: int, message: str) -> Response:
    if product == "confluence":
        body: dict[str, Any] = {
            "errors": [{"status": status, "code": _code(status), "title": message, "detail": None}]
        }
    else:
        body = {"errorMessages": [message], "errors": {}}
    response = jsonify(body)
    response.status_code = status
    return response


def _code(status: int) -> str:
    return {400: "INVALID_REQUEST_PARAMETER", 401: "UNAUTHORIZED", 404: "NOT_FOUND"}.get(
        status, "ERROR"
    )


def authenticate(state: SiteState, product: str) -> Response | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):  # Forge Remote: an app token this site issued
        from sandbox.forge_auth import authenticate_bearer

        return authenticate_bearer(state, product, header[7:].strip())
    token = header[4:].strip() if header.startswith("JWT ") else request.args.get("jwt", "")
    if not token:
        return _unauthorized(product, "Client must be authenticated to access this resource.")
    try:
        app_key = signing.unverified_issuer(token)
        inst = state.installer.find(app_key, product)
        if inst is None or not inst.installed:
            raise signing.TokenRejectedError(f"No {product} installation for app {app_key!r}")
        raw = (
            request.environ.get("RAW_URI")
            or request.environ.get("REQUEST_URI")
            or request.full_path
        )
        relative = signing.relative_to(inst.base_url, str(raw))
        expected = signing.query_string_hash(request.method, relative)
        signing.verify_app_token(token, inst.shared_secret, inst.app_key, expected)
    except signing.TokenRejectedError as exc:
        return _unauthorized(product, f"Failed to authenticate the request: {exc}")
    g.installation = inst
    return None


def _unauthorized(product: str, message: str) -> Response:
    response = error_response(product, 401, message)
    response.headers["WWW-Authenticate"] = 'JWT realm="sandbox"'
    return response
