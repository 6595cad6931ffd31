"""The personal data reporting cycle Atlassian asks for: every accountId held is reported once
per cycle (default 7 days, or the `Cycle-Period` the API answers, if at least an hour), in
batches of at most 90; closed accounts are erased, updated ones marked refreshed.

Two drivers over the same steps: the remote itself (`report_site`: Connect), or the platform's
side, which asks for the due batch and hands back the answer (`due_accounts`, `answer_for_site`:
a Forge function). A turn reads the site's due accounts once, in one query the database answers
from its own tables, then walks them batch by batch: linear in the accounts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from connector.db import Database, utcnow
from connector.practice.privacy.accounts import (
    PrivacyAccount,
    PrivacyCycle,
    held_accounts,
    site_accounts,
    track_accounts,
)
from connector.practice.privacy.erasure import erase_account, refresh_account

log = logging.getLogger(__name__)

BATCH = 90  # accounts per report request (Atlassian's limit)
DEFAULT_CYCLE = timedelta(days=7)
RETRY_LATER = timedelta(hours=1)  # after an error answer without Retry-After
RATE_LIMITED = timedelta(minutes=1)  # after a 429 without Retry-After
MIN_CYCLE = timedelta(hours=1)  # a Cycle-Period shorter than this is not believed
MAX_BATCHES = 500  # per run and site (45,000 accounts); the rest continue on the next run


@dataclass(frozen=True)
class ReportAnswer:
    """What one report call answered, whichever platform made it."""

    status: int
    closed: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    retry_after: timedelta | None = None
    cycle_period: timedelta | None = None

    @property
    def ok(self) -> bool:
        return self.status in (200, 204)


# A platform's way to report one batch for a site: accounts -> answer.
Reporter = Callable[[Sequence[dict[str, str]]], ReportAnswer]


@dataclass
class CycleOutcome:
    reported: int = 0
    closed: int = 0
    updated: int = 0
    outcome: str = "skipped"


@dataclass(frozen=True)
class DueAccount:
    account_id: str
    updated_at: datetime
    reported_at: datetime | None

    def item(self) -> dict[str, str]:
        return {"accountId": self.account_id, "updatedAt": rfc3339(self.updated_at)}


def parse_cycle_period(value: str | None) -> timedelta | None:
    """`Cycle-Period`: its format is undocumented; accept seconds, "20 Days", "P7D" or "PT12H"."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    words = re.fullmatch(r"(\d+)\s*(second|minute|hour|day|week)s?", text, re.IGNORECASE)
    if words:
        return timedelta(**{words.group(2).lower() + "s": int(words.group(1))})
    iso = re.fullmatch(
        r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text, re.IGNORECASE
    )
    if iso and any(iso.groups()):
        weeks, days, hours, minutes, seconds = (int(part or 0) for part in iso.groups())
        return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    return None


def cycle_of(session: Session, site_id: str, now: datetime) -> PrivacyCycle:
    cycle = session.get(PrivacyCycle, site_id)
    if cycle is None:
        cycle = PrivacyCycle(
            site_id=site_id,
            period_seconds=int(DEFAULT_CYCLE.total_seconds()),
            next_run_at=now,
            updated_at=now,
        )
        session.add(cycle)
        session.flush()
    return cycle


def due_rows(
    session: Session, site_id: str, period: timedelta, now: datetime, limit: int | None
) -> list[DueAccount]:
    """The site's accounts not reported within the period, oldest report first (never reported
    first of all); at most `limit`."""
    query = (
        select(PrivacyAccount.account_id, PrivacyAccount.updated_at, PrivacyAccount.reported_at)
        .where(
            PrivacyAccount.account_id.in_(site_accounts(session, site_id)),
            or_(PrivacyAccount.reported_at.is_(None), PrivacyAccount.reported_at <= now - period),
        )
        .order_by(
            PrivacyAccount.reported_at.is_not(None),
            PrivacyAccount.reported_at,
            PrivacyAccount.account_id,
        )
    )
    if limit is not None:
        query = query.limit(limit)
    return [DueAccount(*row) for row in session.execute(query)]


