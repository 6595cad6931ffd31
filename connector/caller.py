"""Who is calling: the platform-neutral result of authenticating a request.

Connect (JWT) builds it today; a Forge Remote adapter (invocation token) builds the same thing,
so views, the domain, the macros and the webhook handlers never see which platform called.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g

from connector.errors import AuthenticationFailed


@dataclass(frozen=True)
class Caller:
    site_id: str  # the organisation the data belongs to
    installation: str  # the Connect clientKey (or Forge installationId) that authenticated
    product: str  # "jira" or "confluence"
    base_url: str  # the product's base URL, for links
    account_id: str | None  # the Atlassian user behind the request, when there is one
    platform: str = "connect"
    via_context_token: bool = False


def set_caller(caller: Caller) -> None:
    g.icm_caller = caller


def current_caller() -> Caller:
    caller: Caller | None = g.get("icm_caller")
    if caller is None:
        raise AuthenticationFailed("token_missing", "this request is not authenticated")
    return caller
