"""Who is calling: the platform-neutral result of authenticating a request.

A platform adapter (Connect JWT, Forge invocation token) builds it and hands it down, so views,
the practice's services, the macros and the webhook handlers never see which platform called.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    site_id: str  # the organisation the data belongs to
    installation: str  # the Connect clientKey (or Forge installationId) that authenticated
    product: str  # "jira" or "confluence"
    base_url: str  # the product's base URL, for links
    account_id: str | None  # the Atlassian user behind the request, when there is one
    platform: str = "connect"
    via_context_token: bool = False
