"""The app factory: the only code that wires every layer together (ARCHITECTURE.md): the
database, the REST API, the macros' caches, the webhook admin routes and both platform adapters.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import macros
from connector import api, cli, db, home, logs, platforms, probes
from connector.config import defaults
from connector.practice.privacy import erase_also
from connector.web import headers, limits
from connector.web.errors import register_error_handlers
from webhooks import admin as webhooks_admin
from webhooks import erasure as inbox_erasure
from webhooks.committer import GroupCommitter
from webhooks.intake import COMMITTER


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, ICM_* variables, then `test_config`."""
    app = Flask("connector", instance_relative_config=True)
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ICM")
    if test_config is not None:
        app.config.update(test_config)
    app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")
    logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    database = db.get_db(app)
    if _flag(app.config["INTAKE_GROUP_COMMIT"]) and database.engine.dialect.name == "postgresql":
        app.extensions[COMMITTER] = GroupCommitter(db.unpinged_engine(database.url))
    register_error_handlers(app)
    limits.init_app(app)
    headers.init_app(app)
    app.register_blueprint(probes.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(webhooks_admin.bp)
    for part in (api, macros, platforms):
        part.init_app(app)
    app.cli.add_command(cli.icm)
    erase_also("webhook_inbox", inbox_erasure.erase_account)  # the inbox's deliveries naming one
    return app


def _flag(value: object) -> bool:
    """A boolean setting, also when it came from the environment as text."""
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")
