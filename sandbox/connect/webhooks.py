"""Webhook delivery as Atlassian does it: signed, queued, retried, sometimes duplicated or late."""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from sandbox.connect import signing
from sandbox.connect.install import Installation

log = logging.getLogger(__name__)
REORDER_HOLD_S = 0.2


@dataclass
class DeliveryPolicy:
    max_retries: int = 3
    backoff_s: float = 0.05
    timeout_s: float = 5.0
    drop_rate: float = 0.0
    duplicate_rate: float = 0.0
    reorder_window: int = 1
    seed: int | None = None


@dataclass
class Delivery:
    identifier: str
    event: str
    url: str
    relative_url: str
    body: bytes
    installation: Installation
    flow: str = "Primary"
    duplicate: bool = False
    attempts: list[dict[str, Any]] = field(default_factory=list)
    outcome: str = "pending"

    def record(self) -> dict[str, Any]:
        return {
            "identifier": self.identifier,
            "event": self.event,
            "url": self.url,
            "flow": self.flow,
            "duplicate": self.duplicate,
            "outcome": self.outcome,
            "attempts": list(self.attempts),
            "payload": json.loads(self.body),
        }


class WebhookDispatcher:
    """Background queue that POSTs webhooks to the app and keeps a record of every delivery."""

    def __init__(self, policy: DeliveryPolicy | None = None) -> None:
        self.policy = policy or DeliveryPolicy()
        self.deliveries: list[Delivery] = []
        self._queue: list[Delivery] = []
        self._cond = threading.Condition()
        self._busy = 0
        self._rng = random.Random(self.policy.seed)
        self._stopping = False
        self._thread: threading.Thread | None = None

    def configure(self, **changes: Any) -> None:
        with self._cond:
            for name, value in changes.items():
                setattr(self.policy, name, value)
            if "seed" in changes:
                self._rng = random.Random(changes["seed"])

    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def send(
        self,
        installation: Installation,
        event: str,
        payload: dict[str, Any],
        flow: str = "Primary",
        matches: Callable[[str], bool] | None = None,
    ) -> None:
        """Queue `event` to every webhook module of the installation that subscribes to it and
        whose JQL `filter` (if any) `matches` the event's issue."""
        for module in installation.modules.get("webhooks") or []:
            if module.get("event") != event:
                continue
            jql = module.get("filter")
            if jql and matches is not None and not matches(str(jql)):
                continue
            relative = substitute(str(module.get("url", "")), payload)
            body = json.dumps(payload).encode()
            with self._cond:
                copies = 2 if self._rng.random() < self.policy.duplicate_rate else 1
                dropped = self._rng.random() < self.policy.drop_rate
                identifier = str(uuid.uuid4())
                for copy in range(copies):
                    delivery = Delivery(
                        identifier,
                        event,
                        installation.app_base_url + relative,
                        relative,
                        body,
                        installation,
                        flow,
                        duplicate=copy > 0,
                    )
                    self.deliveries.append(delivery)
                    if dropped:
                        delivery.outcome = "dropped"
                    else:
                        self._queue.append(delivery)
                self._cond.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery finished (delivered, failed or dropped)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def records(self) -> list[dict[str, Any]]:
        with self._cond:
            return [d.record() for d in self.deliveries]

    def _next(self) -> Delivery | None:
        with self._cond:
            while not self._queue and not self._stopping:
                self._cond.wait()
            if self._stopping:
                return None
            window = max(1, self.policy.reorder_window)
            deadline = time.monotonic() + REORDER_HOLD_S
            while window > 1 and len(self._queue) < window and not self._stopping:
                # Let a few more events arrive so that a later one can overtake an earlier one.
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            index = self._rng.randrange(min(window, len(self._queue)))
            self._busy += 1
            return self._queue.pop(index)

    def _run(self) -> None:
        while True:
            delivery = self._next()
            if delivery is None:
                return
            try:
                self._deliver(delivery)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        inst = delivery.installation
        for retry in range(self.policy.max_retries + 1):
            if retry:
                time.sleep(self.policy.backoff_s * 2 ** (retry - 1))
            token = signing.hs256_token(
                inst.shared_secret, inst.client_key, "POST", delivery.relative_url
            )
            headers = {
                "Authorization": f"JWT {token}",
                "Content-Type": "application/json",
                "X-Atlassian-Webhook-Identifier": delivery.identifier,
                "X-Atlassian-Webhook-Retry": str(retry),
                "X-Atlassian-Webhook-Flow": delivery.flow,
                "User-Agent": "Atlassian Webhook HTTP Client (sandbox)",
            }
            attempt: dict[str, Any] = {"retry": retry, "at": time.time()}
            delivery.attempts.append(attempt)
            try:
                response = requests.post(
                    delivery.url, data=delivery.body, headers=headers, timeout=self.policy.timeout_s
                )
            except requests.RequestException as exc:
                attempt["error"] = exc.__class__.__name__
                continue
            attempt["status"] = response.status_code
            if response.status_code < 500:
                delivery.outcome = "delivered" if response.status_code < 300 else "rejected"
                return
        delivery.outcome = "failed"
        log.info("webhook %s to %s failed after retries", delivery.event, delivery.url)


def substitute(url: str, payload: dict[str, Any]) -> str:
    """Fill Connect webhook URL variables such as `{issue.key}` from the payload."""
    values: dict[str, str] = {}
    issue = payload.get("issue") or {}
    if isinstance(issue, dict):
        values["issue.key"] = str(issue.get("key", ""))
        values["issue.id"] = str(issue.get("id", ""))
        project = (issue.get("fields") or {}).get("project") or {}
        values["project.key"] = str(project.get("key", ""))
        values["project.id"] = str(project.get("id", ""))
    for name, value in values.items():
        url = url.replace("{" + name + "}", value)
    return url
