"""Forge Remote endpoints (forge/manifest.yml `endpoint` modules point here).

Every call carries a Forge Invocation Token; a failed check is a 401 with the JSON error body.
UI invocations answer the module's HTML; product events go into the same webhook inbox as
Connect's; the scheduled trigger brings a fresh app token and hands the work to the scheduler;
the personal data function asks for its site's due accounts and hands back what Atlassian said.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request

from connector.db import get_db, request_session, utcnow
from connector.domain.errors import BadRequest, NotFound
from connector.platforms.forge.auth import (
    authenticate_invocation,
    caller_for,
    recorded_invocations,
)
from connector.platforms.forge.events import LIFECYCLE_EVENTS, as_webhook, is_lifecycle
from connector.platforms.forge.installations import ForgeInstallationStore
from connector.platforms.forge.modules import (
    BACKEND_REFUSED,
    EVENT_MODULES,
    LIFECYCLE_MODULES,
    SCHEDULED_MODULES,
    UI_MODULES,
    UNINSTALL_MODULES,
)
from connector.platforms.forge.privacy import TRIGGER_SLACK, parse_answer
from connector.platforms.forge.views import render_module
from connector.practice.privacy import answer_for_site, due_accounts
from connector.web.caller import set_caller
from macros.style import CSS
from webhooks.intake import acknowledgement, receive

log = logging.getLogger(__name__)
bp = Blueprint("forge", __name__, url_prefix="/forge")

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
    # An app deployed before the lifecycle trigger had its own endpoint sends lifecycle here.
    installation, claims = authenticate_invocation(EVENT_MODULES | LIFECYCLE_MODULES)
    caller = caller_for(installation, claims)
    set_caller(caller)
    payload = _json_object()
    if is_lifecycle(payload) or payload.get("eventType") in LIFECYCLE_EVENTS:
        return Response(status=204)  # the installation was recorded while authenticating
    delivery = as_webhook(payload)
    headers = {
        "X-Atlassian-Webhook-Identifier": delivery.identifier,
        "X-Atlassian-Webhook-Retry": str(delivery.retry),
        "X-Atlassian-Webhook-Flow": "Primary",
    }
    fresh = receive(request_session, caller, delivery.event, headers, delivery.body)
    return acknowledgement(fresh)


@bp.post("/lifecycle")
def lifecycle() -> Response:
    """`avi:forge:installed:app` and `avi:forge:upgraded:app`: authenticating recorded the
    installation (its products, version, app token); the body is read for nothing more."""
    authenticate_invocation(LIFECYCLE_MODULES)
    return Response(status=204)


@bp.post("/uninstall")
def pre_uninstall() -> Response:
    """Forge's preUninstall (`{context: {cloudId, moduleKey}, contextToken}`): the installation
    the token names is uninstalled from now on; its app token is dropped and the purge clock
    (PURGE_AFTER_UNINSTALL_DAYS) starts. Answered at once: Forge does not wait for it."""
    installation, claims = authenticate_invocation(UNINSTALL_MODULES, userless=True)
    set_caller(caller_for(installation, claims))
    with get_db().transaction() as session:
        ForgeInstallationStore(session).uninstall(installation.installation_id, utcnow())
    recorded_invocations(current_app._get_current_object()).forget(  # type: ignore[attr-defined]
        installation.installation_id
    )
    log.info("forge installation uninstalled", extra={"site": installation.site_id})
    return jsonify({"installation": installation.installation_id, "state": "uninstalled"})


@bp.post("/scheduled")
def scheduled() -> Response:
    """The hourly scheduled trigger: answered at once (Forge waits 5 s), its work handed over.

    Authenticating recorded the installation, its fresh app token (with the token's own expiry)
    and that Forge still invokes it. The periodic work itself (reconciliation, feedback requests,
    health snapshots, pushing the outbox) is the scheduler's (`connector.scheduler`), which runs
    it for every site holding a usable token, this one included."""
    installation, claims = authenticate_invocation(SCHEDULED_MODULES)
    set_caller(caller_for(installation, claims))
    expires = installation.system_token_expires_at
    body = {
        "siteId": installation.site_id,
        "product": installation.product,
        "handedTo": "scheduler",
        "tokenExpiresAt": expires.isoformat() if expires else None,
    }
    response = jsonify(body)
    response.status_code = 202
    return response


@bp.post("/personal-data/due")
def personal_data_due() -> Response:
    """The reporting function's question: its site's next batch (<= 90), [] when none is due."""
    installation, claims = authenticate_invocation(None, refused=BACKEND_REFUSED, userless=True)
    set_caller(caller_for(installation, claims))
    accounts = due_accounts(get_db(), installation.site_id, utcnow(), early=TRIGGER_SLACK)
    return jsonify({"accounts": accounts})


@bp.post("/personal-data/answer")
def personal_data_answer() -> Response:
    """What `privacy.reportPersonalData` answered for a batch: applied to this site's accounts
    only, as a Connect answer is (connector/platforms/forge/privacy.py)."""
    installation, claims = authenticate_invocation(None, refused=BACKEND_REFUSED, userless=True)
    set_caller(caller_for(installation, claims))
    batch, answer = parse_answer(_json_object())
    result = answer_for_site(get_db(), installation.site_id, batch, answer, utcnow())
    return jsonify(
        {
            "outcome": result.outcome,
            "reported": result.reported,
            "closed": result.closed,
            "updated": result.updated,
        }
    )


def _json_object() -> dict[str, object]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", code="malformed_event")
    return data
