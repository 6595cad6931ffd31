"""Erasure of a closed account, on every site (accountIds are Atlassian-wide).

Leads are cleared (the team shows a former lead and needs a new one), so are integrators; member
rows go; ratings keep their numbers under one random pseudonym per account (health is unchanged:
one rating per author per window still holds) and lose their comment text. Stores outside the
practice erase their own rows (the inbox's deliveries: `webhooks.inbox.erase_account`),
registered by the app factory through `erase_also`. `updated` only marks the account refreshed:
the app caches no name, avatar or email, so there is nothing to re-fetch.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from connector.db import rows_affected
from connector.domain.accounts import is_account_id
from connector.practice.privacy.accounts import (
    PSEUDONYM_PREFIX,
    PrivacyAccount,
    by_name,
    present_columns,
    tables_present,
)

log = logging.getLogger(__name__)

# A store outside the practice that holds accountIds: (session, accountId) -> rows erased.
Eraser = Callable[[Session, str], int]
_ELSEWHERE: dict[str, Eraser] = {}
# Tables outside the practice naming accounts: when the schema has one, its eraser must be
# registered, so an erasure never skips it unnoticed.
OUTSIDE_TABLES = ("webhook_inbox",)


class EraserMissing(RuntimeError):
    """A table outside the practice holds accountIds and nothing registered how to erase them."""


def erase_also(name: str, eraser: Eraser) -> None:
    """Have `erase_account` call `eraser` too (the app factory registers the inbox's)."""
    _ELSEWHERE[name] = eraser


@dataclass
class Erasure:
    account_id: str
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        if count:
            self.rows[name] = self.rows.get(name, 0) + count


def erase_account(session: Session, account_id: str, now: datetime) -> Erasure:
    """Erase a closed account everywhere it lives, on every site. A malformed accountId names
    no account: nothing is erased."""
    done = Erasure(account_id)
    if not is_account_id(account_id):
        log.warning("erasure refused: not an accountId")
        return done
    pseudonym = f"{PSEUDONYM_PREFIX}{uuid.uuid4().hex}"
    for spot in present_columns(session):
        rows = by_name(spot.table, spot.column, "lead_closed_at", *spot.clear)
        match = rows.c[spot.column] == account_id
        if spot.erase == "delete":
            statement: Any = delete(rows).where(match)
        elif spot.erase == "former_lead":
            statement = update(rows).where(match).values({spot.column: None, "lead_closed_at": now})
        elif spot.erase == "pseudonym":
            values: dict[str, Any] = {spot.column: pseudonym}
            values.update(dict.fromkeys(spot.clear))
            statement = update(rows).where(match).values(values)
        else:
            statement = update(rows).where(match).values({spot.column: None})
        done.add(spot.table, rows_affected(session.execute(statement)))
    missing = [name for name in OUTSIDE_TABLES if name not in _ELSEWHERE]
    if missing and set(missing) & tables_present(session):
        raise EraserMissing(f"no eraser registered for {missing} (the app factory registers it)")
    for name, eraser in _ELSEWHERE.items():
        done.add(name, eraser(session, account_id))
    session.execute(delete(PrivacyAccount).where(PrivacyAccount.account_id == account_id))
    session.flush()
    log.info("closed account erased", extra={"rows": done.rows})
    return done


def refresh_account(session: Session, account_id: str, now: datetime) -> None:
    """`updated`: nothing beyond the accountId is cached, so the data is current as of now."""
    session.execute(
        update(PrivacyAccount).where(PrivacyAccount.account_id == account_id).values(updated_at=now)
    )
