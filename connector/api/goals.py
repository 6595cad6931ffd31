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
from connector.practice import goals

TAG = "goals"
ONE = "/goals/<int:goal_id>"


@api_route(
    "/goals", "POST", "Set a goal", TAG, body=schemas.GoalIn, answer=schemas.GoalOut, status=201
)
def create_goal() -> Response:
    goal = goals.create_goal(request_session(), site_id(), **load_body(schemas.GoalIn))
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
    return respond(
        schemas.GoalOut, goals.update_goal(request_session(), site_id(), goal_id, changes)
    )


@api_route(ONE, "DELETE", "Retire a goal", TAG, status=204)
def retire_goal(goal_id: int) -> Response:
    goals.retire_goal(request_session(), site_id(), goal_id)
    return no_content()
