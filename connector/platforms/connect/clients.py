"""Calls from the app to a Connect installation: every attempt signed afresh (`iss` = app key,
qsh of that very request) on the retrying session of `connector.jira.http`."""

from __future__ import annotations

import requests

from connector.jira.http import RetryingSession, RetryPolicy, origin
from connector.platforms.connect import tokens


class ConnectJWTAuth(requests.auth.AuthBase):
    """Signs each prepared request as the app, for one tenant (a product installation)."""

    def __init__(
        self, *, app_key: str, shared_secret: str, product_base_url: str, ttl_seconds: int = 180
    ) -> None:
        self.app_key = app_key
        self.shared_secret = shared_secret
        self.product_base_url = product_base_url.rstrip("/")
        self.ttl_seconds = ttl_seconds
        self._origin = origin(self.product_base_url)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        url = r.url or ""
        if origin(url) != self._origin:
            # Never hand a tenant's token to another host (a redirect, an absolute link).
            r.headers.pop("Authorization", None)
            return r
        token = tokens.sign_app_request(
            r.method or "GET",
            url,
            app_key=self.app_key,
            shared_secret=self.shared_secret,
            product_base_url=self.product_base_url,
            ttl_seconds=self.ttl_seconds,
        )
        r.headers["Authorization"] = f"JWT {token}"
        return r

    def __repr__(self) -> str:  # never the secret
        return f"ConnectJWTAuth(app_key={self.app_key!r}, base={self.product_base_url!r})"


def signed_session(
    *,
    app_key: str,
    shared_secret: str,
    product_base_url: str,
    policy: RetryPolicy | None = None,
    timeout: float = 30.0,
) -> RetryingSession:
    session = RetryingSession(policy or RetryPolicy(), timeout=timeout)
    session.auth = ConnectJWTAuth(
        app_key=app_key, shared_secret=shared_secret, product_base_url=product_base_url
    )
    session.headers["User-Agent"] = f"internal-customer-map ({app_key})"
    return session
