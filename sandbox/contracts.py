"""Checks every call against Atlassian's published OpenAPI documents (Jira v3, Confluence v2)."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response

log = logging.getLogger(__name__)

JIRA_SPEC = "jira/jira-platform-v3.openapi.json"
CONFLUENCE_SPEC = "confluence/confluence-v2.openapi.json"
CONFLUENCE_PREFIX = "/wiki/api/v2"

# Only the operations the sandbox implements: path matching over 400+ paths would cost more.
JIRA_PATHS = (
    "/rest/api/3/myself",
    "/rest/api/3/permissions/check",
    "/rest/api/3/user/search",
    "/rest/api/3/project/search",
    "/rest/api/3/project/{projectIdOrKey}",
    "/rest/api/3/issuetype",
    "/rest/api/3/issuetype/project",
    "/rest/api/3/issue",
    "/rest/api/3/issue/bulk",
    "/rest/api/3/issue/{issueIdOrKey}",
    "/rest/api/3/issue/{issueIdOrKey}/transitions",
    "/rest/api/3/issue/{issueIdOrKey}/comment",
    "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
    "/rest/api/3/issue/{issueIdOrKey}/properties",
    "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    "/rest/api/3/search/jql",
    "/rest/api/3/search/approximate-count",  # sandbox/jira/counts.py
    "/rest/api/3/jql/parse",
    "/rest/api/3/issueLinkType",
    "/rest/api/3/issueLinkType/{issueLinkTypeId}",
    "/rest/api/3/issueLink",
    "/rest/api/3/issueLink/{linkId}",
)
CONFLUENCE_PATHS = (
    "/spaces",
    "/spaces/{id}",
    "/pages",
    "/pages/{id}",
    "/pages/{page-id}/properties",
    "/pages/{page-id}/properties/{property-id}",
)
# Where the products are known to differ from their documents, the sandbox acts like the product:
# Confluence answers a stale version with 409 (undocumented); Jira sends no body with these
# answers although the document declares JSON content.
KNOWN_DEVIATIONS = (
    (re.compile(r"/wiki/api/v2/"), 409, "Unknown response"),
    (re.compile(r"/rest/api/3/issueLink$"), 201, "Missing response data"),
    (re.compile(r"/rest/api/3/"), 204, "Missing response data"),  # 204 has no body by HTTP
)

# Jira's timestamps (`2026-11-27T10:00:00.000+0000`, Java's `Z` offset) have no colon in the
# offset, which RFC 3339 and so the documents' `date-time` format require. Real Jira sends them in
# every response, so the sandbox does too: in Jira responses a `date-time` field may have exactly
# that shape, and it must still be a real instant. Nothing else about date-times is relaxed.
JIRA_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}")
JIRA_PREFIX = "/rest/api/3/"

_cache: dict[Path, tuple[OpenAPI, OpenAPI]] = {}
_cache_lock = threading.Lock()


def default_specs_dir() -> Path:
    configured = os.environ.get("ICM_SPECS_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1].parent / "shared" / "specs"


def _any_of(node: Any) -> Any:
    """`oneOf` read as `anyOf`: the documents put `oneOf` over overlapping permissive object
    schemas (e.g. Confluence's PageBodyWrite | PageNestedBodyWrite), which no body can satisfy."""
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_of(v) for v in node]
    return node


def _reduced(document: dict[str, Any], keep: tuple[str, ...], prefix: str) -> dict[str, Any]:
    """The document with only `keep` paths, mounted under `prefix`, and no security rules."""
    reduced: dict[str, Any] = _any_of(document)
    paths = reduced["paths"]
    reduced["paths"] = {}
    for path in keep:
        item = paths[path]
        for operation in item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
        reduced["paths"][prefix + path] = item
    reduced.pop("security", None)
    reduced["servers"] = [{"url": "/"}]
    return reduced


