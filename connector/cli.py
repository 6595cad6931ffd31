"""The `icm` command group: `flask --app connector icm migrate`, `worker`, `scheduler`, `import`.

Wiring, like the app factory: it may call every layer."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from connector.api.importer import run_import
from connector.db import get_db
from connector.platforms.sites import site_of_installation
from connector.scheduler import run as run_scheduler
from webhooks.worker import run as run_worker

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


@icm.command("worker")
@click.option("--once", is_flag=True, help="One pass over the outbox and the inbox, then exit.")
@click.option("--idle-sleep", default=0.5, show_default=True, help="Seconds to wait when idle.")
def worker(once: bool, idle_sleep: float) -> None:
    """Drain the sync outbox and the webhook inbox (several workers may share PostgreSQL)."""
    handled = run_worker(current_app._get_current_object(), once=once, idle_sleep=idle_sleep)  # type: ignore[attr-defined]
    click.echo(f"worker stopped after {handled} webhook deliveries")


@icm.command("scheduler")
def scheduler() -> None:
    """Run the one scheduler process (feedback requests, reconciliation, syncs, snapshots)."""
    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


@icm.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tenant",
    "installation",
    required=True,
    help="The installation: a Connect clientKey or a Forge installationId.",
)
@click.option("--sync", is_flag=True, help="Push to Jira now instead of leaving it to the worker.")
def import_organisation(file: Path, installation: str, sync: bool) -> None:
    """Import teams, relationships, goals and expectations from YAML or CSV (see examples/)."""
    import_for_installation(current_app._get_current_object(), file, installation, sync=sync)  # type: ignore[attr-defined]


def import_for_installation(app: Flask, file: Path, installation: str, *, sync: bool) -> None:
    with get_db(app).transaction() as session:
        site_id = site_of_installation(session, installation)
    if site_id is None:
        raise click.ClickException(
            f"no installation with clientKey or Forge installationId {installation!r}"
        )
    run_import(app, file, site_id, sync=sync)
