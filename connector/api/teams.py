"""/teams: teams addressed by key, and each team's customer map."""

from __future__ import annotations

from flask import Response

from connector.api import schemas
from connector.api.routing import (
    api_route,
    load_body,
    load_query,
    no_content,
    respond,
    respond_page,
    site_id,
)
from connector.db import request_session
from connector.practice import maps, teams

TAG = "teams"


@api_route(
    "/teams", "POST", "Create a team", TAG, body=schemas.TeamIn, answer=schemas.TeamOut, status=201
)
def create_team() -> Response:
    team = teams.create_team(request_session(), site_id(), **load_body(schemas.TeamIn))
    return respond(schemas.TeamOut, team, 201)


@api_route(
    "/teams", "GET", "List teams", TAG, query=schemas.TeamQuery, answer=schemas.TeamOut, many=True
)
def list_teams() -> Response:
    page = teams.list_teams(request_session(), site_id(), **load_query(schemas.TeamQuery))
    return respond_page(schemas.TeamOut, page)


@api_route("/teams/<key>", "GET", "Read a team", TAG, answer=schemas.TeamOut)
def get_team(key: str) -> Response:
    return respond(schemas.TeamOut, teams.team_by_key(request_session(), site_id(), key))


@api_route(
    "/teams/<key>", "PATCH", "Update a team", TAG, body=schemas.TeamPatch, answer=schemas.TeamOut
)
def update_team(key: str) -> Response:
    changes = load_body(schemas.TeamPatch)
    return respond(schemas.TeamOut, teams.update_team(request_session(), site_id(), key, changes))


@api_route("/teams/<key>", "DELETE", "Retire a team (soft)", TAG, status=204)
def retire_team(key: str) -> Response:
    teams.retire_team(request_session(), site_id(), key)
    return no_content()


@api_route("/teams/<key>/map", "GET", "The team's customer map", TAG, answer=schemas.CustomerMapOut)
def customer_map(key: str) -> Response:
    return respond(schemas.CustomerMapOut, maps.customer_map(request_session(), site_id(), key))
