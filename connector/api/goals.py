"""/goals: a supplier team's goals, which become Jira epics."""

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
from connector.domain.roles import Action
from connector.practice import goals
from connector.practice.roles import require_on_teams
from connector.practice.teams import find_team
from connector.web.caller import current_caller

TAG = "goals"
ONE = "/goals/<int:goal_id>"


@api_route(
    "/goals", "POST", "Set a goal", TAG, body=schemas.GoalIn, answer=schemas.GoalOut, status=201
)
def create_goal() -> Response:
    data = load_body(schemas.GoalIn)
    session = request_session()
    team = find_team(session, site_id(), data["team"])
    require_on_teams(session, current_caller(), Action.MANAGE_GOAL, team)
    goal = goals.create_goal(session, site_id(), **data)
    return respond(schemas.GoalOut, goal, 201)


@api_route(
    "/goals", "GET", "List goals", TAG, query=schemas.GoalQuery, answer=schemas.GoalOut, many=True
)
def list_goals() -> Response:
    page = goals.list_goals(request_session(), site_id(), **load_query(schemas.GoalQuery))
    return respond_page(schemas.GoalOut, page)


@api_route(ONE, "GET", "Read a goal", TAG, answer=schemas.GoalOut)
def get_goal(goal_id: int) -> Response:
    return respond(schemas.GoalOut, goals.goal_by_id(request_session(), site_id(), goal_id))


@api_route(ONE, "PATCH", "Update a goal", TAG, body=schemas.GoalPatch, answer=schemas.GoalOut)
def update_goal(goal_id: int) -> Response:
    changes = load_body(schemas.GoalPatch)
    session = request_session()
    goal = goals.goal_by_id(session, site_id(), goal_id)
    require_on_teams(session, current_caller(), Action.MANAGE_GOAL, goal.team)
    return respond(schemas.GoalOut, goals.update_goal(session, site_id(), goal_id, changes))


@api_route(ONE, "DELETE", "Retire a goal", TAG, status=204)
def retire_goal(goal_id: int) -> Response:
    session = request_session()
    goal = goals.goal_by_id(session, site_id(), goal_id)
    require_on_teams(session, current_caller(), Action.MANAGE_GOAL, goal.team)
    goals.retire_goal(session, site_id(), goal_id)
    return no_content()
