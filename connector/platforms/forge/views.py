"""What each Forge UI module shows: the same fragments the Connect macros render.

The Custom UI (forge/static/view) asks `GET /forge/ui/<module>` through `invokeRemote` and puts
the returned HTML and CSS into its own page; rendering (and its cache) stays in
`macros.fragments`, shared with the Connect macros.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.db import utcnow
from connector.platforms.forge.installations import ForgeInstallation
from connector.practice.measure_counts import count_errors
from connector.practice.models import Team
from macros.fragments import CHOOSE_TEAM, Kind, render_fragment
from macros.html import error_box
from macros.links import site_links

MACROS = ("customer-map", "integrator-map", "expectations")
PAGES = ("team-page", "general-page", "admin-page", "issue-panel")
NO_TEAM_FOR_PROJECT = "No team in the customer map works in this project yet."
TITLE = "Internal Customer Map"


@dataclass(frozen=True)
class Rendered:
    title: str
    html: str


def team_of_project(session: Session, site_id: str, project_key: str) -> str | None:
    return session.scalars(
        select(Team.key).where(
            Team.site_id == site_id,
            Team.jira_project_key == project_key.upper(),
            Team.retired_at.is_(None),
        )
    ).first()


def _macro_of(module: str, params: Mapping[str, str], team: str) -> tuple[Kind, dict[str, str]]:
    """The macro a module shows and its parameters (the pages show fixed options)."""
    if module in ("integrator-map", "general-page"):
        return "integrator-map", {}
    if module == "customer-map":
        return "customer-map", {**params, "team": team}
    if module == "team-page":
        return "customer-map", {"team": team, "sides": "both", "expectations": "true"}
    if module == "expectations":
        return "expectations", {**params, "team": team}
    return "expectations", {"team": team, "side": "supplier"}  # the issue panel


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
        return Rendered(TITLE, admin_status(installation) + refused_counts(session, site_id))
    team = params.get("team", "").strip()
    project = params.get("project", "").strip()
    if not team and project:
        team = team_of_project(session, site_id, project) or ""
        if not team:
            return Rendered(TITLE, error_box(NO_TEAM_FOR_PROJECT))
    kind, macro_params = _macro_of(module, params, team)
    if kind != "integrator-map" and not team:
        return Rendered(TITLE, error_box(CHOOSE_TEAM))
    shown = render_fragment(kind, session, site_id, macro_params, site_links(session, site_id))
    return Rendered(shown.title, shown.html)


def admin_status(installation: ForgeInstallation) -> str:
    now = utcnow()
    rows = {
        "Platform": "Forge (remote)",
        "Atlassian apps": ", ".join(installation.spans),
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


def refused_counts(session: Session, site_id: str) -> str:
    """Measures whose JQL Jira refused to count, with Jira's message (not counted again until
    the JQL changes); nothing when there are none."""
    rows = "".join(
        f"<tr><td>{escape(m.expectation.statement[:200])}</td><td>{escape(m.name)}</td>"
        f"<td><code>{escape(m.jql or '')}</code></td><td>{escape(m.count_error or '')}</td></tr>"
        for m in count_errors(session, site_id)
    )
    if not rows:
        return ""
    head = "".join(
        f'<th scope="col">{h}</th>' for h in ("Expectation", "Measure", "JQL", "Jira said")
    )
    return (
        '<section class="icm-admin" aria-labelledby="icm-refused-heading">'
        '<h2 id="icm-refused-heading">Measures Jira refused to count</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )
