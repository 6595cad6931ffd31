"""Routes: the Jira webhook receivers (Connect JWT with qsh), and the parked-delivery admin view."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from connector.auth import tenant_required
from connector.caller import current_caller
from connector.db import request_session
from connector.errors import NotFound
from webhooks import inbox
from webhooks.intake import SLUGS, acknowledgement, receive

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.post("/jira/<slug>")
@tenant_required()
def jira_event(slug: str) -> Response:
    event = SLUGS.get(slug)
    if event is None:
        raise NotFound(f"no webhook receiver at /webhooks/jira/{slug}")
    fresh = receive(
        request_session(), current_caller(), event, dict(request.headers), request.get_data()
    )
    return acknowledgement(fresh)


@bp.get("/admin/parked")
@tenant_required(context_qsh=True)
def parked() -> Response:
    rows = inbox.parked(request_session(), current_caller().site_id)
    return jsonify({"values": [row.as_json() | {"body": row.body[:4000]} for row in rows]})


@bp.post("/admin/parked/<int:delivery_id>/replay")
@tenant_required(context_qsh=True)
def replay(delivery_id: int) -> Response:
    session = request_session()
    row = inbox.replay(session, current_caller().site_id, delivery_id)
    if row is None:
        raise NotFound(f"no parked delivery {delivery_id} on this site")
    session.commit()
    return jsonify(row.as_json())
