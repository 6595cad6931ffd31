"""Who is calling, whichever platform's token the request carries: the authenticator the platforms
register for every route outside them (`connector.web.caller.caller_required`).
"""

from __future__ import annotations

from connector.domain.caller import Caller
from connector.platforms.connect.auth import connect_caller
from connector.platforms.forge.auth import caller_if_forge


def authenticate(*, context_qsh: bool) -> Caller:
    """A Forge invocation token (`Authorization: Bearer`, Forge on) or else a Connect JWT."""
    forge = caller_if_forge()
    if forge is not None:
        return forge
    return connect_caller(context_qsh=context_qsh)
