"""Injected failures: rate limiting (429 with Jira's headers), 503s and latency."""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass
class FaultPlan:
    rate429: float = 0.0
    rate503: float = 0.0
    delayMs: int = 0  # noqa: N815 - named as in the admin API
    retryAfter: int = 1  # noqa: N815
    dropWebhooks: float = 0.0  # noqa: N815
    duplicateWebhooks: float = 0.0  # noqa: N815
    reorderWebhooks: int = 1  # noqa: N815
    # Jira's per-issue write limit: more writes than this to one issue within `perIssueWindow`
    # seconds are refused with 429 `RateLimit-Reason: jira-per-issue-on-write` (0: no limit).
    perIssueWrites: int = 0  # noqa: N815
    perIssueWindow: float = 10.0  # noqa: N815
    seed: int | None = None


ISSUE_WRITE = re.compile(r"^/rest/api/[23]/issue/([^/]+)(?:/|$)")
WRITES = frozenset({"PUT", "POST", "DELETE"})


@dataclass(frozen=True)
class InjectedFault:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class FaultInjector:
    def __init__(self) -> None:
        self.plan = FaultPlan()
        self._rng = random.Random()
        self._lock = threading.Lock()
        self._writes: dict[str, list[float]] = {}  # issue id or key -> times of recent writes
        self.per_issue_refusals = 0

    def configure(self, **changes: Any) -> FaultPlan:
        known = set(FaultPlan.__dataclass_fields__)
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"Unknown fault settings {sorted(unknown)}; known: {sorted(known)}")
        with self._lock:
            merged = {**asdict(self.plan), **changes}
            self.plan = FaultPlan(**merged)
            self._rng = random.Random(self.plan.seed)
            self._writes.clear()
            return self.plan

    def per_issue_write(self, method: str, path: str) -> InjectedFault | None:
        """Count a write to one issue (`/issue/{key}…`); refuse it past the per-issue limit.

        Refused writes count too, as in Jira: retrying early keeps an issue over its limit.
        """
        match = ISSUE_WRITE.match(path)
        limit = self.plan.perIssueWrites
        if not limit or method not in WRITES or match is None or match.group(1) == "bulk":
            return None
        now = time.monotonic()
        with self._lock:
            window = self.plan.perIssueWindow
            recent = [t for t in self._writes.get(match.group(1), []) if now - t < window]
            recent.append(now)
            self._writes[match.group(1)] = recent
            if len(recent) <= limit:
                return None
            self.per_issue_refusals += 1
        return InjectedFault(
            429,
            {
                "Retry-After": str(max(1, round(window))),
                "RateLimit-Reason": "jira-per-issue-on-write",
            },
            {"errorMessages": ["Rate limit exceeded."], "errors": {}},
        )

    def decide(self) -> InjectedFault | None:
        """Roll for one REST call; a returned fault is answered instead of running the call."""
        with self._lock:
            plan = self.plan
            roll = self._rng.random()
        if plan.delayMs:
            time.sleep(plan.delayMs / 1000)
        retry_after = str(plan.retryAfter)
        if roll < plan.rate429:
            reset = datetime.now(UTC) + timedelta(seconds=plan.retryAfter)
            return InjectedFault(
                429,
                {
                    "Retry-After": retry_after,
                    "X-RateLimit-Limit": "100",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),
                    "RateLimit-Reason": "jira-burst-based",
                },
                {"errorMessages": ["Rate limit exceeded."], "errors": {}},
            )
        if roll < plan.rate429 + plan.rate503:
            return InjectedFault(
                503,
                {"Retry-After": retry_after},
                {"errorMessages": ["Service temporarily unavailable."], "errors": {}},
            )
        return None
