"""Sync to Jira: an outbox of changes committed locally, pushed by a worker."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to wire yet."""