def due_batch(
    session: Session, site_id: str, period: timedelta, now: datetime
) -> list[dict[str, str]]:
    """The next ≤ 90 of the site's accounts not reported within the period, oldest report first."""
    return [due.item() for due in due_rows(session, site_id, period, now, BATCH)]


def overdue_accounts(session: Session, site_id: str, now: datetime, grace: timedelta) -> int:
    """How many of the site's accounts have waited longer than its cycle period and `grace` for
    their report (never reported: since the app began holding them)."""
    cycle = session.get(PrivacyCycle, site_id)
    period = timedelta(seconds=cycle.period_seconds) if cycle else DEFAULT_CYCLE
    late = or_(
        PrivacyAccount.reported_at <= now - period - grace,
        (PrivacyAccount.reported_at.is_(None)) & (PrivacyAccount.updated_at <= now - grace),
    )
    query = select(func.count()).where(
        PrivacyAccount.account_id.in_(site_accounts(session, site_id)), late
    )
    return int(session.scalar(query) or 0)


def rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def apply_answer(
    session: Session, batch: Iterable[dict[str, str]], answer: ReportAnswer, now: datetime
) -> tuple[int, int]:
    """A successful answer: erase the closed, refresh the updated, mark the batch reported."""
    accounts = [item["accountId"] for item in batch]
    session.execute(
        update(PrivacyAccount)
        .where(PrivacyAccount.account_id.in_(accounts))
        .values(reported_at=now)
    )
    sent = set(accounts)  # an answer acts only on the accounts this batch reported
    closed = [account for account in answer.closed if account in sent]
    updated = [account for account in answer.updated if account in sent]
    for account in closed:
        erase_account(session, account, now)
    for account in updated:
        refresh_account(session, account, now)
    return len(closed), len(updated)


def report_site(
    database: Database,
    site_id: str,
    reporter: Reporter | None,
    now: datetime,
    *,
    tracked: bool = False,
) -> CycleOutcome:
    """One site's turn of the cycle, when due, the remote calling the reporting API: batches
    until every account is reported, a 429 (wait the Retry-After, by rescheduling: nothing
    sleeps) or an error (retry in an hour). `tracked`: the caller has just run `track_accounts`
    (it scans every site's accounts, so a run over all sites does it once, not once per site).

    The turn reads the site's due accounts once; every batch's answer is its own transaction and
    the HTTP call happens outside any, so an interrupted run resumes where it stopped and holds
    no lock while it waits on Atlassian."""
    result = CycleOutcome()
    period = open_turn(database, site_id, now, tracked=tracked)
    if period is None:
        return result
    if reporter is None:
        result.outcome = "no reporter for this site"
        return _finish(database, site_id, now + RETRY_LATER, result)
    with database.transaction() as session:
        due = due_rows(session, site_id, period, now, BATCH * MAX_BATCHES)
    while due:
        batch = [item.item() for item in due[:BATCH]]
        due = due[BATCH:]
        try:
            answer = reporter(batch)
        except OSError as error:  # a network failure (requests raises OSErrors): retry later
            log.warning("personal data report failed", extra={"site": site_id, "error": str(error)})
            answer = ReportAnswer(status=0)
        if not take_answer(database, site_id, batch, answer, now, result):
            return result
        believed = _believed(answer.cycle_period)
        if believed is not None and believed != period:  # the rest are judged by the new period
            period = believed
            due = [d for d in due if d.reported_at is None or d.reported_at <= now - period]
    if result.reported >= BATCH * MAX_BATCHES:
        result.outcome = "more than one run's batches; continues next run"
        return _finish(database, site_id, now, result)
    result.outcome = "reported"
    return _finish(database, site_id, now + period, result)


