"""The Rovo agent's actions, served by the remote (forge/manifest.yml: `rovo:agent` `icm-agent`,
its `action` modules, each backed by an `endpoint` whose route is one of these paths).

Who asks is the invocation token's user (`principal`), never an input: inputs are extracted by
the model and may be wrong (platform/forge/manifest-reference/modules/rovo-action). A token that
fails, or that another module sent, is a 401/403 error like every Forge route; past that, every
answer is 200 with `{"outcome", "message", ...}`, the message a sentence the agent relays: the
answer, a refusal naming the role rule, or what was wrong with the inputs (nothing written).

The body: what the rovo-action page documents for a function handler, the inputs as top-level
keys plus `context` (the product context: `cloudId`, `jira.issueKey`, `confluence.contentId`,
...). What an endpoint-backed action receives is not documented; the same object is accepted
bare or under `payload`. `context.accountId`, like any input, decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.orm import Session

from connector.db import request_session
from connector.domain.caller import Caller
from connector.domain.errors import BadRequest
from connector.platforms.forge.auth import authenticate_invocation, caller_for
from connector.platforms.forge.modules import ROVO_ACTIONS
from connector.platforms.forge.rovo_actions import (
    draft_expectation,
    list_expectations,
    record_rating,
    relationship_health_answer,
)
from connector.platforms.forge.rovo_inputs import Answer, Inputs, Unanswered
from connector.web.caller import set_caller

bp = Blueprint("forge_rovo", __name__, url_prefix="/forge/rovo")

Handler = Callable[[Session, Caller, Inputs, Mapping[str, Any]], Answer]
# action key -> (what it does, whether it writes)
HANDLERS: dict[str, tuple[Handler, bool]] = {
    "list-expectations": (list_expectations, False),
    "relationship-health": (relationship_health_answer, False),
    "draft-expectation": (draft_expectation, True),
    "record-feedback": (record_rating, True),
}


@bp.post("/<action>")
def invoke(action: str) -> Response:
    if action not in HANDLERS:
        raise BadRequest(f"no Rovo action {action!r}", code="unknown_action")
    installation, claims = authenticate_invocation({action, ROVO_ACTIONS[action]})
    caller = caller_for(installation, claims)
    set_caller(caller)
    inputs, context = _payload()
    handler, writes = HANDLERS[action]
    session = request_session()
    try:
        answer = handler(session, caller, Inputs(inputs), context)
    except Unanswered as stopped:
        session.rollback()
        answer = stopped.answer
    else:
        if writes:
            session.commit()
    response = jsonify(answer.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


def _payload() -> tuple[dict[str, Any], Mapping[str, Any]]:
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("payload"), dict):
        body = body["payload"]
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object: the inputs and the context")
    context = body.get("context")
    inputs = {k: v for k, v in body.items() if k != "context"}
    return inputs, context if isinstance(context, dict) else {}
