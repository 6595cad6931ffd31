"""Errors the simulated products answer with, in each product's own error body shape."""

from __future__ import annotations

from typing import Any


class SandboxHTTPError(Exception):
    """A product-side failure that becomes an HTTP answer."""

    status: int

    def body(self) -> dict[str, Any]:
        raise NotImplementedError


class JiraError(SandboxHTTPError):
    """Jira's `{"errorMessages": [...], "errors": {...}}` error."""

    def __init__(
        self,
        status: int,
        messages: list[str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.messages = messages or []
        self.errors = errors or {}
        super().__init__(f"{status}: {self.messages} {self.errors}")

    def body(self) -> dict[str, Any]:
        return {"errorMessages": list(self.messages), "errors": dict(self.errors)}


class ConfluenceError(SandboxHTTPError):
    """Confluence v2's `{"errors": [{"status", "code", "title", "detail"}]}` error."""

    def __init__(self, status: int, code: str, title: str) -> None:
        self.status = status
        self.code = code
        self.title = title
        super().__init__(f"{status} {code}: {title}")

    def body(self) -> dict[str, Any]:
        return {
            "errors": [
                {"status": self.status, "code": self.code, "title": self.title, "detail": None}
            ]
        }


def not_found_issue() -> JiraError:
    return JiraError(404, ["Issue does not exist or you do not have permission to see it."])
