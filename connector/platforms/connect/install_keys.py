"""Atlassian's install-signing public keys, fetched by `kid` and cached (rotation = a new kid).

Anyone can post to /installed, so a fetch is not theirs to trigger at will: a kid the key service
does not know is remembered for a while (`MISS_TTL_SECONDS`), and at most `FETCHES_PER_MINUTE`
fetches go out per process; beyond that the install is refused (401) until the minute passes.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque

import requests
from cachetools import LRUCache, TTLCache

from connector.domain.errors import AuthenticationFailed, UpstreamError

_KID = re.compile(r"[A-Za-z0-9._-]{1,128}")  # matched whole (fullmatch): no trailing newline
_MAX_CACHED = 64
MISS_TTL_SECONDS = 300.0
FETCHES_PER_MINUTE = 30


class InstallKeys:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._cache: LRUCache[str, str] = LRUCache(maxsize=_MAX_CACHED)
        # kids the key service did not know, each remembered MISS_TTL_SECONDS from its miss
        self._misses: TTLCache[str, bool] = TTLCache(
            maxsize=10 * _MAX_CACHED, ttl=MISS_TTL_SECONDS, timer=time.monotonic
        )
        self._fetches: deque[float] = deque()
        self._lock = threading.Lock()

    def public_key(self, kid: str) -> str:
        if not _KID.fullmatch(kid):
            raise AuthenticationFailed("token_malformed", "the install token's kid is not a key id")
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(kid)
            missed = kid in self._misses
            if cached is None and not missed:
                self._take_a_fetch(now)
        if cached is not None:
            return cached
        if missed:
            raise AuthenticationFailed("unknown_key", f"no install-signing key with kid {kid!r}")
        try:
            pem = self._fetch(kid)
        except AuthenticationFailed:
            with self._lock:
                self._misses[kid] = True
            raise
        with self._lock:
            self._cache[kid] = pem
        return pem

    def _take_a_fetch(self, now: float) -> None:
        """Count one fetch against the minute's allowance (the caller holds the lock)."""
        while self._fetches and now - self._fetches[0] >= 60.0:
            self._fetches.popleft()
        if len(self._fetches) >= FETCHES_PER_MINUTE:
            raise AuthenticationFailed(
                "key_fetch_limited", "too many install-key lookups; try the install again later"
            )
        self._fetches.append(now)

    def _fetch(self, kid: str) -> str:
        url = f"{self.base_url}/{kid}"
        try:
            response = requests.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise UpstreamError(f"could not fetch the install-signing key {kid!r}: {exc}") from exc
        if response.status_code == 404:
            raise AuthenticationFailed("unknown_key", f"no install-signing key with kid {kid!r}")
        if response.status_code != 200 or "BEGIN PUBLIC KEY" not in response.text:
            raise UpstreamError(
                f"the install-signing key service answered {response.status_code} for {kid!r}"
            )
        return response.text
