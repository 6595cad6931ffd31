"""The app's pages inside Jira: the team page, the general page, the admin page, the issue panel."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("pages", __name__, url_prefix="/pages")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
