"""Group commit for the intake: many deliveries in one transaction, each answered only after the
commit that holds it.

A request thread hands its delivery to the process's committer and waits. The committer thread
takes everything queued since its last commit, stores it with one multi-row `INSERT … ON CONFLICT
DO NOTHING` and commits; only then does each waiting request learn whether its delivery was new,
so a 204 still means "committed" (with the server's normal `synchronous_commit`). While one
commit is flushing, the next batch gathers: under load one WAL flush and one statement serve
tens of deliveries, and when idle a delivery waits for nothing but its own commit.

If a batch fails on its rows, each of its deliveries is tried alone, so one bad row fails only its
own request. If it fails because the database is away (a lost, refused or timed-out connection,
or no answer within STATEMENT_SECONDS: `connector.db.deadlines` then cuts the socket), the whole
batch is answered 503 with `Retry-After` (Jira delivers again), the pool is dropped and the next
batch starts on a new connection. A request waits at most WAIT_SECONDS whatever happens.

The thread starts on first use in each process (after the server starts its workers), and again
whenever it is found dead (on the next delivery, or by the readiness probe, which reports it:
`health()`).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from connector.db.deadlines import answer_within
from connector.domain.errors import Unavailable
from webhooks.inbox import Delivery, store_many

log = logging.getLogger(__name__)

MAX_BATCH = 200
IDLE_SECONDS = 5.0  # with nothing to store for this long, the committer closes its connections
# A delivery waits for the batch in flight, then for its own: each bounded by STATEMENT_SECONDS
# (and connecting by `connector.db.HOT_PATH_CONNECT_TIMEOUT`, 3 s), so within Jira's ~10 s.
STATEMENT_SECONDS = 3.0  # a batch the database has not answered by then is failed as "away"
WAIT_SECONDS = 8.0  # a request gives up (503, so Atlassian delivers again) if no commit by then
RETRY_AFTER = 30  # seconds, in the 503's Retry-After


@dataclass
class _Pending:
    delivery: Delivery
    done: threading.Event = field(default_factory=threading.Event)
    fresh: bool = False
    error: BaseException | None = None


class CommitTimeout(Unavailable):
    """No commit came within the wait: nothing is acknowledged, the delivery may come again."""


def database_away(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached (not that a row was refused)."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


class GroupCommitter:
    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = MAX_BATCH,
        on_batch: Callable[[int], None] | None = None,
        statement_seconds: float = STATEMENT_SECONDS,
        wait_seconds: float = WAIT_SECONDS,
    ) -> None:
        self.engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.max_batch = max_batch
        self.on_batch = on_batch  # test and bench seam: called with each batch's size
        self.statement_seconds = statement_seconds
        self.wait_seconds = wait_seconds
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self.restarts = 0  # threads found dead and started again, in this process
        self._busy_since: float | None = None  # monotonic start of the batch in flight
        self._failing = False  # the last batch found the database away

    def submit(self, delivery: Delivery) -> bool:
        """Store and commit `delivery`; True when new, False for a duplicate. Blocks until the
        commit that holds it is done; raises what the store raised (Unavailable when the database
        is away or did not answer in time)."""
        self.ensure_running()
        pending = _Pending(delivery)
        self._queue.put(pending)
        if not pending.done.wait(self.wait_seconds):
            raise CommitTimeout(
                f"the inbox commit did not finish within {self.wait_seconds:g} s",
                retry_after=RETRY_AFTER,
                code="database_unavailable",
            )
        if pending.error is not None:
            raise pending.error
        return pending.fresh

    def health(self) -> str:
        """ "ok"; "down" (its thread died; started again now); "stalled" (a batch has waited on
        the database past its deadline); "failing" (the last batch found the database away)."""
        if self._pid == os.getpid() and not self._alive():
            self.ensure_running()
            return "down"
        busy = self._busy_since
        if busy is not None and time.monotonic() - busy > self.statement_seconds + 1.0:
            return "stalled"
        return "failing" if self._failing else "ok"

    def _alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def ensure_running(self) -> None:
        if self._pid == os.getpid() and self._alive():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._queue = queue.SimpleQueue()  # a forked child starts with an empty queue
            elif self._alive():
                return
            else:
                self.restarts += 1
                log.error("the inbox committer thread was gone; starting it again")
            self._busy_since = None
            self._thread = threading.Thread(
                target=self._run, name="icm-inbox-committer", daemon=True
            )
            self._thread.start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=IDLE_SECONDS)]
            except queue.Empty:
                self.engine.dispose()  # an idle process holds no database connection
                continue
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._busy_since = time.monotonic()
            try:
                self._commit(batch)
            finally:
                self._busy_since = None

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            self._store(batch)
        except Exception as exc:  # noqa: BLE001  (a failed row fails its request, not the thread)
            if database_away(exc):
                self._away(batch, exc)
                return
            if len(batch) == 1:
                log.error("inbox commit failed: %s", type(exc).__name__)  # never its rows
                batch[0].error = RuntimeError("the delivery could not be stored")
                batch[0].done.set()
                return
            for pending in batch:  # one bad row must not fail the others
                self._commit([pending])
            return
        self._failing = False
        for pending in batch:
            pending.done.set()
        if self.on_batch is not None:
            self.on_batch(len(batch))

    def _away(self, batch: list[_Pending], exc: Exception) -> None:
        """The database is away: every delivery of the batch is answered 503, and the pool's
        connections (dead, or held by a server that stopped answering) are dropped."""
        log.warning("inbox commit: the database is away (%s)", type(exc).__name__)
        self._failing = True
        self.engine.dispose()
        for pending in batch:
            pending.error = Unavailable(
                "the database is unavailable; deliver again later",
                retry_after=RETRY_AFTER,
                code="database_unavailable",
            )
            pending.done.set()

    def _store(self, batch: list[_Pending]) -> None:
        # One statement is its own transaction: in autocommit it is one round trip to the server
        # (not BEGIN, INSERT, COMMIT), and it has returned only once its commit is durable.
        with (
            self._autocommit.connect() as connection,
            answer_within(connection, self.statement_seconds),
        ):
            fresh = store_many(connection, [p.delivery for p in batch])
        for pending, is_fresh in zip(batch, fresh, strict=True):
            pending.fresh = is_fresh
