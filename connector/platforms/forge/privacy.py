"""Forge's side of the personal data reporting cycle (docs/personal-data.md, forge/README.md).

A Forge remote has no documented way to call the reporting API; a Forge function does, with
`privacy.reportPersonalData` of `@forge/api` (platform/forge/runtime-reference/privacy-api). So
the function `icm-personal-data` (forge/src/privacy.js), run daily by a scheduled trigger, asks
the remote for its site's due accounts (`POST /forge/personal-data/due`), reports them, and posts
what the API answered back (`POST /forge/personal-data/answer`), which the remote applies through
`connector.practice.privacy` exactly as it applies a Connect answer. The body of that answer:

    {"accounts": [{"accountId", "updatedAt"}],      the batch reported (1-90)
     "status": 200,                                  or the failed call's status (0: no answer)
     "updates": [{"accountId", "status": "closed" | "updated"}],
     "retryAfter": "120", "cyclePeriod": null}       headers of a failed call, when it had them

`reportPersonalData` resolves with the updates of a 200 (or [] for a 204) and rejects with the
response itself otherwise, so its status and headers reach the remote; a success exposes no
`Cycle-Period`, so Forge sites keep the default period unless an error answer carried one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from connector.domain.accounts import is_account_id
from connector.domain.errors import BadRequest
from connector.jira.http import parse_retry_after
from connector.platforms.forge.installations import ForgeInstallationStore
from connector.practice.privacy import BATCH, ReportAnswer, parse_cycle_period

# The trigger runs daily at about the same time for an installation (Forge spreads installations
# over the interval, each at a consistent time: manifest-reference/modules/scheduled-trigger), so
# a turn due within the hour is taken now rather than a day late.
TRIGGER_SLACK = timedelta(hours=1)
# One missed daily run, and a day more: after that a site's accounts are reported late.
OVERDUE_GRACE = timedelta(days=2)


def reported_by_forge(session: Session, site_id: str) -> bool:
    """Whether the site is reported by its Forge app: it has an installed Forge installation."""
    store = ForgeInstallationStore(session)
    return any(store.for_site(site_id, product) for product in ("jira", "confluence"))


def parse_answer(body: Mapping[str, Any]) -> tuple[list[dict[str, str]], ReportAnswer]:
    """The batch the function reported and what the reporting API answered for it."""
    batch = _batch(body.get("accounts"))
    status = body.get("status")
    if not isinstance(status, int) or isinstance(status, bool) or not 0 <= status <= 599:
        raise BadRequest("status must be the reporting call's HTTP status", code="bad_answer")
    retry = parse_retry_after(_header(body, "retryAfter"))
    answer = ReportAnswer(
        status=status,
        retry_after=timedelta(seconds=retry) if retry is not None else None,
        cycle_period=parse_cycle_period(_header(body, "cyclePeriod")),
    )
    if not answer.ok:
        return batch, answer
    closed, updated = _updates(body.get("updates"))
    return batch, ReportAnswer(
        status=200,
        closed=closed,
        updated=updated,
        retry_after=answer.retry_after,
        cycle_period=answer.cycle_period,
    )


def _batch(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not 1 <= len(value) <= BATCH:
        raise BadRequest(
            f"accounts must list the 1 to {BATCH} accounts reported", code="bad_answer"
        )
    batch = []
    for item in value:
        account = item.get("accountId") if isinstance(item, dict) else None
        if not isinstance(account, str) or not is_account_id(account):
            raise BadRequest("each account needs its accountId", code="bad_answer")
        batch.append({"accountId": account, "updatedAt": str(item.get("updatedAt", ""))})
    return batch


def _updates(value: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if value is None:
        return (), ()
    if not isinstance(value, list):
        raise BadRequest("updates must be the list reportPersonalData resolved", code="bad_answer")
    closed: list[str] = []
    updated: list[str] = []
    for item in value:
        account = item.get("accountId") if isinstance(item, dict) else None
        status = str(item.get("status", "")).lower() if isinstance(item, dict) else ""
        if not isinstance(account, str):
            continue
        if status == "closed":
            closed.append(account)
        elif status == "updated":
            updated.append(account)
    return tuple(closed), tuple(updated)


def _header(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    return value if isinstance(value, str) else None
