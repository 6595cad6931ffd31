"""What a request may bring: a body size per route, checked before anything is read, and JSON
nested no deeper than a bound.

Sizes: Jira's largest `jira:issue_updated` deliveries (a long description, a big changelog, many
custom fields) reach several hundred KB, so the webhook receivers and the Forge event endpoint take
up to 1 MiB; everything else (the API, lifecycle callbacks, pages, the panel) 256 KiB, far above
any body the app's own front ends send. A refused delivery is not lost: reconciliation reads the
issue and its comments from Jira on its next run (`webhooks.reconcile`).
"""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge

from connector.domain.errors import BadRequest

WEBHOOK_BODY_LIMIT = 1024 * 1024
DEFAULT_BODY_LIMIT = 256 * 1024
MAX_JSON_DEPTH = 64
_LARGE_BODY_PREFIXES = ("/webhooks/jira/", "/webhooks/confluence/", "/forge/events")


def body_limit(path: str) -> int:
    return WEBHOOK_BODY_LIMIT if path.startswith(_LARGE_BODY_PREFIXES) else DEFAULT_BODY_LIMIT


def _limit_body() -> None:
    limit = body_limit(request.path)
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge(
                f"the body is {request.content_length} bytes; this route takes at most {limit}"
            )
    elif "wsgi.input_terminated" in request.environ:
        _read_unsized_body(limit)


def _read_unsized_body(limit: int) -> None:
    """A body without Content-Length (chunked): Werkzeug would stop reading at the limit and hand
    the route what came before it, so it is read here, one byte past the limit at most: over it
    is a 413, within it the route reads what was read here."""
    raw = request.environ["wsgi.input"].read(limit + 1)
    if len(raw) > limit:
        raise RequestEntityTooLarge(
            f"the body (sent without Content-Length) is over {limit} bytes; "
            f"this route takes at most {limit}"
        )
    request.environ["wsgi.input"] = io.BytesIO(raw)  # the server ended it: Werkzeug reads it all


def _refuse_nul() -> None:
    """NUL (U+0000) in the path or the query names nothing (no key, id or issue key holds one)
    and PostgreSQL refuses it in a statement: a 400 here, not a 500 there."""
    given = [request.path, *(part for pair in request.args.items(multi=True) for part in pair)]
    if any("\x00" in value for value in given):
        raise BadRequest("the request's path or query holds NUL (U+0000)", code="nul_in_request")


def json_depth(value: Any) -> int:
    """How deeply `value` nests lists and objects: one level at a time (no recursion to exhaust,
    and about half the time of a stack of (item, depth) pairs: it runs on every delivery)."""
    depth = 0
    level: list[Any] = [value] if isinstance(value, dict | list) else []
    while level:
        depth += 1
        below: list[Any] = []
        for item in level:
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, dict | list):
                    below.append(child)
        level = below
    return depth


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing (400) a document nested deeper than `MAX_JSON_DEPTH`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError as exc:
            raise too_deep() from exc
        if json_depth(value) > MAX_JSON_DEPTH:
            raise too_deep()
        return value


def too_deep() -> BadRequest:
    return BadRequest(
        f"the JSON nests deeper than {MAX_JSON_DEPTH} levels",
        code="too_deeply_nested",
        details={"maxDepth": MAX_JSON_DEPTH},
    )


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.before_request(_limit_body)
    app.before_request(_refuse_nul)
