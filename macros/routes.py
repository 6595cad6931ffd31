"""The Confluence macros' routes: each macro in its iframe, its static rendering, and the editor.

Confluence signs every call (iframe and server-to-server export alike) with the Connect JWT. A
reader never sees JSON or a stack trace here: every failure is a short HTML message in the frame.
Rendered maps are cached per process, keyed by the site's data version (`macros.data_version`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from connector.auth import tenant_required
from connector.caller import current_caller
from connector.db import request_session, utcnow
from connector.errors import AuthenticationFailed, ICMError
from macros.cache import cache_key
from macros.data import UnknownTeam, customer_map_view, integrator_map_view, team_keys
from macros.data_version import data_version
from macros.editor import editor_form
from macros.fragment_cache import FragmentCache
from macros.html import APP_NOT_INSTALLED, SESSION_EXPIRED, error_box, page, unknown_team_message
from macros.links import JiraLinks, jira_links
from macros.render import (
    customer_map_options,
    render_customer_map,
    render_expectations,
    render_integrator_map,
)
from macros.view import CustomerMapView

log = logging.getLogger(__name__)
bp = Blueprint("macros", __name__, url_prefix="/macros")

CHOOSE_TEAM = "No team is chosen yet. Edit the macro and choose a team."
NOT_VERIFIED = "This view could not confirm who is looking at it. Reload the page."
INTERNAL = "Something went wrong on our side; it has been logged. Try again in a moment."
# Confluence's own output types that cannot run script (export, mail, feeds).
EXPORT_OUTPUTS = frozenset({"pdf", "word", "email", "feed", "html_export"})

Render = Callable[[Session, str, JiraLinks], str]


@dataclass(frozen=True)
class MacroRequest:
    """One macro to show: its cache identity, its title, and how to render it on a miss."""

    kind: str
    title: str
    params: dict[str, str]
    render: Render


def _cache() -> FragmentCache:
    cache: FragmentCache = current_app.extensions["icm.macro_cache"]
    return cache


def _is_static(static: bool) -> bool:
    return static or request.args.get("output.type", "").lower() in EXPORT_OUTPUTS


def _html(title: str, body: str, *, static: bool, status: int = 200) -> Response:
    document = page(
        title,
        body,
        static=static,
        theme=request.args.get("theme"),
        all_js_url=current_app.config.get("ALL_JS_URL"),
    )
    response = Response(document, status=status, mimetype="text/html")
    # The URL carries a short-lived token and the content is per site: never store it.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _show(macro: MacroRequest, static: bool) -> Response:
    started = time.perf_counter()
    static = _is_static(static)
    site_id = current_caller().site_id
    session = request_session()
    version = data_version(session, site_id, utcnow())
    key = cache_key(macro.kind, site_id, macro.params, version)
    body = _cache().get(key)
    outcome = "hit" if body is not None else "miss"
    if body is None:
        try:
            body = macro.render(session, site_id, jira_links(session, site_id))
        except UnknownTeam as unknown:
            # 200, not 404: Confluence shows a failed export as its own opaque error box.
            return _html(macro.title, error_box(unknown_team_message(unknown.key)), static=static)
        _cache().put(key, body)
    response = _html(macro.title, body, static=static)
    elapsed = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f'macro;dur={elapsed:.1f};desc="{outcome}"'
    return response


def _team_param() -> str:
    return request.args.get("team", "").strip()


def _customer_map(team: str, sides_param: str, flag: str) -> Render:
    sides, listed = customer_map_options({"sides": sides_param, "show_expectations": flag})

    def render(session: Session, site_id: str, links: JiraLinks) -> str:
        view = customer_map_view(session, site_id, team, links, utcnow())
        return render_customer_map(view, sides=sides, show_expectations=listed)

    return render


def _expectations(team: str, side: str) -> Render:
    def render(session: Session, site_id: str, links: JiraLinks) -> str:
        view = customer_map_view(session, site_id, team, links, utcnow())
        if side == "supplier":  # what its customers expect of the team
            view = CustomerMapView(view.team, suppliers=(), customers=view.customers)
        elif side == "customer":  # what the team expects of its suppliers
            view = CustomerMapView(view.team, suppliers=view.suppliers, customers=())
        return render_expectations(view)

    return render


def _integrator(session: Session, site_id: str, links: JiraLinks) -> str:
    return render_integrator_map(integrator_map_view(session, site_id, links, utcnow()))


@bp.get("/customer-map", defaults={"static": False})
@bp.get("/customer-map/static", defaults={"static": True})
@tenant_required()
def customer_map(static: bool) -> Response:
    team = _team_param()
    if not team:
        return _html("Customer map", error_box(CHOOSE_TEAM), static=static)
    sides = request.args.get("sides", "")
    flag = request.args.get("expectations", "")
    params = {"team": team.upper(), "sides": sides, "expectations": flag}
    render = _customer_map(team, sides, flag)
    return _show(MacroRequest("customer-map", f"Customer map: {team}", params, render), static)


@bp.get("/expectations", defaults={"static": False})
@bp.get("/expectations/static", defaults={"static": True})
@tenant_required()
def expectations(static: bool) -> Response:
    team = _team_param()
    if not team:
        return _html("Expectations", error_box(CHOOSE_TEAM), static=static)
    side = request.args.get("side", "").strip().lower()
    params = {"team": team.upper(), "side": side}
    render = _expectations(team, side)
    return _show(MacroRequest("expectations", f"Expectations: {team}", params, render), static)


@bp.get("/integrator-map", defaults={"static": False})
@bp.get("/integrator-map/static", defaults={"static": True})
@tenant_required()
def integrator_map(static: bool) -> Response:
    return _show(MacroRequest("integrator-map", "Integrator map", {}, _integrator), static)


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


def init_app(app: Flask) -> None:
    app.extensions["icm.macro_cache"] = FragmentCache(
        max_entries=int(app.config.get("MACRO_CACHE_ENTRIES", 256)),
        max_bytes=int(app.config.get("MACRO_CACHE_BYTES", 64 * 1024 * 1024)),
    )
    app.register_blueprint(bp)
