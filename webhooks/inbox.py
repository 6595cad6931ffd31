"""The durable webhook inbox: every verified delivery is a row, de-duplicated by Atlassian's
webhook identifier, claimed by workers with a lease, retried with backoff, parked after 5 tries.

States: pending -> done | parked (kept failing, or could not be read) | ignored (an event we
deliberately do not handle). Claims: `FOR UPDATE SKIP LOCKED` on PostgreSQL, an atomic
`UPDATE ... WHERE state = 'pending' AND lease expired` on SQLite (one worker there).
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import psycopg
from sqlalchemy import (
    Connection,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from connector.db import Base, UTCDateTime, rows_affected, utcnow

MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    PARKED = "parked"
    IGNORED = "ignored"


class InboxDelivery(Base):
    """One webhook delivery as Atlassian sent it, with what became of it."""

    __tablename__ = "webhook_inbox"
    __table_args__ = (
        UniqueConstraint("client_key", "webhook_id"),
        Index("ix_webhook_inbox_claim", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(255), index=True)
    client_key: Mapped[str] = mapped_column(String(255))
    event: Mapped[str] = mapped_column(String(64))
    webhook_id: Mapped[str | None] = mapped_column(String(128))
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    flow: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def payload(self) -> dict[str, Any]:
        data = json.loads(self.body)
        if not isinstance(data, dict):
            raise ValueError("the stored body is not a JSON object")
        return data

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event": self.event,
            "webhookId": self.webhook_id,
            "state": self.state,
            "attempts": self.attempts,
            "lastError": self.last_error,
            "receivedAt": self.received_at.isoformat(),
            "eventAt": self.event_at.isoformat() if self.event_at else None,
            "retryCount": self.retry_count,
            "flow": self.flow,
        }


@dataclass(frozen=True)
class Delivery:
    """What a receiver hands the inbox: the verified tenant, the headers, the raw body."""

    site_id: str
    client_key: str
    event: str
    webhook_id: str | None
    retry_count: int
    flow: str | None
    body: str
    event_at: datetime | None
    state: DeliveryState = DeliveryState.PENDING
    error: str | None = None


def event_time(timestamp_ms: object) -> datetime | None:
    """The body's `timestamp` (epoch milliseconds) as an aware datetime."""
    if isinstance(timestamp_ms, bool) or not isinstance(timestamp_ms, int | float):
        return None
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC)


def row_values(delivery: Delivery, now: datetime) -> dict[str, Any]:
    """The inbox row for a delivery: the one place that says what the inbox stores."""
    return {
        "site_id": delivery.site_id,
        "client_key": delivery.client_key,
        "event": delivery.event[:64],
        "webhook_id": delivery.webhook_id,
        "retry_count": delivery.retry_count,
        "flow": delivery.flow,
        "received_at": now,
        "event_at": delivery.event_at,
        "body": delivery.body,
        "state": delivery.state.value,
        "attempts": 0,
        "last_error": delivery.error,
        "next_attempt_at": now,
    }


# PostgreSQL: one statement whose text never changes, whatever the batch size: the rows travel as
# one JSON array (made by the json module's C encoder) that the server turns back into rows. A
# multi-row VALUES list is a new statement for every batch size, and compiling it cost more CPU
# than the whole request; array parameters cost psycopg a Python loop per element (measured with
# py-spy, bench/README.md).
_PG_TYPES = {
    "site_id": "varchar",
    "client_key": "varchar",
    "event": "varchar",
    "webhook_id": "varchar",
    "retry_count": "integer",
    "flow": "varchar",
    "received_at": "timestamptz",
    "event_at": "timestamptz",
    "body": "text",
    "state": "varchar",
    "attempts": "integer",
    "last_error": "text",
    "next_attempt_at": "timestamptz",
}
_PG_COLUMNS = ", ".join(_PG_TYPES)
_PG_RECORD = ", ".join(f"{name} {kind}" for name, kind in _PG_TYPES.items())
_PG_INSERT = text(
    f"INSERT INTO webhook_inbox ({_PG_COLUMNS}) SELECT {_PG_COLUMNS} "  # noqa: S608 - constants only
    f"FROM json_to_recordset(CAST(:rows AS json)) AS r({_PG_RECORD}) "
    "ON CONFLICT DO NOTHING RETURNING client_key, webhook_id"
)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# The same statement on the driver's own connection (psycopg's placeholder), prepared on first use:
# SQLAlchemy's per-statement machinery (events, parameter processing, result wrapping) is skipped.
_PG_INSERT_RAW = str(_PG_INSERT).replace(":rows", "%s")


def _raw_insert(connection: Connection, rows_json: str) -> list[tuple[Any, ...]]:
    """`_PG_INSERT` through psycopg itself, in the connection's transaction (or autocommit); a
    driver error is raised as SQLAlchemy's own (a lost connection invalidated), as before."""
    raw = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(_PG_INSERT_RAW, (rows_json,), prepare=True)
            return list(cursor.fetchall())
    except psycopg.Error as exc:
        lost = connection.dialect.is_disconnect(exc, connection.connection, None)  # type: ignore[arg-type]
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            _PG_INSERT_RAW, None, exc, psycopg.Error, connection_invalidated=lost
        ) from exc


def _json_array(records: list[dict[str, Any]]) -> str:
    try:
        return orjson.dumps(records).decode()
    except TypeError:  # a lone surrogate in a string (the event's name): the json module escapes it
        return json.dumps(records)


