"""/expectations/{id}/feedback: ratings given through the API, and the feedback so far with the
expectation's health. Who may rate, and what counts, is `connector.practice.feedback`'s business."""

from __future__ import annotations

from flask import Response

from connector.api import schemas
from connector.api.routing import api_route, load_body, respond, site_id
from connector.db import request_session
from connector.practice.feedback import SOURCE_API, feedback_for, record_feedback
from connector.practice.health import expectation_health
from connector.web.caller import current_caller

TAG = "feedback"
FEEDBACK = "/expectations/<int:expectation_id>/feedback"
ERRORS = (400, 401, 403, 404, 422)


@api_route(
    FEEDBACK,
    "POST",
    "Rate how well an expectation is met (not by the supplier team's lead)",
    TAG,
    body=schemas.FeedbackIn,
    answer=schemas.FeedbackOut,
    status=201,
    errors=ERRORS,
)
def give_feedback(expectation_id: int) -> Response:
    data = load_body(schemas.FeedbackIn)
    feedback = record_feedback(
        request_session(),
        site_id(),
        expectation_id,
        author=current_caller().account_id,
        source=SOURCE_API,
        **data,
    )
    return respond(schemas.FeedbackOut, feedback, 201)


@api_route(
    FEEDBACK,
    "GET",
    "List an expectation's feedback, newest first, with its health",
    TAG,
    answer=schemas.FeedbackListOut,
    errors=(401, 403, 404),
    user=True,  # the comments and their authors' accountIds
)
def list_feedback(expectation_id: int) -> Response:
    session, site = request_session(), site_id()
    rows = feedback_for(session, site, expectation_id)
    health = expectation_health(session, site, [expectation_id])[expectation_id]
    return respond(schemas.FeedbackListOut, {"values": rows, "health": health.as_json()})
