"""What an Atlassian accountId looks like, so that a list of them can be checked before it is kept.

Atlassian documents an accountId as an opaque string of at most 128 characters
(`5b10ac8d82e05b22cc7d4ef5`, `557058:f58131cb-b67d-43c7-b30d-6b58d40bd077`,
`qm:1bf2…:5b8e…` for service-desk customers): letters, digits, `:`, `-` and `_`. Anything else
(a space, NUL, a surrogate, a `%`) is not one, and no account of a site can be named by it.
"""

from __future__ import annotations

import re

MAX_LENGTH = 128
ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9:_-]{0,127}")
PROBLEM = "must be an Atlassian accountId: 1-128 letters, digits, ':', '-' or '_'"


def is_account_id(value: object) -> bool:
    return isinstance(value, str) and ACCOUNT_ID.fullmatch(value) is not None
