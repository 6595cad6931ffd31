"""The `icm` command group: `flask --app connector icm migrate` and the commands other parts add."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from connector.db import get_db

icm = AppGroup("icm", help="Internal Customer Map: database, import, worker and scheduler.")


@icm.command("migrate")
@click.option("--revision", default="heads", show_default=True, help="Alembic revision to reach.")
def migrate(revision: str) -> None:
    """Apply the database migrations."""
    database = get_db(current_app)
    database.migrate(revision)
    click.echo(
        f"database at {revision}: {database.engine.url.render_as_string(hide_password=True)}"
    )
