"""/teams: teams addressed by key, and each team's customer map."""

from __future__ import annotations

from flask import Response

from connector.api import schemas
from connector.api.expectations import with_permissions
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
from connector.domain.roles import Action, allows, require
from connector.practice import maps, members, teams
from connector.practice.models import Team
from connector.practice.roles import require_on_teams, team_standing
from connector.web.caller import current_caller

TAG = "teams"


@api_route(
    "/teams", "POST", "Create a team", TAG, body=schemas.TeamIn, answer=schemas.TeamOut, status=201
)
def create_team() -> Response:
    session = request_session()
    require_on_teams(session, current_caller(), Action.MANAGE_TEAMS)
    team = teams.create_team(session, site_id(), **load_body(schemas.TeamIn))
    return present(team, 201)


@api_route(
    "/teams", "GET", "List teams", TAG, query=schemas.TeamQuery, answer=schemas.TeamOut, many=True
)
def list_teams() -> Response:
    session = request_session()
    page = teams.list_teams(session, site_id(), **load_query(schemas.TeamQuery))
    return respond_page(schemas.TeamOut, page, [shown(team) for team in page.values])


@api_route("/teams/<key>", "GET", "Read a team", TAG, answer=schemas.TeamOut)
def get_team(key: str) -> Response:
    return present(teams.team_by_key(request_session(), site_id(), key))


@api_route(
    "/teams/<key>", "PATCH", "Update a team", TAG, body=schemas.TeamPatch, answer=schemas.TeamOut
)
def update_team(key: str) -> Response:
    session = request_session()
    require_on_teams(session, current_caller(), Action.MANAGE_TEAMS)
    changes = load_body(schemas.TeamPatch)
    return present(teams.update_team(session, site_id(), key, changes))


@api_route("/teams/<key>", "DELETE", "Retire a team (soft)", TAG, status=204)
def retire_team(key: str) -> Response:
    session = request_session()
    require_on_teams(session, current_caller(), Action.MANAGE_TEAMS)
    teams.retire_team(session, site_id(), key)
    return no_content()


@api_route("/teams/<key>/map", "GET", "The team's customer map", TAG, answer=schemas.CustomerMapOut)
def customer_map(key: str) -> Response:
    found = maps.customer_map(request_session(), site_id(), key)
    for edge in found.suppliers + found.customers:
        with_permissions(edge.expectations)
    return respond(
        schemas.CustomerMapOut,
        {"team": shown(found.team), "suppliers": found.suppliers, "customers": found.customers},
    )


@api_route(
    "/teams/<key>/members", "GET", "The team's members", TAG, answer=schemas.MembersOut, user=True
)
def get_members(key: str) -> Response:
    session = request_session()
    team = teams.team_by_key(session, site_id(), key)
    return respond(schemas.MembersOut, {"account_ids": members.members_of(session, team)})


@api_route(
    "/teams/<key>/members",
    "PUT",
    "Set the team's members (its lead or a Jira administrator)",
    TAG,
    body=schemas.MembersIn,
    answer=schemas.MembersOut,
    errors=(400, 401, 403, 404, 422),
)
def put_members(key: str) -> Response:
    session = request_session()
    team = teams.team_by_key(session, site_id(), key)
    standing = require_on_teams(session, current_caller(), Action.MANAGE_MEMBERS, team)
    accounts = load_body(schemas.MembersIn)["account_ids"]
    added = set(accounts) - set(members.members_of(session, team))
    if added & members.counterparts(session, team):
        require(Action.CROSS_ENROL, standing)  # a lead may not silence its customers
    return respond(
        schemas.MembersOut, {"account_ids": members.set_members(session, team, accounts)}
    )


def shown(team: Team) -> dict[str, object]:
    """The team with its members and what the caller may do with it."""
    session, caller = request_session(), current_caller()
    standing = team_standing(session, caller.site_id, caller.account_id, [team])
    return {
        "key": team.key,
        "name": team.name,
        "jira_project_key": team.jira_project_key,
        "lead_account_id": team.lead_account_id,
        "former_lead": team.former_lead,
        "retired_at": team.retired_at,
        # accountIds are for the site's people: a token without a user sees none
        "members": members.members_of(session, team) if caller.account_id else [],
        "permissions": {"manage": allows(Action.MANAGE_MEMBERS, standing)},
    }


def present(team: Team, status: int = 200) -> Response:
    return respond(schemas.TeamOut, shown(team), status)
