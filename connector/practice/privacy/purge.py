"""The purge of a site's data once its last installation has been uninstalled for the purge
period (docs/personal-data.md); a reinstall within it keeps the data."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from connector.db import rows_affected
from connector.db.times import as_utc
from connector.practice.privacy.accounts import by_name, tables_present, track_accounts

# The installation stores, read by name: (table, states that still count as installed).
INSTALLATIONS = (
    ("tenants", ("installed", "enabled", "disabled")),
    ("forge_installations", ("installed",)),
)


def uninstalled_since(session: Session, site_id: str) -> datetime | None:
    """When the site's last installation was uninstalled; None while one is still installed
    (a disabled app is still installed) or when the site has no installation on record."""
    return _uninstalled_since(session, site_id, tables_present(session))


def _uninstalled_since(session: Session, site_id: str, names: set[str]) -> datetime | None:
    last: datetime | None = None
    for name, live_states in INSTALLATIONS:
        if name not in names:
            continue
        rows = by_name(name, "site_id", "state", "updated_at")
        for state, at in session.execute(
            select(rows.c.state, rows.c.updated_at).where(rows.c.site_id == site_id)
        ):
            if state in live_states:
                return None
            at = as_utc(at)
            last = at if last is None or at > last else last
    return last


def sites_to_purge(session: Session, now: datetime, keep: timedelta) -> list[str]:
    """Sites whose last installation was uninstalled more than `keep` ago."""
    names = tables_present(session)  # once, not once per site
    sites: set[str] = set()
    for name, _states in INSTALLATIONS:
        if name in names:
            rows = by_name(name, "site_id")
            sites.update(session.scalars(select(rows.c.site_id).distinct()))
    due = []
    for site_id in sorted(sites):
        since = _uninstalled_since(session, site_id, names)
        if since is not None and since + keep <= now:
            due.append(site_id)
    return due


def purge_site(
    session: Session, site_id: str, metadata: Any, *, dry_run: bool, now: datetime
) -> dict[str, int]:
    """Delete every row of the site (its shared secret and app tokens included), children first;
    with `dry_run`, only count them. Tables without `site_id` go with the parent they point to."""
    counts: dict[str, int] = {}
    present = tables_present(session)
    for table_ in reversed(metadata.sorted_tables):
        if table_.name not in present:
            continue
        condition = _site_rows(table_, site_id)
        if condition is None:
            continue
        if dry_run:
            found = int(
                session.scalar(select(func.count()).select_from(table_).where(condition)) or 0
            )
        else:
            found = rows_affected(session.execute(delete(table_).where(condition)))
        if found:
            counts[table_.name] = found
    if not dry_run:
        track_accounts(session, now)
        session.flush()
    return counts


def _site_rows(table_: Any, site_id: str) -> Any:
    if "site_id" in table_.c:
        return table_.c.site_id == site_id
    for key in table_.foreign_keys:
        parent = key.column.table
        if "site_id" in parent.c:
            return key.parent.in_(select(key.column).where(parent.c.site_id == site_id))
    return None
