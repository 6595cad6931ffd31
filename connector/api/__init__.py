"""The REST API under /api/v1 (DESIGN §5): teams, relationships, expectations, their feedback,
goals, settings, the customer map, and the OpenAPI document describing them."""

from __future__ import annotations

from flask import Flask

# Each module adds its routes to `bp` when imported.
from connector.api import (  # noqa: F401
    expectations,
    export,
    feedback,
    goals,
    history,
    me,
    openapi,
    relationships,
    review_packs,
    settings,
    teams,
)
from connector.api.routing import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
