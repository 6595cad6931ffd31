"""GET /forge/view/<module>: what a Forge view needs before it shows anything, in one answer.

Every `invokeRemote` crosses Atlassian's infrastructure before it reaches the service, so a view
that asks one call after another shows its content only after all of them. The team page asks
this once: the team working in the project (found by its `jiraProjectKey`, not by listing
teams), its customer map with the viewer's permissions, the map's fragment, the settings (the
default cadence) and the viewer (`/me`). Each part is the answer the REST API's own view gives
(`connector.api`), so the shapes are the ones the OpenAPI document describes.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from connector.api.me import me
from connector.api.settings import get_settings
from connector.api.teams import customer_map
from connector.db import request_session
from connector.domain.errors import NotFound
from connector.platforms.forge.auth import authenticate_invocation, caller_for
from connector.platforms.forge.views import render_module, team_of_project
from connector.web.caller import set_caller
from macros.style import CSS

bp = Blueprint("forge_view", __name__, url_prefix="/forge")
VIEWS = frozenset({"team-page"})


def _json(answer: Response) -> Any:
    return json.loads(answer.get_data())


@bp.get("/view/<module>")
def view_data(module: str) -> Response:
    if module not in VIEWS:
        raise NotFound(
            f"no one-call view for the Forge module {module!r}; expected {sorted(VIEWS)}"
        )
    installation, claims = authenticate_invocation({module})
    set_caller(caller_for(installation, claims))
    session = request_session()
    project = request.args.get("project", "").strip()
    team = team_of_project(session, installation.site_id, project) if project else None
    if team is None:
        response = jsonify({"team": None, "me": _json(me())})
    else:
        drawn = _json(customer_map(team))
        shown = render_module(session, installation, module, {"project": project})
        response = jsonify(
            {
                "team": drawn["team"],
                "map": drawn,
                "fragment": {"title": shown.title, "html": shown.html, "css": CSS},
                "settings": _json(get_settings()),
                "me": _json(me()),
            }
        )
    response.headers["Cache-Control"] = "no-store"
    return response
