"""Webhook receivers, the durable inbox, handlers per event, and the worker that drains it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to wire yet."""
