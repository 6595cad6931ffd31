"""What each Forge UI module shows: the same fragments the Connect macros render.

The Custom UI (forge/static/view) asks `GET /forge/ui/<module>` through `invokeRemote` and puts
the returned HTML and CSS into its own page; rendering stays in `macros`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.db import utcnow
from connector.forge.installations import ForgeInstallation
from connector.organisation import Team
from macros.data import UnknownTeam
from macros.html import error_box, unknown_team_message
from macros.links import JiraLinks, jira_links
from macros.routes import CHOOSE_TEAM, _customer_map, _expectations, _integrator

MACROS = ("customer-map", "integrator-map", "expectations")
PAGES = ("team-page", "general-page", "admin-page", "issue-panel")
NO_TEAM_FOR_PROJECT = "No team in the customer map works in this project yet."


@dataclass(frozen=True)
class Rendered:
    title: str
    html: str


Render = Callable[[Session, str, JiraLinks], str]


def _team_of_project(session: Session, site_id: str, project_key: str) -> str | None:
    return session.scalars(
        select(Team.key).where(
            Team.site_id == site_id,
            Team.jira_project_key == project_key.upper(),
            Team.retired_at.is_(None),
        )
    ).first()


def _choose(module: str, params: Mapping[str, str], team: str) -> tuple[str, Render] | None:
    """The title and renderer for a module, or None when it needs a team it does not have."""
    if module in ("integrator-map", "general-page"):
        return "Integrator map", _integrator
    if not team:
        return None
    if module == "customer-map":
        render = _customer_map(team, params.get("sides", ""), params.get("expectations", ""))
        return f"Customer map: {team}", render
    if module == "team-page":
        return f"Customer map: {team}", _customer_map(team, "both", "true")
    side = params.get("side", "").strip().lower() if module == "expectations" else "supplier"
    return f"Expectations: {team}", _expectations(team, side)


def render_module(
    session: Session,
    installation: ForgeInstallation,
    module: str,
    params: Mapping[str, str],
) -> Rendered:
    """The HTML of one UI module for this installation's site; unknown module -> KeyError."""
    if module not in MACROS + PAGES:
        raise KeyError(module)
    site_id = installation.site_id
    if module == "admin-page":
        return Rendered("Internal Customer Map", admin_status(installation))
    team = params.get("team", "").strip()
    project = params.get("project", "").strip()
    if not team and project:
        team = _team_of_project(session, site_id, project) or ""
        if not team:
            return Rendered("Internal Customer Map", error_box(NO_TEAM_FOR_PROJECT))
    chosen = _choose(module, params, team)
    if chosen is None:
        return Rendered("Internal Customer Map", error_box(CHOOSE_TEAM))
    title, render = chosen
    try:
        return Rendered(title, render(session, site_id, jira_links(session, site_id)))
    except UnknownTeam as unknown:
        return Rendered(title, error_box(unknown_team_message(unknown.key)))


def admin_status(installation: ForgeInstallation) -> str:
    now = utcnow()
    rows = {
        "Platform": "Forge (remote)",
        "Product": installation.product,
        "Site (cloudId)": installation.site_id,
        "Installation": installation.installation_id,
        "Environment": installation.environment or "unknown",
        "App version": installation.app_version or "unknown",
        "Moved from Connect": installation.connect_client_key or "no",
        "App token": "valid" if installation.usable_token(now) else "waiting for the next event",
    }
    cells = "".join(
        f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>' for k, v in rows.items()
    )
    return (
        '<section class="icm-admin" aria-labelledby="icm-admin-heading">'
        '<h2 id="icm-admin-heading">Installation</h2>'
        f"<table><caption>This site's Forge installation</caption>{cells}</table></section>"
    )
