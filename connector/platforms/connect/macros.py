"""The Confluence macros' routes: each macro in its iframe, its static rendering, and the editor.

Confluence signs every call (iframe and server-to-server export alike) with the Connect JWT. A
reader never sees JSON or a stack trace here: every failure is a short HTML message in the frame.
The fragments come from `macros.fragments` (cached per process, keyed by the site's data version).

"Download CSV": the cached fragment carries a plain button; the page around it, made for this
request, carries a context token for this viewer (as the Jira pages do), with which its script
asks `GET /api/v1/expectations.csv` for the file. That route decides what the token's site may
read, exactly as for any other API call; a static rendering gets neither button nor token, and
neither does a viewer without an account (anonymous access to a space).
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from connector.db import request_session
from connector.domain.errors import AuthenticationFailed, ICMError
from connector.platforms.connect.auth import tenant_required
from connector.platforms.connect.editor import editor_form
from connector.platforms.connect.pages import context_token
from connector.web.caller import current_caller
from macros.data import team_keys
from macros.fragments import Kind, render_fragment
from macros.html import APP_NOT_INSTALLED, SESSION_EXPIRED, error_box, page
from macros.links import site_links

log = logging.getLogger(__name__)
bp = Blueprint("macros", __name__, url_prefix="/macros")

NOT_VERIFIED = "This view could not confirm who is looking at it. Reload the page."
INTERNAL = "Something went wrong on our side; it has been logged. Try again in a moment."
# Confluence's own output types that cannot run script (export, mail, feeds).
EXPORT_OUTPUTS = frozenset({"pdf", "word", "email", "feed", "html_export"})
PARAMS = ("team", "sides", "expectations", "side")
# The macros whose fragment offers "Download CSV".
DOWNLOADS: frozenset[Kind] = frozenset({"expectations", "integrator-map"})


def _is_static(static: bool) -> bool:
    return static or request.args.get("output.type", "").lower() in EXPORT_OUTPUTS


def _html(
    title: str, body: str, *, static: bool, status: int = 200, downloads: bool = False
) -> Response:
    document = page(
        title,
        body,
        static=static,
        theme=request.args.get("theme"),
        all_js_url=current_app.config.get("ALL_JS_URL"),
        api_url=f"{current_app.config['BASE_URL']}/api/v1" if downloads else None,
        token=context_token() if downloads else None,
    )
    response = Response(document, status=status, mimetype="text/html")
    # The URL carries a short-lived token and the content is per site: never store it.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _show(kind: Kind, static: bool) -> Response:
    started = time.perf_counter()
    params = {name: request.args.get(name, "") for name in PARAMS}
    session, site_id = request_session(), current_caller().site_id
    static = _is_static(static)
    links = site_links(session, site_id)
    shown = render_fragment(kind, session, site_id, params, links, static=static)
    downloads = kind in DOWNLOADS and not static and shown.outcome != "message"
    downloads = downloads and current_caller().account_id is not None  # no user, no token
    # 200 for a message too: Confluence shows a failed export as its own opaque error box.
    response = _html(shown.title, shown.html, static=static, downloads=downloads)
    elapsed = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f'macro;dur={elapsed:.1f};desc="{shown.outcome}"'
    return response


@bp.get("/customer-map", defaults={"static": False})
@bp.get("/customer-map/static", defaults={"static": True})
@tenant_required()
def customer_map(static: bool) -> Response:
    return _show("customer-map", static)


@bp.get("/expectations", defaults={"static": False})
@bp.get("/expectations/static", defaults={"static": True})
@tenant_required()
def expectations(static: bool) -> Response:
    return _show("expectations", static)


@bp.get("/integrator-map", defaults={"static": False})
@bp.get("/integrator-map/static", defaults={"static": True})
@tenant_required()
def integrator_map(static: bool) -> Response:
    return _show("integrator-map", static)


@bp.get("/editor")
@tenant_required()
def editor() -> Response:
    macro = request.args.get("macro", "")
    teams = team_keys(request_session(), current_caller().site_id)
    return _html("Macro options", editor_form(macro, teams), static=False)


def _error_static() -> bool:
    return request.path.endswith("/static")


@bp.errorhandler(ICMError)
def _refused(error: ICMError) -> Response:
    if isinstance(error, AuthenticationFailed):
        message = {
            "token_expired": SESSION_EXPIRED,
            "tenant_inactive": APP_NOT_INSTALLED,
            "unknown_tenant": APP_NOT_INSTALLED,
        }.get(error.code, NOT_VERIFIED)
    else:
        message = error.message
    log.info("macro refused: %s", error.code)
    response = _html(
        "Internal Customer Map", error_box(message), static=_error_static(), status=error.status
    )
    if isinstance(error, AuthenticationFailed):
        response.headers["WWW-Authenticate"] = 'JWT realm="internal-customer-map"'
    return response


@bp.errorhandler(Exception)
def _failed(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        status = error.code or 500
    else:
        log.exception("macro failed")
        status = 500
    return _html(
        "Internal Customer Map", error_box(INTERNAL), static=_error_static(), status=status
    )
