"""Jira's JQL count and parse endpoints, over the sandbox's JQL engine (`sandbox.jira.jql`):
`POST /rest/api/3/search/approximate-count` (a bounded query's count; its 400s are the search's)
and `POST /rest/api/3/jql/parse` (each query's errors, as Jira lists them, or its structure)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from sandbox.errors import JiraError
from sandbox.jira.api import body
from sandbox.jira.jql import compile_jql
from sandbox.web import site

blueprint = Blueprint("jira_counts", __name__, url_prefix="/rest/api/3")
VALIDATIONS = ("strict", "warn", "none")


@blueprint.post("/search/approximate-count")
def approximate_count() -> Any:
    data = body()
    if not isinstance(data, dict):
        raise JiraError(400, ["The request body is not valid."])
    jira = site().jira
    with jira.lock:
        found = compile_jql(str(data.get("jql") or ""), jira).run(list(jira.issues.values()))
    return {"count": len(found)}


@blueprint.post("/jql/parse")
def parse() -> Any:
    validation = request.args.get("validation", "strict")
    if validation not in VALIDATIONS:
        raise JiraError(400, [f"Invalid validation mode '{validation}'."])
    data = body()
    queries = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(queries, list) or not queries:
        raise JiraError(400, ["At least one query is required."])
    jira = site().jira
    parsed: list[dict[str, Any]] = []
    with jira.lock:
        for query in queries:
            try:
                compile_jql(str(query), jira)
            except JiraError as refused:
                parsed.append({"query": str(query), "errors": refused.messages})
            else:
                parsed.append({"query": str(query), "structure": {}})
    return {"queries": parsed}
