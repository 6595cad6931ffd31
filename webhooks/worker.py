"""The worker: drain the webhook inbox (and the sync outbox) through the dispatch table.

At least once: a claimed row is leased, not owned; if its worker dies, the lease runs out and
another worker takes it again. Each delivery runs in a savepoint inside its batch's transaction,
so the domain writes and `state = done` commit together, and one failure never undoes another.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import timedelta
from types import FrameType

from flask import Flask
from sqlalchemy.orm import Session

from connector.db import get_db
from connector.sync.worker import drain_outbox
from webhooks.handlers import Context, handler_for
from webhooks.inbox import (
    MAX_ATTEMPTS,
    DeliveryState,
    InboxDelivery,
    claim,
    held,
    mark_done,
    mark_failed,
)

log = logging.getLogger(__name__)

BATCH = 100


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def drain_inbox(app: Flask, *, limit: int = 500, worker: str | None = None) -> int:
    """Process up to `limit` due deliveries; returns how many were taken."""
    database = get_db(app)
    lease = timedelta(seconds=float(app.config.get("WEBHOOK_LEASE_SECONDS", 60)))
    name = worker or worker_name()
    taken = 0
    while taken < limit:
        with database.transaction() as session:
            claimed = claim(session, limit=min(BATCH, limit - taken), lease=lease, worker=name)
        if not claimed.ids:
            break
        with database.transaction() as session:
            for row in held(session, claimed, lease):
                process(app, session, row)
        taken += len(claimed.ids)
    return taken


def process(app: Flask, session: Session, row: InboxDelivery) -> None:
    handler = handler_for(row.event)
    if handler is None:
        mark_done(row, DeliveryState.IGNORED)
        return
    savepoint = session.begin_nested()
    try:
        context = Context(app, session, row.site_id, row.payload(), row.event_at or row.received_at)
        outcome = handler(context)
        savepoint.commit()
    except ValueError as error:  # MalformedPayload, or a stored body that is not a JSON object
        savepoint.rollback()
        row.attempts = MAX_ATTEMPTS  # the body will not get better with time
        _failed(row, error)
    except Exception as error:  # noqa: BLE001 - any failure is retried, then parked
        savepoint.rollback()
        _failed(row, error)
    else:
        mark_done(row)
        log.debug("delivery handled", extra={"delivery": row.id, "outcome": outcome})


def _failed(row: InboxDelivery, error: BaseException) -> None:
    mark_failed(row, f"{type(error).__name__}: {error}")
    log.warning(
        "delivery failed",
        extra={
            "delivery": row.id,
            "event": row.event,
            "attempts": row.attempts,
            "state": row.state,
            "error": type(error).__name__,
        },
    )


def run(app: Flask, *, once: bool = False, idle_sleep: float = 0.5, limit: int = 500) -> int:
    """Loop until SIGTERM/SIGINT (or one pass with `once`); returns the deliveries processed."""
    stop = threading.Event()
    _stop_on_signals(stop)
    total = 0
    while not stop.is_set():
        try:
            done = drain_outbox(app, limit=limit)
            handled = drain_inbox(app, limit=limit)
        except Exception:  # a database hiccup must not end the worker
            log.exception("worker pass failed; retrying")
            done = handled = 0
        total += handled
        if once:
            break
        if done + handled == 0:
            stop.wait(idle_sleep)
    return total


def _stop_on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
