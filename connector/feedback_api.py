"""Feedback routes: `POST/GET /api/v1/expectations/{id}/feedback`, and the one-click rating panel
on an expectation's Jira issue (`GET /feedback/panel?issue.key=…`, `POST /feedback/panel`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from connector.auth import tenant_required
from connector.caller import current_caller
from connector.db import request_session
from connector.errors import BadRequest, NotFound, ValidationFailed
from connector.expectation_issues import expectation_for_issue
from connector.feedback import SOURCE_API, SOURCE_PANEL, feedback_for, record_feedback
from connector.feedback_panel import render_panel
from connector.healthviews import expectation_health
from connector.organisation import Feedback

api_bp = Blueprint("feedback_api", __name__, url_prefix="/api/v1")
panel_bp = Blueprint("feedback_panel", __name__, url_prefix="/feedback")


class FeedbackIn(Schema):
    class Meta:
        unknown = RAISE

    rating = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(allow_none=True, validate=validate.Length(max=5000))


class PanelFeedbackIn(FeedbackIn):
    issue_key = fields.String(required=True, data_key="issueKey", validate=validate.Length(max=32))


def feedback_json(feedback: Feedback) -> dict[str, Any]:
    return {
        "id": feedback.id,
        "expectationId": feedback.expectation_id,
        "rating": feedback.rating,
        "comment": feedback.comment,
        "authorAccountId": feedback.author_account_id,
        "source": feedback.source,
        "at": feedback.at.isoformat(),
    }


def load(schema: Schema) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    try:
        data: dict[str, Any] = schema.load(body)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        raise ValidationFailed("the feedback is not valid", details=messages) from None
    return data


@api_bp.post("/expectations/<int:expectation_id>/feedback")
@tenant_required(context_qsh=True)
def give_feedback(expectation_id: int) -> tuple[Response, int]:
    data, caller = load(FeedbackIn()), current_caller()
    session = request_session()
    feedback = record_feedback(
        session, caller.site_id, expectation_id, author=caller.account_id, source=SOURCE_API, **data
    )
    session.commit()
    return jsonify(feedback_json(feedback)), 201


@api_bp.get("/expectations/<int:expectation_id>/feedback")
@tenant_required(context_qsh=True)
def list_feedback(expectation_id: int) -> Response:
    site_id, session = current_caller().site_id, request_session()
    rows = feedback_for(session, site_id, expectation_id)
    health = expectation_health(session, site_id, [expectation_id])[expectation_id]
    return jsonify({"values": [feedback_json(f) for f in rows], "health": health.as_json()})


@panel_bp.get("/panel")
@tenant_required()
def panel() -> Response:
    site_id, session = current_caller().site_id, request_session()
    expectation = expectation_for_issue(session, site_id, None, request.args.get("issue.key"))
    health = expectation_health(session, site_id, [expectation.id]) if expectation else {}
    html = render_panel(
        expectation,
        health.get(expectation.id) if expectation else None,
        all_js_url=current_app.config["ALL_JS_URL"],
    )
    return Response(html, mimetype="text/html")


@panel_bp.post("/panel")
@tenant_required(context_qsh=True)
def rate_from_panel() -> tuple[Response, int]:
    data, caller = load(PanelFeedbackIn()), current_caller()
    session = request_session()
    expectation = expectation_for_issue(session, caller.site_id, None, data.pop("issue_key"))
    if expectation is None:
        raise NotFound("this issue is not an expectation on this site")
    feedback = record_feedback(
        session,
        caller.site_id,
        expectation.id,
        author=caller.account_id,
        source=SOURCE_PANEL,
        **data,
    )
    session.commit()
    return jsonify(feedback_json(feedback)), 201
