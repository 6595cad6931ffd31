"""The platform adapters: the only code that knows Connect or Forge.

Each authenticates its own tokens and hands a platform-neutral `Caller` down; `sites` is the one
place that knows both installation stores; `caller` is the authenticator every route outside the
platforms uses (`connector.web.caller.caller_required`).
"""

from __future__ import annotations

from flask import Flask

from connector.platforms import caller, connect, forge, operations, sites
from connector.web.caller import use_authenticator


def init_app(app: Flask) -> None:
    connect.init_app(app)
    forge.init_app(app)
    sites.init_app(app)
    app.register_blueprint(operations.bp)
    use_authenticator(app, caller.authenticate)
