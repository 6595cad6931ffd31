"""The Connect adapter: JWT both ways, install keys, the lifecycle, tenants, the descriptors, and
the Connect routes (webhook receivers, macro iframes and their editor, Jira pages, the issue panel).
"""

from __future__ import annotations

from flask import Flask

from connector.platforms.connect import (
    descriptor,
    lifecycle,
    macros,
    pages,
    panel,
    receivers,
)
from connector.platforms.connect.install_keys import InstallKeys


def init_app(app: Flask) -> None:
    app.extensions["icm.install_keys"] = InstallKeys(app.config["INSTALL_KEYS_URL"])
    for blueprint in (descriptor.bp, lifecycle.bp, panel.bp, pages.bp, macros.bp, receivers.bp):
        app.register_blueprint(blueprint)
