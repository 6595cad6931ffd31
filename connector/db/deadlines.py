"""A client-side deadline for one database round trip, for the paths that must answer in time
(the webhook intake's group commit, the readiness probe, a pooled connection's check before use).

A server that has gone silent behind a connection that stays open (a proxy or load balancer
holding the socket, a frozen host) is noticed by nothing else: `statement_timeout` runs on the
server, which never sees the statement, and TCP keepalives are answered by whatever holds the
socket. So when the deadline passes, the connection's socket is shut down: the driver then
reports a lost connection (SQLAlchemy invalidates it), and the caller carries on with a new one.
SQLite has no socket; its bound is the busy timeout (`connector.db`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DisconnectionError

PING_SECONDS = 2.0  # a pooled connection's check before use


def _socket_of(dbapi_connection: Any) -> int | None:
    """The file descriptor of a psycopg connection's socket, or None (SQLite, closed)."""
    pgconn: Any = getattr(dbapi_connection, "pgconn", None)
    try:
        return int(pgconn.socket) if pgconn is not None else None
    except Exception:  # noqa: BLE001  (psycopg raises when the connection is already gone)
        return None


def _cut(fd: int) -> None:
    # fromfd duplicates the descriptor; shutting down the duplicate shuts the shared socket.
    with contextlib.suppress(OSError), socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM) as s:
        s.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One thread per process that cuts the sockets of round trips past their deadline (a timer
    thread per round trip would cost a thread start on every request)."""

    def __init__(self) -> None:
        self._due: dict[int, tuple[float, int]] = {}  # ticket -> (deadline, fd)
        self._tickets = itertools.count()
        self._wake = threading.Condition()
        self._pid: int | None = None

    def watch(self, fd: int, seconds: float) -> int:
        with self._wake:
            if self._pid != os.getpid():  # first use in this process (after a fork too)
                self._due.clear()
                threading.Thread(target=self._run, name="icm-db-deadlines", daemon=True).start()
                self._pid = os.getpid()
            ticket = next(self._tickets)
            self._due[ticket] = (time.monotonic() + seconds, fd)
            self._wake.notify()
            return ticket

    def done(self, ticket: int) -> None:
        with self._wake:
            self._due.pop(ticket, None)

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                for ticket, (deadline, fd) in list(self._due.items()):
                    if deadline <= now:
                        del self._due[ticket]
                        _cut(fd)
                nearest = min((deadline for deadline, _fd in self._due.values()), default=None)
                self._wake.wait(None if nearest is None else max(0.0, nearest - now))


_WATCHDOG = _Watchdog()


@contextlib.contextmanager
def dbapi_within(dbapi_connection: Any, seconds: float) -> Iterator[None]:
    """Run the block; if it has not finished after `seconds`, cut the connection's socket so
    the call waiting on it fails at once as a lost connection."""
    fd = _socket_of(dbapi_connection)
    if fd is None:
        yield
        return
    ticket = _WATCHDOG.watch(fd, seconds)
    try:
        yield
    finally:
        _WATCHDOG.done(ticket)


def answer_within(
    connection: Connection, seconds: float
) -> contextlib.AbstractContextManager[None]:
    return dbapi_within(connection.connection.dbapi_connection, seconds)


def ping_on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """The pool's check of a connection before use (in place of `pool_pre_ping`, which could wait
    for ever on a silent socket): SELECT 1 within PING_SECONDS, else every pooled connection is
    dropped and the pool connects again (`DisconnectionError`)."""
    try:
        with dbapi_within(dbapi_connection, PING_SECONDS):
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            if not getattr(dbapi_connection, "autocommit", True):
                dbapi_connection.rollback()  # end the transaction the check began
    except Exception as error:
        dropped = DisconnectionError("the connection did not answer its check")
        dropped.invalidate_pool = True
        raise dropped from error
