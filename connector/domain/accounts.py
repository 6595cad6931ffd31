"""Atlassian accountIds: what a well-formed one looks like.

An accountId is opaque, at most 128 characters of letters, digits, `:` and `-`
(`5b10ac8d82e05b22cc7d4ef5`, `557058:f58131cb-b67d-43c7-b30d-6b58d40bd077`). Anything else (NUL,
spaces, quotes, LIKE wildcards, surrogates) is not an account the app may act on.
"""

from __future__ import annotations

import re

ACCOUNT_ID = re.compile(r"^[A-Za-z0-9:\-]{1,128}\Z")  # \Z: no newline after


def is_account_id(value: object) -> bool:
    """True for a well-formed accountId."""
    return isinstance(value, str) and ACCOUNT_ID.fullmatch(value) is not None
