"""Forge Remote endpoints (forge/manifest.yml `endpoint` modules point here).

Every call carries a Forge Invocation Token; a failed check is a 401 with the JSON error body.
UI invocations answer the module's HTML; product events go into the same webhook inbox as
Connect's; the scheduled trigger runs the site's periodic jobs with the token it brings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from connector.db import request_session, utcnow
from connector.domain.errors import BadRequest, NotFound
from connector.platforms.forge.auth import authenticate_invocation, caller_for
from connector.platforms.forge.events import LIFECYCLE_EVENTS, as_webhook
from connector.platforms.forge.modules import EVENT_MODULES, SCHEDULED_MODULES, UI_MODULES
from connector.platforms.forge.views import render_module
from connector.practice.feedback_requests import send_due_requests
from connector.practice.health import snapshot_site_health
from connector.web.caller import set_caller
from macros.style import CSS
from webhooks.intake import acknowledgement, receive
from webhooks.reconcile import reconcile_site

log = logging.getLogger(__name__)
bp = Blueprint("forge", __name__, url_prefix="/forge")

SiteJob = Callable[[Flask, str, datetime], int]
_UI_PARAMS = ("team", "sides", "expectations", "side", "project", "issue")


@bp.get("/ui/<module>")
def ui(module: str) -> Response:
    # Each UI module's front end asks for its own module (forge/src/view.js): its token only.
    installation, claims = authenticate_invocation({module} if module in UI_MODULES else UI_MODULES)
    set_caller(caller_for(installation, claims))
    params = {k: request.args.get(k, "") for k in _UI_PARAMS}
    try:
        rendered = render_module(request_session(), installation, module, params)
    except KeyError as exc:
        raise NotFound(f"no Forge UI module {module!r}") from exc
    response = jsonify({"title": rendered.title, "html": rendered.html, "css": CSS})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/events")
def product_event() -> Response:
    installation, claims = authenticate_invocation(EVENT_MODULES)
    caller = caller_for(installation, claims)
    set_caller(caller)
    payload = _json_object()
    if payload.get("eventType") in LIFECYCLE_EVENTS:
        return Response(status=204)  # the installation was recorded while authenticating
    delivery = as_webhook(payload)
    headers = {
        "X-Atlassian-Webhook-Identifier": delivery.identifier,
        "X-Atlassian-Webhook-Retry": str(delivery.retry),
        "X-Atlassian-Webhook-Flow": "Primary",
    }
    fresh = receive(request_session(), caller, delivery.event, headers, delivery.body)
    return acknowledgement(fresh)


@bp.post("/lifecycle")
def lifecycle() -> Response:
    authenticate_invocation(EVENT_MODULES)
    return Response(status=204)


@bp.post("/scheduled")
def scheduled() -> Response:
    installation, claims = authenticate_invocation(SCHEDULED_MODULES)
    set_caller(caller_for(installation, claims))
    if installation.product != "jira":
        return jsonify({"siteId": installation.site_id, "jobs": {}})
    now = utcnow()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    outcome: dict[str, int | str] = {}
    for name, job in site_jobs(app).items():
        try:
            outcome[name] = job(app, installation.site_id, now)
        except Exception as exc:  # one failing job must not stop the others
            log.exception("forge scheduled job failed", extra={"job": name})
            outcome[name] = f"failed: {exc.__class__.__name__}"
    return jsonify({"siteId": installation.site_id, "jobs": outcome})


def site_jobs(app: Flask) -> Mapping[str, SiteJob]:
    """The periodic work for one site; tests may set `app.extensions["icm.forge_site_jobs"]`."""
    configured: Mapping[str, SiteJob] | None = app.extensions.get("icm.forge_site_jobs")
    if configured is not None:
        return configured
    return {
        "reconcile": reconcile_site,
        "feedbackRequests": send_due_requests,
        "healthSnapshot": snapshot_site_health,
    }


def _json_object() -> dict[str, object]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", code="malformed_event")
    return data
