"""The one handler that renders every error as Atlassian-style JSON (`connector.domain.errors`)."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from connector.domain.errors import AuthenticationFailed, ICMError

log = logging.getLogger(__name__)


def error_response(error: ICMError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.status
    if isinstance(error, AuthenticationFailed):
        response.headers["WWW-Authenticate"] = 'JWT realm="internal-customer-map"'
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

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        wrapped = ICMError("an internal error occurred; it has been logged", code="internal_error")
        wrapped.status = 500
        return error_response(wrapped)
