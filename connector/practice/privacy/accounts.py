"""Where accountIds live (ACCOUNT_COLUMNS), and the accounts held: per site, and tracked for the
reporting cycle in `privacy_accounts`.

Tables outside the practice (the member list, the installation stores) are read by name, so this
layer imports none of them; one that the schema does not have yet is skipped.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, column, delete, inspect, literal_column, select, table
from sqlalchemy import union as sql_union
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime
from connector.domain.accounts import is_account_id

PSEUDONYM_PREFIX = "erased-"
NOT_AN_ACCOUNT = "unknown"  # what a rating without a known author is stored under


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
    # The app-kept member list (migration 0006_trust).
    AccountColumn("team_members", "account_id", "delete"),
    # Who recorded a measure's value (the value stays) and who disputed it (migration 0010).
    AccountColumn("measure_values", "recorded_by", "null"),
    AccountColumn("measure_values", "disputed_by", "pseudonym", clear=("dispute_comment",)),
    # Whose integrator review page a row records (migration 0014): the row goes, the page stays
    # in Confluence, where the mention is Confluence's to resolve.
    AccountColumn("review_packs", "integrator_account_id", "delete"),
)


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


def tables_present(session: Session) -> set[str]:
    """The tables the schema has (some of the tables read by name may not exist yet)."""
    return set(inspect(session.connection()).get_table_names())


def present_columns(session: Session) -> list[AccountColumn]:
    names = tables_present(session)
    return [spot for spot in ACCOUNT_COLUMNS if spot.table in names]


def by_name(name: str, *columns: str) -> Any:
    """A table read by name, with the columns given."""
    return table(name, *[column(c) for c in columns])


def site_accounts(
    session: Session, site_id: str | None = None, among: Collection[str] | None = None
) -> Any:
    """One SELECT of the accountIds held (on one site, or on all; only those `among`, when
    given), pseudonyms and the unknown author left out: the database does the union."""
    parts = []
    for spot in present_columns(session):
        rows = by_name(spot.table, "site_id", spot.column)
        held = rows.c[spot.column]
        part = select(held.label("account_id")).where(
            held.is_not(None),
            held != NOT_AN_ACCOUNT,
            held.not_like(f"{PSEUDONYM_PREFIX}%"),
        )
        if site_id is not None:
            part = part.where(rows.c.site_id == site_id)
        if among is not None:
            part = part.where(held.in_(list(among)))
        parts.append(part)
    if not parts:
        return select(literal_column("NULL").label("account_id")).where(literal_column("1=0"))
    return sql_union(*parts)


def held_accounts(
    session: Session, site_id: str | None = None, among: Collection[str] | None = None
) -> set[str]:
    """The accountIds stored (on one site, or on all), pseudonyms excluded."""
    return set(session.scalars(site_accounts(session, site_id, among)))


def held_sites(session: Session) -> list[str]:
    """The sites holding at least one accountId."""
    sites: set[str] = set()
    for spot in present_columns(session):
        rows = by_name(spot.table, "site_id", spot.column)
        sites.update(
            session.scalars(
                select(rows.c.site_id).where(rows.c[spot.column].is_not(None)).distinct()
            )
        )
    return sorted(sites)


def track_accounts(session: Session, now: datetime) -> int:
    """Bring `privacy_accounts` in step with what is held: new accounts from now, gone ones
    dropped, malformed ones never tracked. Returns how many are tracked."""
    held = {account for account in held_accounts(session) if is_account_id(account)}
    known = set(session.scalars(select(PrivacyAccount.account_id)))
    for account in held - known:
        session.add(PrivacyAccount(account_id=account, updated_at=now))
    gone = known - held
    if gone:
        session.execute(delete(PrivacyAccount).where(PrivacyAccount.account_id.in_(gone)))
    session.flush()
    return len(held)
