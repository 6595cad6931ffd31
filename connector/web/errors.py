"""The one handler that renders every error as Atlassian-style JSON (`connector.domain.errors`)."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from connector.domain.errors import AuthenticationFailed, ICMError, Unavailable

log = logging.getLogger(__name__)


def error_response(error: ICMError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.status
    if isinstance(error, AuthenticationFailed):
        response.headers["WWW-Authenticate"] = 'JWT realm="internal-customer-map"'
    if isinstance(error, Unavailable):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ICMError)
    def _app_error(error: ICMError) -> Response:
        if error.status >= 500:
            log.warning("upstream failure: %s", error.message)
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        code = (error.name or "error").lower().replace(" ", "_")
        wrapped = ICMError(error.description or error.name or "error", code=code)
        wrapped.status = error.code or 500
        return error_response(wrapped)

    @app.errorhandler(OperationalError)
    def _database_away(error: OperationalError) -> Response:
        # Lost, refused or timed-out connections, a statement timeout, a locked SQLite file:
        # nothing was committed, and the caller may send the same request again.
        log.warning("database unavailable: %s", type(error.orig).__name__)
        return error_response(
            Unavailable(
                "the database is unavailable; try again shortly", code="database_unavailable"
            )
        )

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        wrapped = ICMError("an internal error occurred; it has been logged", code="internal_error")
        wrapped.status = 500
        return error_response(wrapped)
