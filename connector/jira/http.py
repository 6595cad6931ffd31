"""Calls from the app to Jira and Confluence: a `requests` session with our own retry policy, and
atlassian-python-api's Cloud clients on top of it. Each platform signs the session its own way
(`connector.platforms.connect.clients`, `connector.platforms.forge.clients`).

429 and 503 honour
`Retry-After` up to a cap; a POST that may have been processed (503) is never repeated blindly:
only requests that are safe to repeat are retried after a 503, while a 429 means Atlassian refused
the request before doing anything, so it is retried whatever the method.

Jira's points-based limits (since 2026-03-02): every 429/503 is logged with the headers that say
which limit and until when (`Retry-After`, `X-RateLimit-*`, `RateLimit-Reason`), and so is an
answer that says a budget is nearly spent (`X-RateLimit-NearLimit`). A 429 for the per-issue
write limit (`RateLimit-Reason: jira-per-issue-on-write`) is not retried here: the same write to
the same issue would count against the same limit again, so the caller's outbox backs off
instead (10 s, 20 s, … per task).
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from atlassian import ConfluenceV2, JiraCloud

log = logging.getLogger(__name__)

PER_ISSUE_WRITE = "jira-per-issue-on-write"
RATE_HEADERS = (
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-NearLimit",
    "RateLimit-Reason",
    "Beta-RateLimit-Policy",
    "Beta-RateLimit",
)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# POSTs that only read: repeating them is harmless.
READ_ONLY_POSTS = (
    "/rest/api/3/search/jql",
    "/rest/api/3/search/approximate-count",
    "/rest/api/3/jql/parse",
)
# Calls whose 429 is not waited for here: their caller defers the work to a later run after
# `Retry-After` (counting a measure by JQL: one call per measure per run, never a loop).
DEFERRED_ON_429 = ("/rest/api/3/search/approximate-count",)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries in all
    retry_after_cap: float = 30.0  # a longer Retry-After is not waited for
    backoff_base: float = 0.5  # without Retry-After: base * 2**n, with jitter

    def delay(self, response: requests.Response, attempt: int) -> float | None:
        """Seconds to wait before the next try, or None when the answer must stand."""
        if response.status_code not in (429, 503) or attempt + 1 >= self.attempts:
            return None
        method = (response.request.method or "GET").upper()
        path = urlsplit(response.request.url or "").path
        if response.status_code == 503 and not _safe_to_repeat(method, path):
            return None
        if response.headers.get("RateLimit-Reason") == PER_ISSUE_WRITE:
            return None  # the same write to the same issue would trip the same limit
        if response.status_code == 429 and path.endswith(DEFERRED_ON_429):
            return None

        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None:
            retry_after = self.backoff_base * 2**attempt * (1 + random.random() / 2)
        return retry_after if retry_after <= self.retry_after_cap else None


def policy_from(config: Mapping[str, Any]) -> RetryPolicy:
    """The retry policy the app's configuration asks for (Connect and Forge calls alike)."""
    return RetryPolicy(
        attempts=int(config.get("RETRY_ATTEMPTS", 4)),
        retry_after_cap=float(config.get("RETRY_AFTER_CAP_SECONDS", 30.0)),
    )


def rate_limit_headers(response: requests.Response) -> dict[str, str]:
    """The rate-limit headers of an answer, for the log (field names in snake case)."""
    return {
        name.lower().replace("-", "_"): response.headers[name]
        for name in RATE_HEADERS
        if name in response.headers
    }


def _safe_to_repeat(method: str, path: str) -> bool:
    return method in IDEMPOTENT_METHODS or any(path.endswith(p) for p in READ_ONLY_POSTS)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class RetryingSession(requests.Session):
    """A session that applies `RetryPolicy` around every send, re-signing each attempt."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.policy = policy
        self.default_timeout = timeout
        self.sleep = sleep
        self.retries = 0  # how many times this session waited and tried again

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if not kwargs.get("timeout"):
            kwargs["timeout"] = self.default_timeout
        attempt = 0
        while True:
            response = super().send(request, **kwargs)
            wait = self.policy.delay(response, attempt)
            limits = rate_limit_headers(response)
            where = {"method": request.method, "path": urlsplit(request.url or "").path}
            if wait is None:
                if response.status_code in (413, 429, 503):
                    log.warning(
                        "jira refused, not retried here",
                        extra={
                            "status": response.status_code,
                            "attempt": attempt,
                            **where,
                            **limits,
                        },
                    )
                elif limits.get("x_ratelimit_nearlimit") == "true":
                    log.warning("jira rate limit nearly reached", extra={**where, **limits})
                return response
            log.info(
                "retrying",
                extra={
                    "status": response.status_code,
                    "wait": round(wait, 2),
                    "attempt": attempt,
                    **where,
                    **limits,
                },
            )
            response.close()
            self.sleep(wait)
            attempt += 1
            self.retries += 1
            request = request.copy()
            if self.auth is not None and callable(self.auth):
                request = self.auth(request)


def jira_cloud(session: requests.Session, base_url: str) -> Any:
    """atlassian-python-api's Jira Cloud (v3) client on our signed session; it must not retry."""
    return JiraCloud(
        url=base_url.rstrip("/"),
        session=session,
        api_version=3,
        retry_with_header=False,
        backoff_and_retry=False,
    )


def confluence_cloud(session: requests.Session, base_url: str) -> Any:
    """The Confluence Cloud v2 client; `base_url` includes the `/wiki` context path."""
    with warnings.catch_warnings():
        # ConfluenceCloud warns on every construction that its *v1* methods are deprecated;
        # we call only v2 endpoints, so the warning says nothing about our use.
        warnings.simplefilter("ignore", DeprecationWarning)
        return ConfluenceV2(url=base_url.rstrip("/"), session=session, retry_with_header=False)


def origin(url: str) -> tuple[str, str]:
    """Scheme and host: a token goes only to the origin it was made for."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
