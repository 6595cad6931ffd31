"""Webhook receivers, the durable inbox, handlers per event, and the worker that drains it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the receivers and the admin view."""
    from webhooks.views import bp

    app.register_blueprint(bp)
