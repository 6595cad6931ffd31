"""Personal data (README "Personal data"): where accountIds live, the reporting cycle Atlassian
asks for, erasure of closed accounts, and the purge of a site's data after uninstall.

What the app holds about a person is an Atlassian accountId in a few columns (ACCOUNT_COLUMNS)
and the text of the rating comments they wrote. Every accountId is reported to Atlassian's
personal data reporting API once per cycle (default 7 days, or the `Cycle-Period` the API
answers), in batches of at most 90: by the remote itself (`report_site`, Connect), or by the
platform's side, which asks for the due batches and hands back the answers (`due_accounts`,
`answer_for_site`: a Forge function), over the same steps. `closed` erases the account on every
site (accountIds are Atlassian-wide): leads and integrators are cleared (the team shows a former
lead and needs a new one), member rows go, ratings keep their numbers under one random pseudonym
per account (so health is unchanged: one rating per author per window still holds) and lose
their comment text, and inbox deliveries that name the account are deleted. `updated` marks the
account's data as refreshed: the app caches no name, avatar or email, only the accountId, so
there is nothing to re-fetch.

Tables outside the practice (the inbox, the member list another change adds, the installation
stores) are read by name, so this layer imports none of them.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    column,
    delete,
    func,
    inspect,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, Database, UTCDateTime, rows_affected, utcnow

log = logging.getLogger(__name__)

BATCH = 90  # accounts per report request (Atlassian's limit)
DEFAULT_CYCLE = timedelta(days=7)
RETRY_LATER = timedelta(hours=1)  # after an error answer without Retry-After
RATE_LIMITED = timedelta(minutes=1)  # after a 429 without Retry-After
MIN_CYCLE = timedelta(hours=1)  # a Cycle-Period shorter than this is not believed
MAX_BATCHES = 500  # per run and site (45,000 accounts); the rest continue on the next run
PSEUDONYM_PREFIX = "erased-"
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9:\-]{1,128}$")


@dataclass(frozen=True)
class AccountColumn:
    """A column holding accountIds, and what erasing an account does to its rows."""

    table: str
    column: str
    erase: str  # "former_lead" | "null" | "delete" | "pseudonym"
    clear: tuple[str, ...] = ()  # text columns the account wrote, emptied with it


ACCOUNT_COLUMNS: tuple[AccountColumn, ...] = (
    AccountColumn("teams", "lead_account_id", "former_lead"),
    AccountColumn("relationships", "integrator_account_id", "null"),
    AccountColumn("feedback", "author_account_id", "pseudonym", clear=("comment",)),
    # The app-kept member list (migration 0006_trust), when the schema has it.
    AccountColumn("team_members", "account_id", "delete"),
    # Who recorded a measure's value (the value stays) and who disputed it (migration 0010).
    AccountColumn("measure_values", "recorded_by", "null"),
    AccountColumn("measure_values", "disputed_by", "pseudonym", clear=("dispute_comment",)),
)
INBOX = "webhook_inbox"


class PrivacyAccount(Base):
    """Every accountId held, with when its data was last retrieved and last reported."""

    __tablename__ = "privacy_accounts"

    account_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PrivacyCycle(Base):
    """A site's reporting cycle: its period (Cycle-Period) and when it may report next."""

    __tablename__ = "privacy_cycles"

    site_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    period_seconds: Mapped[int] = mapped_column(Integer)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_outcome: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- where the accounts are


def _tables(session: Session) -> set[str]:
    """The tables the schema has (some of the tables read by name may not exist yet)."""
    return set(inspect(session.connection()).get_table_names())


def _present(session: Session) -> list[AccountColumn]:
    names = _tables(session)
    return [spot for spot in ACCOUNT_COLUMNS if spot.table in names]


def _light(name: str, *columns: str) -> Any:
    return table(name, *[column(c) for c in columns])


