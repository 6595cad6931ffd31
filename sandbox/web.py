"""What every blueprint of the sandbox shares: the site of the current request, the installation
whose app made an authenticated REST call, and the products' error bodies. It imports no
blueprint, so none of them imports the app that registers them (sandbox/server.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, current_app, g, jsonify

if TYPE_CHECKING:  # types only: the site's state imports the blueprints' modules
    from sandbox.connect.install import Installation
    from sandbox.state import SiteState


def site() -> SiteState:
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


def unauthorized(product: str, message: str) -> Response:
    response = error_response(product, 401, message)
    response.headers["WWW-Authenticate"] = 'JWT realm="sandbox"'
    return response
