"""The `icm` command group: `flask --app connector icm migrate` and the commands other parts add."""

from __future__ import annotations

from pathlib import Path

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


@icm.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "client_key", required=True, help="clientKey of the installation.")
@click.option("--sync", is_flag=True, help="Push to Jira now instead of leaving it to the worker.")
def import_organisation(file: Path, client_key: str, sync: bool) -> None:
    """Import teams, relationships, goals and expectations from YAML or CSV (see examples/)."""
    from connector.importer import run_import

    run_import(current_app._get_current_object(), file, client_key, sync=sync)  # type: ignore[attr-defined]
