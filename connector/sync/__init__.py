"""Sync to Jira: an outbox of changes committed locally, pushed by a worker.

`drain_outbox(app)` pushes what is due (`icm worker` calls it in its loop); the install hook
queues ensuring the site's `Internal customer` link type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from connector.sync.pusher import SyncHooks
    from connector.tenants import Tenant


def drain_outbox(
    app: Flask, *, limit: int = 500, force: bool = False, hooks: SyncHooks | None = None
) -> int:
    """Push up to `limit` due outbox tasks to Jira; returns how many were taken."""
    from connector.sync.worker import drain_outbox as drain

    return drain(app, limit=limit, force=force, hooks=hooks)


def queue_link_type(session: Session, tenant: Tenant) -> None:
    """On a Jira install: make sure the site has the `Internal customer` link type."""
    from connector.sync.models import TaskKind
    from connector.sync.outbox import enqueue

    if tenant.product_type == "jira":
        enqueue(session, tenant.site_id, TaskKind.LINK_TYPE)


def init_app(app: Flask) -> None:
    app.extensions["icm.install_hooks"].append(queue_link_type)


__all__ = ["drain_outbox", "init_app", "queue_link_type"]
