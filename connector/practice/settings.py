"""A site's settings: the issue types and link type the sync uses, the default cadence, and the
follow-up questions the capture form and the Rovo agent ask (`connector.domain.conversation`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from connector.domain.conversation import checked_follow_ups
from connector.practice.models import SiteSettings
from connector.practice.outbox import TaskKind, enqueue

DEFAULTS: dict[str, Any] = {
    "issue_type": "Task",
    "epic_issue_type": "Epic",
    "link_type_name": "Internal customer",
    "link_type_id": None,
    "default_cadence_days": 30,
    "review_space_key": None,
    "review_packs_scheduled": False,
    "follow_ups": None,  # the default questions
}


def site_settings(session: Session, site_id: str) -> SiteSettings:
    """The stored settings, or the defaults (added to the session, written on commit)."""
    settings = session.get(SiteSettings, site_id)
    if settings is None:
        settings = SiteSettings(site_id=site_id, **DEFAULTS)
        session.add(settings)
    return settings


def update_settings(session: Session, site_id: str, changes: Mapping[str, Any]) -> SiteSettings:
    settings = site_settings(session, site_id)
    if "link_type_name" in changes and changes["link_type_name"] != settings.link_type_name:
        settings.link_type_id = None  # resolved again by the sync
        enqueue(session, site_id, TaskKind.LINK_TYPE)
    if changes.get("follow_ups") is not None:  # None: back to the default questions
        changes = {**changes, "follow_ups": checked_follow_ups(changes["follow_ups"])}
    for name, value in changes.items():
        setattr(settings, name, value)
    session.flush()
    return settings
