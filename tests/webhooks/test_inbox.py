"""The inbox's de-duplication (webhooks.inbox.store) on SQLite and PostgreSQL: one row per
(clientKey, webhook identifier), stored as the receiver handed it over."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webhooks.inbox import (
    Delivery,
    DeliveryState,
    InboxDelivery,
    event_time,
    row_values,
    store,
    store_many,
)

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

FIRST = Delivery(
    site_id="site-a",
    client_key="client-a",
    event="comment_created",
    webhook_id="w-1",
    retry_count=0,
    flow="Primary",
    body='{"timestamp": 1}',
    event_at=AT,
)


def rows(session: Session) -> list[InboxDelivery]:
    return list(session.scalars(select(InboxDelivery).order_by(InboxDelivery.id)))


def test_a_delivery_is_stored_as_handed_over(db_session: Session) -> None:
    assert store(db_session, FIRST) is True
    [row] = rows(db_session)
    assert (
        row.site_id,
        row.client_key,
        row.event,
        row.webhook_id,
        row.retry_count,
        row.flow,
        row.body,
        row.event_at,
        row.state,
        row.attempts,
        row.last_error,
        row.locked_until,
        row.locked_by,
        row.processed_at,
    ) == (
        "site-a",
        "client-a",
        "comment_created",
        "w-1",
        0,
        "Primary",
        '{"timestamp": 1}',
        AT,
        "pending",
        0,
        None,
        None,
        None,
        None,
    )
    assert row.received_at == row.next_attempt_at
    assert row.received_at is not None and row.received_at > AT


def test_one_batch_stores_each_new_delivery_once_and_names_the_duplicates(
    db_session: Session,
) -> None:
    store(db_session, FIRST)
    batch = [
        replace(FIRST, webhook_id="w-2", flow=None, event_at=None),
        FIRST,  # stored before
        replace(FIRST, webhook_id="w-2", body="second copy"),  # a duplicate inside the batch
        replace(FIRST, webhook_id=None, body="a"),
        replace(FIRST, webhook_id=None, body="b"),
        replace(FIRST, client_key="client-b", state=DeliveryState.PARKED, error="bad"),
    ]
    assert store_many(db_session.connection(), batch) == [True, False, False, True, True, True]
    stored = rows(db_session)
    assert [(r.client_key, r.webhook_id, r.body, r.flow, r.event_at) for r in stored] == [
        ("client-a", "w-1", FIRST.body, "Primary", AT),
        ("client-a", "w-2", FIRST.body, None, None),
        ("client-a", None, "a", "Primary", AT),
        ("client-a", None, "b", "Primary", AT),
        ("client-b", "w-1", FIRST.body, "Primary", AT),
    ]
    assert (stored[-1].state, stored[-1].last_error) == ("parked", "bad")


def test_every_column_the_inbox_stores_is_written_on_both_databases() -> None:
    from webhooks import inbox

    table_columns = set(InboxDelivery.__table__.columns.keys())
    assert set(row_values(FIRST, AT)) == set(inbox._PG_TYPES) <= table_columns


def test_the_same_identifier_from_the_same_tenant_is_stored_once(db_session: Session) -> None:
    assert store(db_session, FIRST) is True
    retried = replace(FIRST, retry_count=3, flow="Retry", body='{"timestamp": 2}')
    assert store(db_session, retried) is False
    [row] = rows(db_session)
    assert (row.retry_count, row.flow, row.body) == (0, "Primary", '{"timestamp": 1}')


def test_identifiers_are_per_tenant(db_session: Session) -> None:
    assert store(db_session, FIRST) is True
    assert store(db_session, replace(FIRST, client_key="client-b", site_id="site-b")) is True
    assert store(db_session, replace(FIRST, webhook_id="w-2")) is True
    assert [(r.client_key, r.webhook_id) for r in rows(db_session)] == [
        ("client-a", "w-1"),
        ("client-b", "w-1"),
        ("client-a", "w-2"),
    ]


def test_deliveries_without_an_identifier_are_all_kept(db_session: Session) -> None:
    anonymous = replace(FIRST, webhook_id=None)
    assert store(db_session, anonymous) is True
    assert store(db_session, anonymous) is True
    assert len(rows(db_session)) == 2


def test_a_parked_or_ignored_delivery_keeps_its_state_and_error(db_session: Session) -> None:
    parked = replace(FIRST, state=DeliveryState.PARKED, error="not JSON", event_at=None)
    ignored = replace(FIRST, webhook_id="w-2", state=DeliveryState.IGNORED, event="x" * 80)
    assert store(db_session, parked) is True
    assert store(db_session, ignored) is True
    first, second = rows(db_session)
    assert (first.state, first.last_error, first.event_at) == ("parked", "not JSON", None)
    assert (second.state, second.last_error, second.event) == ("ignored", None, "x" * 64)


def test_event_time_reads_epoch_milliseconds() -> None:
    assert event_time(1780315200000) == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert event_time(1780315200000.5) == datetime(2026, 6, 1, 12, 0, 0, 500, tzinfo=UTC)
    assert event_time(True) is None
    assert event_time("1780315200000") is None
    assert event_time(None) is None