def _insert_rows(connection: Connection, rows: list[dict[str, Any]]) -> Any:
    """One `INSERT … ON CONFLICT DO NOTHING` for all rows (no ORM: it costs more than the round
    trip), returning the (client_key, webhook_id) of the rows it stored."""
    if connection.dialect.name == "postgresql":
        records = [{name: _json_value(row[name]) for name in _PG_TYPES} for row in rows]
        return _raw_insert(connection, _json_array(records))
    table = cast(Table, InboxDelivery.__table__)
    return connection.execute(
        sqlite.insert(table)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(table.c.client_key, table.c.webhook_id)
    )


def store(session: Session, delivery: Delivery) -> bool:
    """Insert the delivery; False when this (client_key, webhook identifier) was seen before."""
    return store_many(session.connection(), [delivery])[0]


def store_many(connection: Connection, deliveries: Sequence[Delivery]) -> list[bool]:
    """Insert several deliveries in one statement; for each, False when it is a duplicate (of a
    stored row, or of an earlier one in the same list). The caller commits."""
    now = utcnow()
    rows = [row_values(d, now) for d in deliveries]
    inserted = {(row[0], row[1]) for row in _insert_rows(connection, rows)}
    fresh = []
    for delivery in deliveries:
        key = (delivery.client_key, delivery.webhook_id)
        if delivery.webhook_id is None:
            fresh.append(True)  # no identifier: nothing to de-duplicate on, always stored
        elif key in inserted:
            inserted.discard(key)  # the first of several with one identifier is the stored one
            fresh.append(True)
        else:
            fresh.append(False)
    return fresh


@dataclass(frozen=True)
class Claim:
    token: str  # `locked_by` of the claimed rows
    ids: list[int]


def claim(session: Session, *, limit: int, lease: timedelta, worker: str) -> Claim:
    """Take up to `limit` due rows for this worker until the lease runs out; the caller commits."""
    now = utcnow()
    due = (
        select(InboxDelivery.id)
        .where(
            InboxDelivery.state == DeliveryState.PENDING,
            InboxDelivery.next_attempt_at <= now,
            or_(InboxDelivery.locked_until.is_(None), InboxDelivery.locked_until < now),
        )
        .order_by(InboxDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(due.with_for_update(skip_locked=True)))
        if not ids:
            return Claim("", [])
        condition = InboxDelivery.id.in_(ids)
    else:
        condition = InboxDelivery.id.in_(due.scalar_subquery())
    token = f"{worker[:40]}:{uuid.uuid4().hex[:12]}"
    session.execute(
        update(InboxDelivery)
        .where(condition)
        .values(
            locked_by=token,
            locked_until=now + lease,
            attempts=InboxDelivery.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    taken = session.scalars(
        select(InboxDelivery.id)
        .where(InboxDelivery.locked_by == token, InboxDelivery.state == DeliveryState.PENDING)
        .order_by(InboxDelivery.id)
    )
    return Claim(token, list(taken))


def held(session: Session, taken: Claim, lease: timedelta) -> list[InboxDelivery]:
    """Renew the lease and load the rows still ours. Writing first matters on SQLite: the
    transaction takes the write lock before it reads, so no other writer can stale its snapshot."""
    session.execute(
        update(InboxDelivery)
        .where(InboxDelivery.id.in_(taken.ids), InboxDelivery.locked_by == taken.token)
        .values(locked_until=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )
    return list(
        session.scalars(
            select(InboxDelivery)
            .where(
                InboxDelivery.id.in_(taken.ids),
                InboxDelivery.locked_by == taken.token,
                InboxDelivery.state == DeliveryState.PENDING,
            )
            .order_by(InboxDelivery.id)
        )
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)))


def mark_done(row: InboxDelivery, state: DeliveryState = DeliveryState.DONE) -> None:
    row.state = state
    row.processed_at = utcnow()
    row.locked_until = None
    row.last_error = None


def mark_failed(row: InboxDelivery, error: str) -> None:
    """Retry later with exponential backoff, or park after MAX_ATTEMPTS tries."""
    row.last_error = error[:2000]
    row.locked_until = None
    if row.attempts >= MAX_ATTEMPTS:
        row.state = DeliveryState.PARKED
        row.processed_at = utcnow()
    else:
        row.next_attempt_at = utcnow() + backoff(row.attempts)


def parked(session: Session, site_id: str, *, limit: int = 100) -> Sequence[InboxDelivery]:
    return session.scalars(
        select(InboxDelivery)
        .where(InboxDelivery.site_id == site_id, InboxDelivery.state == DeliveryState.PARKED)
        .order_by(InboxDelivery.id.desc())
        .limit(limit)
    ).all()


def replay(session: Session, site_id: str, delivery_id: int) -> InboxDelivery | None:
    """Put a parked delivery back in the queue with a fresh set of tries."""
    row = session.get(InboxDelivery, delivery_id)
    if row is None or row.site_id != site_id or row.state != DeliveryState.PARKED:
        return None
    row.state = DeliveryState.PENDING
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.locked_until = None
    row.locked_by = None
    row.processed_at = None
    return row


def prune(session: Session, before: datetime) -> int:
    """Forget handled and ignored deliveries received before `before` (parked ones stay)."""
    result = session.execute(
        delete(InboxDelivery).where(
            InboxDelivery.state.in_([DeliveryState.DONE.value, DeliveryState.IGNORED.value]),
            InboxDelivery.received_at < before,
        )
    )
    return rows_affected(result)


def prune_parked(session: Session, before: datetime) -> int:
    """Forget parked deliveries (and the unreadable bodies kept with them for inspection) parked
    before `before`: the parked period is PARKED_KEEP_DAYS (docs/personal-data.md)."""
    result = session.execute(
        delete(InboxDelivery).where(
            InboxDelivery.state == DeliveryState.PARKED.value,
            or_(
                InboxDelivery.processed_at < before,
                InboxDelivery.processed_at.is_(None) & (InboxDelivery.received_at < before),
            ),
        )
    )
    return rows_affected(result)
