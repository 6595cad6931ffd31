"""Liveness and readiness probes: unauthenticated, cheap, and saying nothing about tenants."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from connector.db import get_db, utcnow
from connector.practice.job_runs import schedule_status
from webhooks.committer import GroupCommitter
from webhooks.intake import COMMITTER

log = logging.getLogger(__name__)
bp = Blueprint("probes", __name__)


@bp.get("/livez")
def livez() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """The database answers within 3 s; the intake's committer (PostgreSQL) is running and not
    stuck ("down": its thread had died and has just been started again; "stalled"; "failing")."""
    checks = {"database": "ok"}
    try:
        get_db().ping()
    except SQLAlchemyError as exc:
        log.warning("database not ready: %s", type(exc).__name__)
        checks["database"] = "failing"
    committer: GroupCommitter | None = current_app.extensions.get(COMMITTER)
    if committer is not None:
        checks["committer"] = committer.health()
    ready = all(state == "ok" for state in checks.values())
    if checks["database"] == "ok":
        checks["scheduler"] = _scheduler()  # said, not counted: this instance still serves
    response = jsonify({"status": "ok" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    return response


def _scheduler() -> str:
    """ "overdue: <jobs>" when a scheduled job has not run for two periods (no instance is running
    the scheduler, or its jobs keep dying); this instance still serves, so it stays ready."""
    with get_db().transaction() as session:
        late = [job["job"] for job in schedule_status(session, utcnow()) if job["overdue"]]
    return f"overdue: {', '.join(late)}" if late else "ok"


@bp.get("/.well-known/security.txt")
def security_txt() -> Response:
    """Where to report a vulnerability (SECURITY.md): ICM_SECURITY_CONTACT, or 404 when unset."""
    contact = str(current_app.config.get("SECURITY_CONTACT") or "").strip()
    if not contact:
        return Response("no security contact is configured\n", 404, mimetype="text/plain")
    if "@" in contact and not contact.startswith(("mailto:", "https://")):
        contact = "mailto:" + contact
    expires = (utcnow() + timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = f"Contact: {contact}\nExpires: {expires}\nPreferred-Languages: en\n"
    return Response(body, mimetype="text/plain")
