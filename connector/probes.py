"""Liveness and readiness probes: unauthenticated, cheap, and saying nothing about tenants."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from connector.db import get_db

log = logging.getLogger(__name__)
bp = Blueprint("probes", __name__)


@bp.get("/livez")
def livez() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    try:
        get_db().ping()
    except SQLAlchemyError as exc:
        log.warning("database not ready: %s", type(exc).__name__)
        response = jsonify({"status": "unavailable", "checks": {"database": "failing"}})
        response.status_code = 503
        return response
    return jsonify({"status": "ok", "checks": {"database": "ok"}})