def open_turn(
    database: Database, site_id: str, now: datetime, *, tracked: bool = False
) -> timedelta | None:
    """Bring the tracked accounts up to date (unless the caller just did); the site's cycle
    period when its turn is due, else None."""
    with database.transaction() as session:
        if not tracked:
            track_accounts(session, now)
        cycle = cycle_of(session, site_id, now)
        if cycle.next_run_at > now:
            return None
        return timedelta(seconds=cycle.period_seconds)


def take_answer(
    database: Database,
    site_id: str,
    batch: Sequence[dict[str, str]],
    answer: ReportAnswer,
    now: datetime,
    result: CycleOutcome,
) -> bool:
    """One batch's answer, in one transaction. Success: the closed erased, the updated
    refreshed, the batch marked reported (True: go on). An error: the site rescheduled after the
    answer's retry hint, or an hour (False: stop). A `Cycle-Period` replaces the period."""
    with database.transaction() as session:
        period = _believed(answer.cycle_period)
        if period is not None:
            cycle_of(session, site_id, now).period_seconds = int(period.total_seconds())
        if not answer.ok:
            result.outcome = "rate limited" if answer.status == 429 else f"error {answer.status}"
            wait = answer.retry_after or (RATE_LIMITED if answer.status == 429 else RETRY_LATER)
            _finish(database, site_id, now + wait, result, session)
            return False
        closed, updated = apply_answer(session, batch, answer, now)
    result.reported += len(batch)
    result.closed += closed
    result.updated += updated
    return True


def _believed(period: timedelta | None) -> timedelta | None:
    return period if period is not None and period >= MIN_CYCLE else None


# --- the cycle driven from the platform's side (a Forge function calls the reporting API)


def due_accounts(
    database: Database, site_id: str, now: datetime, early: timedelta = timedelta(0)
) -> list[dict[str, str]]:
    """The site's next batch to report when its turn is due, [] when none is due. Once a due
    turn has nothing left it ends as "reported", the next one due a period later. `early`: the
    platform asks at about the same time each day, a little before or after, so the next turn
    and its accounts are due that much before the period is over (a Retry-After is kept to)."""
    period = open_turn(database, site_id, now)
    if period is None:
        return []
    with database.transaction() as session:
        batch = due_batch(session, site_id, period - early, now)
    if not batch:
        _finish(database, site_id, now + period - early, CycleOutcome(outcome="reported"))
    return batch


def answer_for_site(
    database: Database,
    site_id: str,
    batch: Sequence[dict[str, str]],
    answer: ReportAnswer,
    now: datetime,
) -> CycleOutcome:
    """What the platform's reporting call answered for a batch of the site's: only accounts the
    site holds are acted on (another site's accounts are not this caller's to erase)."""
    named = [str(item.get("accountId")) for item in batch]
    with database.transaction() as session:
        held = held_accounts(session, site_id, among=named)
    own = [item for item in batch if item.get("accountId") in held]
    result = CycleOutcome(outcome="batch reported")
    if take_answer(database, site_id, own, answer, now, result):
        log.info(
            "personal data batch reported",
            extra={
                "site": site_id,
                "reported": result.reported,
                "closed": result.closed,
                "updated": result.updated,
                "ignored": len(batch) - len(own),
            },
        )
    return result


def _finish(
    database: Database,
    site_id: str,
    next_run_at: datetime,
    result: CycleOutcome,
    session: Session | None = None,
) -> CycleOutcome:
    def write(into: Session) -> None:
        cycle = cycle_of(into, site_id, next_run_at)
        cycle.next_run_at = next_run_at
        cycle.last_outcome = result.outcome[:255]
        cycle.updated_at = utcnow()

    if session is not None:
        write(session)
    else:
        with database.transaction() as fresh:
            write(fresh)
    log.info(
        "personal data report",
        extra={
            "site": site_id,
            "outcome": result.outcome,
            "reported": result.reported,
            "closed": result.closed,
            "updated": result.updated,
        },
    )
    return result
