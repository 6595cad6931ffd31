"""Internal Customer Map: the Flask service behind the Jira and Confluence app."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import macros.routes
import webhooks
from connector import (
    api,
    cli,
    db,
    descriptor,
    feedback_panel,
    forge,
    lifecycle,
    logs,
    pages,
    probes,
    sync,
)
from connector.config import defaults
from connector.errors import register_error_handlers
from connector.install_keys import InstallKeys


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, ICM_* variables, then `test_config`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ICM")
    if test_config is not None:
        app.config.update(test_config)
    app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")
    logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    app.extensions["icm.install_keys"] = InstallKeys(app.config["INSTALL_KEYS_URL"])
    app.extensions["icm.install_hooks"] = []
    register_error_handlers(app)
    for blueprint in (probes.bp, descriptor.bp, lifecycle.bp, feedback_panel.bp):
        app.register_blueprint(blueprint)
    # Each part of the product wires itself in.
    for part in (api, pages, sync, macros.routes, webhooks, forge):
        part.init_app(app)
    app.cli.add_command(cli.icm)
    return app
