"""Group commit for the intake: many deliveries in one transaction, each answered only after the
commit that holds it.

A request thread hands its delivery to the process's committer and waits. The committer thread
takes everything queued since its last commit, stores it with one multi-row `INSERT … ON CONFLICT
DO NOTHING` and commits; only then does each waiting request learn whether its delivery was new,
so a 204 still means "committed" (with the server's normal `synchronous_commit`). While one
commit is flushing, the next batch gathers: under load one WAL flush and one statement serve
tens of deliveries, and when idle a delivery waits for nothing but its own commit.

If a batch fails, each of its deliveries is tried alone, so one bad row fails only its own
request. The thread starts on first use in each process (after gunicorn forks).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from webhooks.inbox import Delivery, store_many

log = logging.getLogger(__name__)

MAX_BATCH = 200
IDLE_SECONDS = 5.0  # with nothing to store for this long, the committer closes its connections
WAIT_SECONDS = 30.0  # a request gives up (500, so Atlassian retries) if no commit came by then


@dataclass
class _Pending:
    delivery: Delivery
    done: threading.Event = field(default_factory=threading.Event)
    fresh: bool = False
    error: BaseException | None = None


class CommitTimeout(RuntimeError):
    pass


class GroupCommitter:
    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = MAX_BATCH,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.max_batch = max_batch
        self.on_batch = on_batch  # test and bench seam: called with each batch's size
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pid: int | None = None

    def submit(self, delivery: Delivery) -> bool:
        """Store and commit `delivery`; True when new, False for a duplicate. Blocks until the
        commit that holds it is done; raises what the store raised."""
        self._ensure_thread()
        pending = _Pending(delivery)
        self._queue.put(pending)
        if not pending.done.wait(WAIT_SECONDS):
            raise CommitTimeout("the inbox commit did not finish in time")
        if pending.error is not None:
            raise pending.error
        return pending.fresh

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._queue = queue.SimpleQueue()  # a forked child starts with an empty queue
                thread = threading.Thread(target=self._run, name="icm-inbox-committer", daemon=True)
                thread.start()
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
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            self._store(batch)
        except Exception:
            if len(batch) == 1:
                log.exception("inbox commit failed")
                batch[0].error = RuntimeError("the delivery could not be stored")
                batch[0].done.set()
                return
            for pending in batch:  # one bad row must not fail the others
                self._commit([pending])
            return
        for pending in batch:
            pending.done.set()
        if self.on_batch is not None:
            self.on_batch(len(batch))

    def _store(self, batch: list[_Pending]) -> None:
        # One statement is its own transaction: in autocommit it is one round trip to the server
        # (not BEGIN, INSERT, COMMIT), and it has returned only once its commit is durable.
        with self._autocommit.connect() as connection:
            fresh = store_many(connection, [p.delivery for p in batch])
        for pending, is_fresh in zip(batch, fresh, strict=True):
            pending.fresh = is_fresh