def held_accounts(session: Session, site_id: str | None = None) -> set[str]:
    """The accountIds stored (on one site, or on all), pseudonyms excluded."""
    found: set[str] = set()
    for spot in _present(session):
        rows = _light(spot.table, "site_id", spot.column)
        query = select(rows.c[spot.column]).where(rows.c[spot.column].is_not(None)).distinct()
        if site_id is not None:
            query = query.where(rows.c.site_id == site_id)
        found.update(session.scalars(query))
    return {
        account
        for account in found
        if not account.startswith(PSEUDONYM_PREFIX) and account != "unknown"
    }


def held_sites(session: Session) -> list[str]:
    """The sites holding at least one accountId."""
    sites: set[str] = set()
    for spot in _present(session):
        rows = _light(spot.table, "site_id", spot.column)
        sites.update(
            session.scalars(
                select(rows.c.site_id).where(rows.c[spot.column].is_not(None)).distinct()
            )
        )
    return sorted(sites)


def track_accounts(session: Session, now: datetime) -> int:
    """Bring `privacy_accounts` in step with what is held: new accounts from now, gone ones
    dropped. Returns how many are tracked."""
    held = {account for account in held_accounts(session) if ACCOUNT_ID.match(account)}
    known = set(session.scalars(select(PrivacyAccount.account_id)))
    for account in held - known:
        session.add(PrivacyAccount(account_id=account, updated_at=now))
    gone = known - held
    if gone:
        session.execute(delete(PrivacyAccount).where(PrivacyAccount.account_id.in_(gone)))
    session.flush()
    return len(held)


# --- erasure


@dataclass
class Erasure:
    account_id: str
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        if count:
            self.rows[name] = self.rows.get(name, 0) + count


def erase_account(session: Session, account_id: str, now: datetime) -> Erasure:
    """Erase a closed account everywhere it lives, on every site (see the module docstring)."""
    done = Erasure(account_id)
    pseudonym = f"{PSEUDONYM_PREFIX}{uuid.uuid4().hex}"
    for spot in _present(session):
        rows = _light(spot.table, spot.column, "lead_closed_at", *spot.clear)
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
    done.add(INBOX, _erase_from_inbox(session, account_id))
    session.execute(delete(PrivacyAccount).where(PrivacyAccount.account_id == account_id))
    session.flush()
    log.info("closed account erased", extra={"rows": done.rows})
    return done


def _erase_from_inbox(session: Session, account_id: str) -> int:
    """Deliveries whose stored body names the account (authors, mentions, assignees) go."""
    if not ACCOUNT_ID.match(account_id):  # no LIKE wildcard can reach the pattern
        return 0
    inbox = _light(INBOX, "body")
    return rows_affected(session.execute(delete(inbox).where(inbox.c.body.contains(account_id))))


def refresh_account(session: Session, account_id: str, now: datetime) -> None:
    """`updated`: nothing beyond the accountId is cached, so the data is current as of now."""
    session.execute(
        update(PrivacyAccount).where(PrivacyAccount.account_id == account_id).values(updated_at=now)
    )


# --- the reporting cycle


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


def due_batch(
    session: Session, site_id: str, period: timedelta, now: datetime
) -> list[dict[str, str]]:
    """The next ≤ 90 of the site's accounts not reported within the period, oldest report first."""
    held = held_accounts(session, site_id)
    if not held:
        return []
    rows = session.execute(
        select(PrivacyAccount.account_id, PrivacyAccount.updated_at)
        .where(
            PrivacyAccount.account_id.in_(held),
            or_(PrivacyAccount.reported_at.is_(None), PrivacyAccount.reported_at <= now - period),
        )
        .order_by(PrivacyAccount.reported_at.is_not(None), PrivacyAccount.reported_at)
        .limit(BATCH)
    ).all()
    return [{"accountId": account, "updatedAt": rfc3339(at)} for account, at in rows]


