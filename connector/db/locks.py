"""A lock per name across every process of a deployment, released when its holder dies.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own,
held for as long as the work runs; when the holding process is killed its connection closes and
the server releases the lock. SQLite (one machine): an exclusive `flock` on a file beside the
database, which the kernel releases when the process ends, however it ends. Nobody waits: a lock
held elsewhere is an answer (False), not a queue.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, func, select


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (advisory locks are keyed by a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def held(engine: Engine, name: str) -> Iterator[bool]:
    """Take the lock `name` if nobody holds it; yields whether this process has it."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name) as mine:
            yield mine
    else:
        with _file_lock(_lock_path(engine, name)) as mine:
            yield mine


@contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[bool]:
    key = lock_key(name)
    with engine.connect() as connection:
        mine = bool(connection.execute(select(func.pg_try_advisory_lock(key))).scalar())
        connection.commit()  # no transaction stays open while the work runs
        try:
            yield mine
        finally:
            if mine:
                connection.execute(select(func.pg_advisory_unlock(key)))
                connection.commit()


def _lock_path(engine: Engine, name: str) -> Path:
    database = engine.url.database
    folder = Path(database).parent if database and database != ":memory:" else Path("instance")
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return folder / f".lock-{safe}"


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
