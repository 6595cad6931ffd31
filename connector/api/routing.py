"""How API views are declared: one decorator registers the route (tenant-guarded, one transaction)
and records the operation for the OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema, ValidationError, fields

from connector.api.schemas import MAX_ID
from connector.db import request_session
from connector.domain.errors import BadRequest, Forbidden, NotFound, ValidationFailed
from connector.practice.pagination import Page
from connector.web.caller import caller_required, current_caller

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    summary: str
    tag: str
    body: type[Schema] | None = None
    answer: type[Schema] | None = None
    status: int = 200
    query: type[Schema] | None = None
    many: bool = False
    errors: tuple[int, ...] = field(default=(400, 401, 403, 404, 409, 422))

    @property
    def path(self) -> str:
        """The rule in OpenAPI's form: `/expectations/<int:expectation_id>` -> `{expectationId}`."""
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + _camel(m.group(1)) + "}", self.rule)

    @property
    def parameters(self) -> list[tuple[str, str]]:
        return [
            (_camel(name), kind or "string")
            for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", self.rule)
        ]


OPERATIONS: list[Operation] = []
View = Callable[..., Any]


def api_route(
    rule: str, method: str, summary: str, tag: str, *, user: bool = False, **spec: Any
) -> Callable[[View], View]:
    """Every write needs a signed-in user before anything else is looked at; a read needs one
    when `user` (it shows what only the site's people may see: comments, members, relationships).
    What the user may do is each view's business (`connector.practice.roles`)."""
    operation = Operation(method, rule, summary, tag, **spec)
    OPERATIONS.append(operation)
    needs_user = user or method != "GET"

    def decorate(view: View) -> View:
        @wraps(view)
        def in_transaction(*args: Any, **kwargs: Any) -> Any:
            if needs_user and current_caller().account_id is None:
                what = "this change" if method != "GET" else "reading this"
                raise Forbidden(f"{what} needs a signed-in user", code="user_required")
            _refuse_impossible_ids(kwargs)
            answer = view(*args, **kwargs)
            if method != "GET":
                request_session().commit()
            return answer

        guarded = caller_required(context_qsh=True)(in_transaction)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=guarded, methods=[method])
        return view

    return decorate


def _refuse_impossible_ids(view_args: Mapping[str, Any]) -> None:
    """`<int:...>` in our rules is a row id: one the database cannot hold names no row, and asking
    the database about it would raise. (A converter `max` would answer 405, not 404: werkzeug
    counts the other methods' rules that matched the path.)"""
    for name, value in view_args.items():
        if isinstance(value, int) and value > MAX_ID:
            what = name.removesuffix("_id")
            raise NotFound(f"no {what} with id {value}", details={"id": value})


def site_id() -> str:
    return current_caller().site_id


def load_body(schema: type[Schema]) -> dict[str, Any]:
    """The JSON body, loaded: 400 when it is not a JSON object, 422 naming each bad field."""
    data = request.get_json(silent=True) if request.data else None
    if data is None:
        raise BadRequest("the body must be JSON (Content-Type: application/json)")
    if not isinstance(data, dict):
        raise BadRequest(f"the body must be a JSON object, got {type(data).__name__}")
    return _load(schema, data, "the body")


def load_query(schema: type[Schema]) -> dict[str, Any]:
    """The query string, loaded: a list field takes every value given; any other field given more
    than once is a 422 naming it (no value is silently dropped)."""
    lists = {f.data_key or n for n, f in schema().fields.items() if isinstance(f, fields.List)}
    args: dict[str, Any] = {}
    repeated: dict[str, list[str]] = {}
    for name in request.args:
        if name == "jwt":
            continue
        values = request.args.getlist(name)
        if name in lists:
            args[name] = values
        elif len(values) > 1:
            repeated[name] = [f"given {len(values)} times; it takes one value"]
        else:
            args[name] = values[0]
    if repeated:
        names = ", ".join(sorted(repeated))
        raise ValidationFailed(f"the query repeats {names}", details=repeated)
    return _load(schema, args, "the query")


def _load(schema: type[Schema], data: Mapping[str, Any], what: str) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema().load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        names = ", ".join(sorted(str(k) for k in messages))
        raise ValidationFailed(f"{what} has invalid fields: {names}", details=messages) from exc
    return loaded


def respond(schema: type[Schema], value: Any, status: int = 200) -> Response:
    response = jsonify(schema().dump(value))
    response.status_code = status
    return response


def respond_page(schema: type[Schema], page: Page[Any], values: Any = None) -> Response:
    items = page.values if values is None else values
    return jsonify({"values": schema(many=True).dump(items), "nextCursor": page.next_cursor})


def no_content() -> Response:
    return Response(status=204)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
