"""The Jira webhook receivers of a Connect installation (Connect JWT with qsh, nothing else)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from connector.db import request_session
from connector.domain.errors import NotFound
from connector.platforms.connect.auth import tenant_required
from connector.web.caller import current_caller
from webhooks.intake import SLUGS, acknowledgement, receive

bp = Blueprint("connect_webhooks", __name__, url_prefix="/webhooks")


@bp.post("/jira/<slug>")
@tenant_required(cached=True)
def jira_event(slug: str) -> Response:
    event = SLUGS.get(slug)
    if event is None:
        raise NotFound(f"no webhook receiver at /webhooks/jira/{slug}")
    fresh = receive(request_session, current_caller(), event, request.headers, request.get_data())
    return acknowledgement(fresh)
