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
from connector.practice import expectations
from connector.practice.assessments import assess_expectations, assess_one
from connector.practice.models import Expectation

TAG = "expectations"
ONE = "/expectations/<int:expectation_id>"


def present(expectation: Expectation, status: int = 200) -> Response:
    return respond(schemas.ExpectationOut, assess_one(request_session(), expectation), status)


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
    return respond_page(schemas.ExpectationOut, page, assess_expectations(session, page.values))


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
    return present(
        expectations.update_expectation(request_session(), site_id(), expectation_id, changes)
    )


@api_route(ONE, "DELETE", "Retire an expectation", TAG, status=204)
def retire_expectation(expectation_id: int) -> Response:
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
    return present(expectations.reattach(request_session(), site_id(), expectation_id))


@api_route(
    ONE + "/sync",
    "POST",
    "Push a committed expectation to Jira now (retry a failed or waiting push)",
    TAG,
    answer=schemas.ExpectationOut,
)
def retry_expectation_sync(expectation_id: int) -> Response:
    return present(expectations.retry_sync(request_session(), site_id(), expectation_id))