def load_specs(specs_dir: Path) -> tuple[OpenAPI, OpenAPI]:
    """Both reduced documents, built once per process and directory."""
    key = specs_dir.resolve()
    with _cache_lock:
        if key not in _cache:
            started = time.perf_counter()
            config = Config(spec_validator_cls=None)
            jira = json.loads((key / JIRA_SPEC).read_text(encoding="utf-8"))
            confluence = json.loads((key / CONFLUENCE_SPEC).read_text(encoding="utf-8"))
            _cache[key] = (
                OpenAPI.from_dict(_reduced(jira, JIRA_PATHS, ""), config=config),
                OpenAPI.from_dict(
                    _reduced(confluence, CONFLUENCE_PATHS, CONFLUENCE_PREFIX), config=config
                ),
            )
            log.info("loaded Atlassian OpenAPI documents in %.2fs", time.perf_counter() - started)
        return _cache[key]


def _schema_errors(error: Exception) -> Sequence[Any]:
    return getattr(error.__cause__, "schema_errors", None) or ()


def _describe(error: Exception, schema_errors: Sequence[Any] | None = None) -> str:
    """The error and each schema error (only `schema_errors` when some were set aside)."""
    every = _schema_errors(error)
    shown = every if schema_errors is None else schema_errors
    if len(shown) == len(every):
        details = [str(error)]
    else:
        details = [f"{error.__class__.__name__} (Jira's `+0000` date-times set aside)"]
    details += [f"{'/'.join(str(p) for p in e.path) or '<body>'}: {e.message}" for e in shown]
    if error.__cause__ is not None and not every:
        details.append(str(error.__cause__))
    return "; ".join(details)


def is_jira_timestamp(schema_error: Any) -> bool:
    """A `date-time` that fails only by Jira's colon-less offset (see JIRA_DATE_TIME)."""
    value = schema_error.instance
    if (schema_error.validator, schema_error.validator_value) != ("format", "date-time"):
        return False
    if not isinstance(value, str) or not JIRA_DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return False  # the right shape, but no such instant (month 13, hour 25, ...)
    return True


def known_deviation(path: str, status: int, error: str) -> bool:
    if status >= 400 and "Valid mimetypes: []" in error:
        return True  # the documents describe no error bodies; the products send JSON ones
    return any(
        pattern.search(path) and status == code and error.startswith(kind)
        for pattern, code, kind in KNOWN_DEVIATIONS
    )


class ContractChecker:
    """Validates requests and responses of implemented operations; records the time it takes."""

    def __init__(self, specs_dir: Path | None, enabled: bool = True) -> None:
        self.specs_dir = specs_dir or default_specs_dir()
        self.enabled = enabled and (self.specs_dir / JIRA_SPEC).is_file()
        self.seconds = 0.0
        self.checks = 0
        if enabled and not self.enabled:
            log.warning("Atlassian specs not found in %s: running unvalidated", self.specs_dir)

    def _spec_for(self, path: str) -> OpenAPI | None:
        if not self.enabled:
            return None
        jira, confluence = load_specs(self.specs_dir)
        if path.startswith("/rest/api/3/"):
            return jira
        if path.startswith(CONFLUENCE_PREFIX + "/"):
            return confluence
        return None

    def check_request(self, request: Request) -> list[str]:
        spec = self._spec_for(request.path)
        if spec is None:
            return []
        started = time.perf_counter()
        errors = [
            f"request {request.method} {request.path}: {_describe(e)}"
            for e in spec.iter_request_errors(WerkzeugOpenAPIRequest(request))
        ]
        self._count(started)
        return errors

    def check_response(self, request: Request, response: Response) -> list[str]:
        spec = self._spec_for(request.path)
        if spec is None:
            return []
        started = time.perf_counter()
        openapi_response = WerkzeugOpenAPIResponse(response)
        errors = []
        for error in spec.iter_response_errors(WerkzeugOpenAPIRequest(request), openapi_response):
            if known_deviation(request.path, response.status_code, str(error)):
                continue
            every = _schema_errors(error)
            kept = every
            if request.path.startswith(JIRA_PREFIX):
                kept = [e for e in every if not is_jira_timestamp(e)]
                if every and not kept:
                    continue
            errors.append(
                f"response {response.status_code} to {request.method} {request.path}: "
                f"{_describe(error, kept)}"
            )
        self._count(started)
        return errors

    def _count(self, started: float) -> None:
        self.seconds += time.perf_counter() - started
        self.checks += 1
