"""The app's error hierarchy; `connector.web.errors` renders each as Atlassian-style JSON.

ICMError (400)
├── BadRequest (400)          malformed input: not JSON, wrong shape
├── ValidationFailed (422)    well-formed input that breaks a rule; `details` names the fields
├── AuthenticationFailed (401)
├── Forbidden (403)
├── NotFound (404)
├── Conflict (409)            e.g. an illegal state transition, with the allowed ones
├── UpstreamError (502)       Jira or Confluence failed us
└── Unavailable (503)         we cannot answer now (the database is away); `Retry-After` says when
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ICMError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = dict(details or {})

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(ICMError):
    status = 400
    code = "bad_request"


class ValidationFailed(ICMError):
    status = 422
    code = "validation_failed"


class AuthenticationFailed(ICMError):
    status = 401
    code = "unauthenticated"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class Forbidden(ICMError):
    status = 403
    code = "forbidden"


class NotFound(ICMError):
    status = 404
    code = "not_found"


class Conflict(ICMError):
    status = 409
    code = "conflict"


class UpstreamError(ICMError):
    status = 502
    code = "upstream_error"


class Unavailable(ICMError):
    """503 with `Retry-After`: nothing was done, and the same request may be sent again."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str, *, retry_after: int = 30, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retryAfter": retry_after})
        self.retry_after = retry_after
