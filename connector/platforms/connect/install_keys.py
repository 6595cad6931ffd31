"""Atlassian's install-signing public keys, fetched by `kid` and cached (rotation = a new kid)."""

from __future__ import annotations

import re
import threading

import requests

from connector.domain.errors import AuthenticationFailed, UpstreamError

_KID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_MAX_CACHED = 64


class InstallKeys:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def public_key(self, kid: str) -> str:
        if not _KID.match(kid):
            raise AuthenticationFailed("token_malformed", "the install token's kid is not a key id")
        with self._lock:
            cached = self._cache.get(kid)
        if cached is not None:
            return cached
        pem = self._fetch(kid)
        with self._lock:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.pop(next(iter(self._cache)))
            self._cache[kid] = pem
        return pem

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
