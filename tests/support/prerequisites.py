"""What the suite needs from the machine, and what happens when it is missing.

Locally a missing prerequisite skips the tests that need it, and the reason says what to install.
With ICM_REQUIRE_ALL=1 (CI sets it) nothing may be missing: the tests fail instead, so a CI run
never goes green having silently skipped half the suite.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def required() -> bool:
    return os.environ.get("ICM_REQUIRE_ALL", "") not in ("", "0")


def missing(what: str) -> NoReturn:
    """Skip (locally) or fail (CI) because `what` is not on this machine."""
    if required():
        pytest.fail(f"{what} (ICM_REQUIRE_ALL=1: CI must run every test)", pytrace=False)
    pytest.skip(what)
