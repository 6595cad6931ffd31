"""A closed account's inbox deliveries (docs/personal-data.md): found by the accountId fields
the kept payload holds (`webhooks.kept.ACCOUNT_FIELDS`), exactly, and only for a well-formed
accountId. A parked delivery, stored as received, goes when one of its `accountId` fields is the
account. The database narrows the candidates to bodies holding the id's text; the decision is the
field's, so a short id (`a`) or one inside another never deletes a delivery naming someone else.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connector.db import rows_affected
from connector.domain.accounts import is_account_id
from webhooks.inbox import DeliveryState, InboxDelivery
from webhooks.kept import accounts_named


def erase_account(session: Session, account_id: str) -> int:
    """Delete the deliveries naming `account_id` (on every site); how many went."""
    if not is_account_id(account_id):
        return 0
    candidates = session.execute(
        select(InboxDelivery.id, InboxDelivery.state, InboxDelivery.body).where(
            InboxDelivery.body.contains(account_id, autoescape=True)
        )
    )
    doomed = [
        row_id for row_id, state, body in candidates if names_account(state, body, account_id)
    ]
    if not doomed:
        return 0
    return rows_affected(session.execute(delete(InboxDelivery).where(InboxDelivery.id.in_(doomed))))


def names_account(state: str, body: str, account_id: str) -> bool:
    """Whether a stored delivery names the account in a field that holds accountIds."""
    if state == DeliveryState.PARKED:
        pattern = r'"accountId"\s*:\s*"' + re.escape(account_id) + '"'
        return re.search(pattern, body) is not None
    try:
        kept: Any = json.loads(body)
    except ValueError:
        return False
    return isinstance(kept, dict) and account_id in accounts_named(kept)
