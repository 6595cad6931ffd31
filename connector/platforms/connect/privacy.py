"""Connect's side of the personal data reporting cycle: one call to the site's report-accounts
resource, signed as the app with the installation's shared secret (qsh of that very request).

`POST {baseUrl}/rest/atlassian-connect/latest/report-accounts`, body `{"accounts": [{"accountId",
"updatedAt"}]}` (≤ 90), answers 200 `{"accounts": [{"accountId", "status": "closed"|"updated"}]}`,
204 (nothing to do), 429 with `Retry-After`, and may carry `Cycle-Period` (docs/personal-data.md).
The session does not retry: the cycle reschedules itself on a 429 instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy.orm import Session

from connector.jira.http import RetryPolicy, parse_retry_after
from connector.platforms.connect.clients import signed_session
from connector.platforms.connect.tenants import SqlTenantStore
from connector.practice.privacy import ReportAnswer, Reporter, parse_cycle_period

REPORT_PATH = "/rest/atlassian-connect/latest/report-accounts"


def connect_reporter(session: Session, site_id: str, config: Mapping[str, Any]) -> Reporter | None:
    """How to report for `site_id` through its Connect installation (Jira first), or None."""
    store = SqlTenantStore(session)
    tenant = store.for_site(site_id, "jira") or store.for_site(site_id, "confluence")
    if tenant is None:
        return None
    # Confluence's baseUrl ends in /wiki; the reporting resource lives at the site's root too,
    # but the token's qsh is computed relative to the base URL the request is made under.
    base_url = tenant.base_url.rstrip("/")
    http = signed_session(
        app_key=tenant.app_key,
        shared_secret=tenant.shared_secret,
        product_base_url=base_url,
        policy=RetryPolicy(attempts=1),
        timeout=float(config.get("HTTP_TIMEOUT_SECONDS", 30.0)),
    )

    def report(accounts: Sequence[dict[str, str]]) -> ReportAnswer:
        response = http.post(base_url + REPORT_PATH, json={"accounts": list(accounts)})
        return answer_of(response)

    return report


def answer_of(response: requests.Response) -> ReportAnswer:
    retry = parse_retry_after(response.headers.get("Retry-After"))
    answer = ReportAnswer(
        status=response.status_code,
        retry_after=timedelta(seconds=retry) if retry is not None else None,
        cycle_period=parse_cycle_period(response.headers.get("Cycle-Period")),
    )
    if response.status_code != 200:
        return answer
    try:
        body = response.json()
    except ValueError:
        return ReportAnswer(status=502, retry_after=answer.retry_after)
    items = body.get("accounts") if isinstance(body, dict) else None
    closed: list[str] = []
    updated: list[str] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("accountId"), str):
            continue
        if item.get("status") == "closed":
            closed.append(item["accountId"])
        elif item.get("status") == "updated":
            updated.append(item["accountId"])
    return ReportAnswer(
        status=200,
        closed=tuple(closed),
        updated=tuple(updated),
        retry_after=answer.retry_after,
        cycle_period=answer.cycle_period,
    )