def overdue_accounts(session: Session, site_id: str, now: datetime, grace: timedelta) -> int:
    """How many of the site's accounts have waited longer than its cycle period and `grace` for
    their report (never reported: since the app began holding them)."""
    held = held_accounts(session, site_id)
    if not held:
        return 0
    cycle = session.get(PrivacyCycle, site_id)
    period = timedelta(seconds=cycle.period_seconds) if cycle else DEFAULT_CYCLE
    late = or_(
        PrivacyAccount.reported_at <= now - period - grace,
        (PrivacyAccount.reported_at.is_(None)) & (PrivacyAccount.updated_at <= now - grace),
    )
    query = select(func.count()).where(PrivacyAccount.account_id.in_(held), late)
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

    Every batch is its own transaction and the HTTP call happens outside any, so an interrupted
    run resumes where it stopped and holds no lock while it waits on Atlassian."""
    result = CycleOutcome()
    period = open_turn(database, site_id, now, tracked=tracked)
    if period is None:
        return result
    if reporter is None:
        result.outcome = "no reporter for this site"
        return _finish(database, site_id, now + RETRY_LATER, result)
    for _ in range(MAX_BATCHES):
        with database.transaction() as session:
            batch = due_batch(session, site_id, period, now)
        if not batch:
            result.outcome = "reported"
            return _finish(database, site_id, now + period, result)
        try:
            answer = reporter(batch)
        except OSError as error:  # a network failure (requests raises OSErrors): retry later
            log.warning("personal data report failed", extra={"site": site_id, "error": str(error)})
            answer = ReportAnswer(status=0)
        if not take_answer(database, site_id, batch, answer, now, result):
            return result
        period = _believed(answer.cycle_period) or period
    result.outcome = "more than one run's batches; continues next run"
    return _finish(database, site_id, now, result)


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
    with database.transaction() as session:
        held = held_accounts(session, site_id)
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


# --- after uninstall

# The installation stores, read by name: (table, states that still count as installed).
INSTALLATIONS = (
    ("tenants", ("installed", "enabled", "disabled")),
    ("forge_installations", ("installed",)),
)


def uninstalled_since(session: Session, site_id: str) -> datetime | None:
    """When the site's last installation was uninstalled; None while one is still installed
    (a disabled app is still installed) or when the site has no installation on record."""
    return _uninstalled_since(session, site_id, _tables(session))


def _uninstalled_since(session: Session, site_id: str, names: set[str]) -> datetime | None:
    last: datetime | None = None
    for name, live_states in INSTALLATIONS:
        if name not in names:
            continue
        rows = _light(name, "site_id", "state", "updated_at")
        for state, at in session.execute(
            select(rows.c.state, rows.c.updated_at).where(rows.c.site_id == site_id)
        ):
            if state in live_states:
                return None
            at = _aware(at)
            last = at if last is None or at > last else last
    return last


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    at: datetime = value
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def sites_to_purge(session: Session, now: datetime, keep: timedelta) -> list[str]:
    """Sites whose last installation was uninstalled more than `keep` ago."""
    names = _tables(session)  # once, not once per site
    sites: set[str] = set()
    for name, _states in INSTALLATIONS:
        if name in names:
            rows = _light(name, "site_id")
            sites.update(session.scalars(select(rows.c.site_id).distinct()))
    due = []
    for site_id in sorted(sites):
        since = _uninstalled_since(session, site_id, names)
        if since is not None and since + keep <= now:
            due.append(site_id)
    return due


def purge_site(
    session: Session, site_id: str, metadata: Any, *, dry_run: bool, now: datetime
) -> dict[str, int]:
    """Delete every row of the site (its shared secret and app tokens included), children first;
    with `dry_run`, only count them. Tables without `site_id` go with the parent they point to."""
    counts: dict[str, int] = {}
    present = _tables(session)
    for table_ in reversed(metadata.sorted_tables):
        if table_.name not in present:
            continue
        condition = _site_rows(table_, site_id)
        if condition is None:
            continue
        if dry_run:
            found = int(
                session.scalar(select(func.count()).select_from(table_).where(condition)) or 0
            )
        else:
            found = rows_affected(session.execute(delete(table_).where(condition)))
        if found:
            counts[table_.name] = found
    if not dry_run:
        track_accounts(session, now)
        session.flush()
    return counts


def _site_rows(table_: Any, site_id: str) -> Any:
    if "site_id" in table_.c:
        return table_.c.site_id == site_id
    for key in table_.foreign_keys:
        parent = key.column.table
        if "site_id" in parent.c:
            return key.parent.in_(select(key.column).where(parent.c.site_id == site_id))
    return None
