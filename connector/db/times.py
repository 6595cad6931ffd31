"""Datetimes read from the database outside the UTC column type (column expressions, tables read
by name): SQLite hands them back as text or naive values, PostgreSQL as aware ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def as_utc(value: Any) -> datetime:
    """`value` (a datetime, or its ISO 8601 text) as an aware datetime; naive means UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
