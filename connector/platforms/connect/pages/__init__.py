"""The app's pages inside Jira: the team page (a project page), the general page (pick a team)
and the admin page. Server-rendered shells; a small script calls /api/v1 with a context token.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from connector.db import request_session
from connector.domain.conversation import FIELDS
from connector.platforms.connect import tokens
from connector.platforms.connect.auth import tenant_required
from connector.platforms.connect.page_context import page_context
from connector.practice.settings import site_settings
from connector.web.caller import current_caller

bp = Blueprint(
    "pages", __name__, url_prefix="/pages", template_folder="templates", static_folder="static"
)


def context_token() -> str:
    """A context token for the viewer of the page being served, for its script's API calls; none
    ("") for a viewer without an account (anonymous access to a space or project): no user, no
    token, so the page's script cannot call the API for them."""
    caller = current_caller()
    if caller.account_id is None:
        return ""
    context = page_context(request_session(), caller.installation)
    return tokens.sign_context_token(
        client_key=context.client_key,
        shared_secret=context.shared_secret,
        subject=caller.account_id,
    )


def render(template: str, **values: object) -> Response:
    caller = current_caller()
    html = render_template(
        template,
        token=context_token(),
        base_url=current_app.config["BASE_URL"],
        all_js=current_app.config["ALL_JS_URL"],
        product_url=caller.base_url,
        **values,
    )
    return Response(html, mimetype="text/html")


def default_cadence() -> int:
    """The capture form starts at the site's default cadence (the admin page sets it)."""
    return site_settings(request_session(), current_caller().site_id).default_cadence_days


@bp.context_processor
def conversation() -> dict[str, object]:
    """The capture form's questions: the seed question and the site's follow-ups."""
    settings = site_settings(request_session(), current_caller().site_id)
    return {
        "seed_question": settings.seed_question,
        "follow_ups": settings.asked_follow_ups,
        "follow_up_fields": FIELDS,
    }


@bp.get("/team")
@tenant_required()
def team_page() -> Response:
    """jiraProjectPages: the team that works in this project."""
    project = request.args.get("project.key", "")
    team = page_context(request_session(), current_caller().installation).team_for(project)
    return render("team.html", project=project, team=team, cadence_days=default_cadence())


@bp.get("/teams")
@tenant_required()
def teams_page() -> Response:
    """generalPages: pick a team, then work on its customer map."""
    teams = page_context(request_session(), current_caller().installation).teams()
    return render("teams.html", teams=teams, cadence_days=default_cadence())


@bp.get("/admin")
@tenant_required()
def admin_page() -> Response:
    """adminPages: the issue types, link type and default cadence the sync uses."""
    return render("admin.html")
