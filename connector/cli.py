"""The `icm` command group: `flask --app connector icm migrate`, `worker`, `scheduler`, `import`.

Wiring, like the app factory: it may call every layer."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

import connector.db.models  # noqa: F401  (every table on Base.metadata, for the purge)
from connector.api.importer import run_import
from connector.db import Base, get_db, utcnow
from connector.db.secrets import encrypted_columns, rotate_all, secrets_to_rotate
from connector.platforms.sites import site_of_installation
from connector.practice.privacy import purge_site, uninstalled_since
from connector.scheduler import report_personal_data
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


@icm.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every stored secret under the first key of ICM_SECRET_KEYS.

    Rotation: put the new key first in ICM_SECRET_KEYS (keep the old one after it), run this,
    then drop the old key."""
    database = get_db(current_app)
    with database.engine.begin() as connection:
        total, stale = secrets_to_rotate(connection, Base.metadata)
        if total and not stale:
            click.echo(
                f"warning: the first key of ICM_SECRET_KEYS already encrypts all {total} stored"
                " secret(s), so nothing was re-encrypted. If you are rotating, the new key must"
                " come first (new,old); do not drop any key yet.",
                err=True,
            )
            raise SystemExit(1)
        count = rotate_all(connection, Base.metadata)
    columns = ", ".join(f"{table.name}.{name}" for table, name in encrypted_columns(Base.metadata))
    click.echo(f"re-encrypted {count} secret(s) under the first key ({columns})")


@icm.command("purge-site")
@click.argument("site_id")
@click.option("--dry-run", is_flag=True, help="Count the rows that would go; delete nothing.")
@click.option("--force", is_flag=True, help="Purge even though the site is still installed.")
def purge_site_command(site_id: str, dry_run: bool, force: bool) -> None:
    """Delete every row of one site (its shared secret included): what the daily purge does
    PURGE_AFTER_UNINSTALL_DAYS after the site's last installation is uninstalled."""
    with get_db(current_app).transaction() as session:
        since = uninstalled_since(session, site_id)
        if since is None and not force and not dry_run:
            raise click.ClickException(
                f"site {site_id!r} is still installed (or unknown); --force purges it anyway"
            )
        counts = purge_site(session, site_id, Base.metadata, dry_run=dry_run, now=utcnow())
    state = f"uninstalled since {since.isoformat()}" if since else "installed or unknown"
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"site {site_id} ({state}): {verb} {sum(counts.values())} row(s)")
    for name, count in sorted(counts.items()):
        click.echo(f"  {name}: {count}")


@icm.command("report-personal-data")
def report_personal_data_command() -> None:
    """Run the personal data reporting cycle now for every site that is due."""
    reported = report_personal_data(current_app._get_current_object(), utcnow())  # type: ignore[attr-defined]
    click.echo(f"reported {reported} account(s)")
