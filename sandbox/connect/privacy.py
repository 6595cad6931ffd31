"""Atlassian's personal data reporting API, as a site answers it to a Connect app (and, through
`answer_report`, to a Forge app's `privacy.reportPersonalData`: `sandbox.forge.functions`).

`POST /rest/atlassian-connect/latest/report-accounts` (JWT-authenticated like any product REST
call): up to 90 `{accountId, updatedAt}`; 200 with the accounts needing action (`closed`, or
`updated` when the app's copy is older than the update), 204 when none does, 400 for a malformed
body, 429 with `Retry-After` while a rate limit is switched on; `Cycle-Period` when one is set.

Test hooks under `/_sandbox/privacy`: close or update an account, rate-limit the next calls, set
the cycle period, and read every batch the app reported.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandbox.web import site

blueprint = Blueprint("privacy", __name__)

REPORT_PATH = "/rest/atlassian-connect/latest/report-accounts"
LIMIT = 90
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9:\-]{1,128}$")


@dataclass
class PrivacyDirectory:
    """Which accounts are closed or updated (and when), and what the app reported."""

    closed: set[str] = field(default_factory=set)
    updated: dict[str, datetime] = field(default_factory=dict)
    reports: list[list[dict[str, str]]] = field(default_factory=list)
    rate_limited: int = 0  # the next N calls answer 429
    retry_after: int = 1
    cycle_period: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, accounts: list[dict[str, str]]) -> tuple[int, list[dict[str, str]]]:
        with self.lock:
            if self.rate_limited > 0:
                self.rate_limited -= 1
                return 429, []
            self.reports.append(accounts)
            actions = []
            for item in accounts:
                account = item["accountId"]
                if account in self.closed:
                    actions.append({"accountId": account, "status": "closed"})
                elif account in self.updated and _when(item["updatedAt"]) < self.updated[account]:
                    actions.append({"accountId": account, "status": "updated"})
            return (200 if actions else 204), actions


def _when(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("updatedAt needs a time zone (RFC 3339)")
    return value


def refusal(status: int, kind: str, message: str) -> Response:
    """The reporting API's error body (`errorType`, `errorMessage`) with `status`."""
    response = jsonify({"errorType": kind, "errorMessage": message})
    response.status_code = status
    return response


def _directory() -> PrivacyDirectory:
    directory: PrivacyDirectory = site().privacy
    return directory


@blueprint.post(REPORT_PATH)
def report_accounts() -> Any:
    return answer_report(request.get_json(silent=True))


def answer_report(body: Any) -> Response:
    """A report's answer, whichever way the app reached the API (Connect's path above, or
    api.atlassian.com's `/app/report-accounts` from a Forge app: `sandbox.forge.functions`)."""
    accounts = body.get("accounts") if isinstance(body, dict) else None
    if not isinstance(accounts, list) or not 1 <= len(accounts) <= LIMIT:
        return refusal(400, "invalid_request", f"accounts must list 1 to {LIMIT} accounts")
    for item in accounts:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("accountId"), str)
            or not ACCOUNT_ID.match(item["accountId"])
            or item["accountId"] == "unknown"
            or not isinstance(item.get("updatedAt"), str)
        ):
            return refusal(400, "invalid_request", "each account needs accountId and updatedAt")
        try:
            _when(item["updatedAt"])
        except ValueError:
            return refusal(400, "invalid_request", "updatedAt must be an RFC 3339 date-time")
    directory = _directory()
    status, actions = directory.answer([dict(item) for item in accounts])
    response = jsonify({"accounts": actions}) if status == 200 else Response(status=status)
    response.status_code = status
    if status == 429:
        response.headers["Retry-After"] = str(directory.retry_after)
    if directory.cycle_period:
        response.headers["Cycle-Period"] = directory.cycle_period
    return response


@blueprint.post("/_sandbox/privacy/accounts/<account_id>/close")
def close_account(account_id: str) -> Any:
    directory = _directory()
    with directory.lock:
        directory.closed.add(account_id)
    return {"accountId": account_id, "status": "closed"}


@blueprint.post("/_sandbox/privacy/accounts/<account_id>/update")
def update_account(account_id: str) -> Any:
    directory = _directory()
    with directory.lock:
        directory.updated[account_id] = datetime.now(UTC)
    return {"accountId": account_id, "status": "updated"}


@blueprint.post("/_sandbox/privacy/settings")
def settings() -> Any:
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    directory = _directory()
    with directory.lock:
        if "rateLimited" in data:
            directory.rate_limited = int(data["rateLimited"])
        if "retryAfter" in data:
            directory.retry_after = int(data["retryAfter"])
        if "cyclePeriod" in data:
            directory.cycle_period = str(data["cyclePeriod"]) if data["cyclePeriod"] else None
        return {
            "rateLimited": directory.rate_limited,
            "retryAfter": directory.retry_after,
            "cyclePeriod": directory.cycle_period,
        }


@blueprint.get("/_sandbox/privacy/reports")
def reports() -> Any:
    directory = _directory()
    with directory.lock:
        return {"reports": [list(batch) for batch in directory.reports]}
