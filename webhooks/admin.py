"""Routes: the parked deliveries of this site, and replaying one (whichever platform called)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from connector.db import request_session
from connector.domain.errors import NotFound
from connector.practice.roles import require_admin
from connector.web.caller import caller_required, current_caller
from webhooks import inbox

bp = Blueprint("webhooks_admin", __name__, url_prefix="/webhooks")


@bp.get("/admin/parked")
@caller_required(context_qsh=True)
def parked() -> Response:
    require_admin(request_session(), current_caller())
    rows = inbox.parked(request_session(), current_caller().site_id)
    return jsonify({"values": [row.as_json() | {"body": row.body[:4000]} for row in rows]})


@bp.post("/admin/parked/<int:delivery_id>/replay")
@caller_required(context_qsh=True)
def replay(delivery_id: int) -> Response:
    session = request_session()
    require_admin(session, current_caller())
    row = inbox.replay(session, current_caller().site_id, delivery_id)
    if row is None:
        raise NotFound(f"no parked delivery {delivery_id} on this site")
    session.commit()
    return jsonify(row.as_json())
