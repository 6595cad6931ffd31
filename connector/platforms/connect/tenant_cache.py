"""Verified tenants kept in memory for the webhook receivers: no tenant `SELECT` per delivery.

What is kept is what verifying a token needs (secret, state) and what the caller carries. An
entry lives `TENANT_CACHE_SECONDS` (5 s by default) and is dropped sooner:

- in this process, by the lifecycle routes (install, uninstall, enable, disable) as they commit;
- in every other process, on PostgreSQL, by `NOTIFY icm_tenants, '<clientKey>'`, which the
  tenant store sends in the same transaction as the change (delivered at its commit): each
  process listens on its own connection and drops the entry; while that connection is down the
  cache is not used at all, so no notice is missed unseen.
- when a token fails to verify with the kept secret (a re-install rotated it), the tenant is read
  again and the token verified once more.

So a stale entry can only outlive an uninstall or disable on another process for the time a
notice takes (milliseconds), or, without PostgreSQL (SQLite: one process), never. Even then the
worst case is a delivery stored that Atlassian sent before the change reached us, which is what
a late-arriving webhook looks like anyway.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from connector.platforms.connect.tenants import CHANNEL, Tenant

log = logging.getLogger(__name__)

LISTEN_POLL_SECONDS = 2.0
LISTEN_IDLE_SECONDS = 60.0  # unused this long, a process stops listening (the next use restarts)
LISTEN_GIVE_UP = 30  # failed connections in a row before a process stops trying (cache stays off)


@dataclass(frozen=True)
class KnownTenant:
    client_key: str
    site_id: str
    product_type: str
    base_url: str
    shared_secret: str
    state: str
    display_url: str | None  # with base_url, the origins that may frame our pages

    @classmethod
    def of(cls, tenant: Tenant) -> KnownTenant:
        return cls(
            tenant.client_key,
            tenant.site_id,
            tenant.product_type,
            tenant.base_url,
            tenant.shared_secret,
            tenant.state,
            tenant.display_url,
        )


class TenantCache:
    def __init__(self, ttl: float, engine: Engine | None = None) -> None:
        self.ttl = ttl
        self.engine = engine if engine is not None and _listens(engine) else None
        self._entries: dict[str, tuple[float, KnownTenant]] = {}
        self._lock = threading.Lock()
        self._listening_pid: int | None = None
        self._used_at = time.monotonic()
        self._usable = self.engine is None  # with a listener: only once it listens

    def lookup(
        self, client_key: str, load: Callable[[str], KnownTenant | None]
    ) -> tuple[KnownTenant | None, bool]:
        """The tenant, and whether it came from memory (then a failed check should reload)."""
        if self.ttl <= 0:
            return load(client_key), False
        now = time.monotonic()
        self._used_at = now
        self._ensure_listener()
        entry = self._entries.get(client_key)
        if entry is not None and entry[0] > now and self._usable:
            return entry[1], True
        found = load(client_key)
        if found is not None and self._usable:
            self._entries[client_key] = (now + self.ttl, found)
        return found, False

    def forget(self, client_key: str | None = None) -> None:
        if client_key is None:
            self._entries.clear()
        else:
            self._entries.pop(client_key, None)

    # --- PostgreSQL LISTEN, one connection and one thread per process

    def _ensure_listener(self) -> None:
        if self.engine is None or self._listening_pid == os.getpid():
            return
        with self._lock:
            if self._listening_pid == os.getpid():
                return
            self._usable = False
            self._entries.clear()  # whatever a parent process kept is not ours to trust
            self._listening_pid = os.getpid()
            threading.Thread(
                target=_listen, args=(weakref.ref(self),), name="icm-tenant-listener", daemon=True
            ).start()

    def _listening(self, on: bool) -> None:
        self._entries.clear()  # kept while not listening: may have missed a notice
        self._usable = on


def _listen(cache_ref: weakref.ref[TenantCache]) -> None:
    """One process's LISTEN loop; it holds the cache only weakly and ends with it."""
    failures = 0
    while failures < LISTEN_GIVE_UP:
        cache = cache_ref()
        if cache is None or cache.engine is None:
            return
        engine = cache.engine
        del cache
        try:
            raw: Any = engine.raw_connection()
        except (SQLAlchemyError, psycopg.Error, OSError):
            failures += 1
            log.warning("tenant change listener cannot connect; cache off until it can")
            time.sleep(1.0)
            continue
        idle = False
        try:
            connection = raw.driver_connection
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            if not _tell(cache_ref, _start):
                return
            failures = 0
            while True:
                for notice in connection.notifies(timeout=LISTEN_POLL_SECONDS):
                    if not _tell(cache_ref, partial(TenantCache.forget, client_key=notice.payload)):
                        return
                if not _tell(cache_ref, _still_used):
                    return
        except _Idle:
            idle = True  # already off, and a newer listener may be starting: leave it be
            return
        except (SQLAlchemyError, psycopg.Error, OSError):
            failures += 1
            log.warning("tenant change listener lost; cache off until it is back")
        finally:
            if not idle:
                _tell(cache_ref, _stop)
            raw.invalidate()
        time.sleep(1.0)


def _still_used(cache: TenantCache) -> None:
    if time.monotonic() - cache._used_at > LISTEN_IDLE_SECONDS:
        with cache._lock:  # off first, then let the next lookup start a listener again
            cache._listening(False)
            cache._listening_pid = None
        raise _Idle


class _Idle(Exception):
    pass


def _start(cache: TenantCache) -> None:
    cache._listening(True)


def _stop(cache: TenantCache) -> None:
    cache._listening(False)


def _tell(cache_ref: weakref.ref[TenantCache], action: Callable[[TenantCache], None]) -> bool:
    cache = cache_ref()
    if cache is None:
        return False
    action(cache)
    return True


def _listens(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
