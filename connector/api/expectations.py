"""/expectations: recorded, proposed, agreed, edited, linked, re-attached, retired."""

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
from connector.domain.errors import NotFound
from connector.domain.roles import Action, transition_action
from connector.domain.states import check_transition
from connector.practice import expectations
from connector.practice.assessments import ExpectationView, assess_expectations
from connector.practice.models import Expectation
from connector.practice.relationships import relationship_by_id
from connector.practice.roles import (
    expectation_permissions,
    require_browsable,
    require_on_relationship,
    require_user,
)
from connector.web.caller import current_caller

TAG = "expectations"
ONE = "/expectations/<int:expectation_id>"


def with_permissions(views: list[ExpectationView]) -> list[ExpectationView]:
    caller = current_caller()
    allowed = expectation_permissions(
        request_session(), caller.site_id, caller.account_id, [v.expectation for v in views]
    )
    for view in views:
        view.permissions = allowed[view.expectation.id]
    return views


def present(expectation: Expectation, status: int = 200) -> Response:
    views = with_permissions(assess_expectations(request_session(), [expectation]))
    return respond(schemas.ExpectationOut, views[0], status)


def guarded(expectation_id: int, action: Action | None = None, to: str | None = None) -> None:
    """403 naming the rule unless the caller may take `action` (or make the move `to`)."""
    session = request_session()
    expectation = expectations.expectation_by_id(session, site_id(), expectation_id)
    if to is not None:
        check_transition(expectation.state, to)  # an impossible move is a 409 for anyone
        action = transition_action(expectation.state, to)
    if action is None:
        raise TypeError("guarded() needs an action or a target state")
    require_on_relationship(session, current_caller(), action, expectation.relationship)


@api_route(
    "/expectations",
    "POST",
    "Record an expectation (a draft)",
    TAG,
    body=schemas.ExpectationIn,
    answer=schemas.ExpectationOut,
    status=201,
)
def create_expectation() -> Response:
    data = load_body(schemas.ExpectationIn)
    session = request_session()
    try:
        relationship = relationship_by_id(session, site_id(), data["relationship_id"])
    except NotFound:
        relationship = None  # the service answers 422 naming the field
    if relationship is not None:
        require_on_relationship(session, current_caller(), Action.EDIT, relationship)
    else:
        require_user(current_caller())
    return present(expectations.create_expectation(request_session(), site_id(), **data), 201)


@api_route(
    "/expectations",
    "GET",
    "List expectations",
    TAG,
    query=schemas.ExpectationQuery,
    answer=schemas.ExpectationOut,
    many=True,
)
def list_expectations() -> Response:
    session = request_session()
    page = expectations.list_expectations(
        session, site_id(), **load_query(schemas.ExpectationQuery)
    )
    views = with_permissions(assess_expectations(session, page.values))
    return respond_page(schemas.ExpectationOut, page, views)


@api_route(ONE, "GET", "Read an expectation", TAG, answer=schemas.ExpectationOut)
def get_expectation(expectation_id: int) -> Response:
    return present(expectations.expectation_by_id(request_session(), site_id(), expectation_id))


@api_route(
    ONE,
    "PATCH",
    "Edit an expectation (measures given replace measures)",
    TAG,
    body=schemas.ExpectationPatch,
    answer=schemas.ExpectationOut,
)
def update_expectation(expectation_id: int) -> Response:
    changes = load_body(schemas.ExpectationPatch)
    guarded(expectation_id, Action.EDIT)
    return present(
        expectations.update_expectation(request_session(), site_id(), expectation_id, changes)
    )


@api_route(ONE, "DELETE", "Retire an expectation", TAG, status=204)
def retire_expectation(expectation_id: int) -> Response:
    guarded(expectation_id, Action.RETIRE)
    expectations.retire_expectation(request_session(), site_id(), expectation_id)
    return no_content()


@api_route(
    ONE + "/transitions",
    "POST",
    "Move an expectation (propose, agree, counter-propose)",
    TAG,
    body=schemas.TransitionIn,
    answer=schemas.ExpectationOut,
)
def transition_expectation(expectation_id: int) -> Response:
    data = load_body(schemas.TransitionIn)
    to = data.pop("to")
    guarded(expectation_id, to=to)
    moved = expectations.transition(request_session(), site_id(), expectation_id, to, data)
    return present(moved)


@api_route(
    ONE + "/links",
    "POST",
    "Link the expectation's issue to another team's issue",
    TAG,
    body=schemas.LinkIn,
    answer=schemas.LinkOut,
    status=201,
)
def link_expectation(expectation_id: int) -> Response:
    data = load_body(schemas.LinkIn)
    guarded(expectation_id, Action.EDIT)
    # The worker makes the link as the app: the user's own right to see the issue decides.
    require_browsable(request_session(), current_caller(), data["issue_key"])
    link = expectations.add_link(request_session(), site_id(), expectation_id, data["issue_key"])
    return respond(schemas.LinkOut, link, 201)


@api_route(
    ONE + "/reattach",
    "POST",
    "Give a detached expectation (its Jira issue was deleted) a new issue",
    TAG,
    answer=schemas.ExpectationOut,
)
def reattach_expectation(expectation_id: int) -> Response:
    guarded(expectation_id, Action.EDIT)
    return present(expectations.reattach(request_session(), site_id(), expectation_id))


@api_route(
    ONE + "/sync",
    "POST",
    "Push a committed expectation to Jira now (retry a failed or waiting push)",
    TAG,
    answer=schemas.ExpectationOut,
)
def retry_expectation_sync(expectation_id: int) -> Response:
    guarded(expectation_id, Action.EDIT)  # it resets the backoff: the supplier side only
    return present(expectations.retry_sync(request_session(), site_id(), expectation_id))
