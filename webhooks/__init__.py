"""Webhook receivers, the durable inbox, handlers per event, and the worker that drains it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the receivers and admin view, and the feedback API and rating panel routes."""
    from connector.feedback_api import api_bp, panel_bp
    from webhooks.views import bp

    for blueprint in (bp, api_bp, panel_bp):
        app.register_blueprint(blueprint)
