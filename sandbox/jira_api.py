"""Jira Cloud REST v3 endpoints the app uses, as thin views over the Jira store."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandbox.directory import STATUSES
from sandbox.errors import JiraError
from sandbox.jql import compile_jql
from sandbox.server import caller, site

blueprint = Blueprint("jira_api", __name__, url_prefix="/rest/api/3")
ID_ONLY = {"id", "key"}


def body() -> Any:
    if not request.get_data():
        return None
    data = request.get_json(silent=True)
    if data is None:
        raise JiraError(400, ["Unexpected character: the request body is not valid JSON."])
    return data


def empty(status: int) -> Response:
    return Response(status=status)


@blueprint.get("/myself")
def myself() -> Any:
    return site().renderer().user(caller().app_account_id)


@blueprint.post("/permissions/check")
def permissions_check() -> Any:
    """ADMINISTER among the global permissions, BROWSE_PROJECTS on issues among the project
    ones (`/_sandbox/projects/<key>/browsers`); the app may ask about anyone."""
    data = body()
    if not isinstance(data, dict):
        raise JiraError(400, ["The request body is not valid."])
    account = str(data.get("accountId") or caller().app_account_id)
    wanted = [str(p) for p in data.get("globalPermissions") or []]
    admin = account in site().admins
    granted = [p for p in wanted if p == "ADMINISTER" and admin]
    return {"globalPermissions": granted, "projectPermissions": _project_grants(account, data)}


def _project_grants(account: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    grants = []
    for asked in data.get("projectPermissions") or []:
        for permission in asked.get("permissions") or []:
            if permission != "BROWSE_PROJECTS":
                continue
            issues = []
            for issue_id in asked.get("issues") or []:
                issue = site().jira.issue_by_id(str(issue_id))
                allowed = issue is not None and account in site().browsers.get(
                    issue.project.key, {account}
                )
                if allowed:
                    issues.append(issue_id)
            grants.append({"permission": permission, "issues": issues, "projects": []})
    return grants


@blueprint.get("/project/search")
def project_search() -> Any:
    renderer = site().renderer()
    keys = {k for raw in request.args.getlist("keys") for k in raw.split(",") if k}
    query = request.args.get("query", "").lower()
    found = [
        p
        for p in site().jira.projects.values()
        if (not keys or p.key in keys) and (query in p.key.lower() or query in p.name.lower())
    ]
    start = request.args.get("startAt", 0, type=int)
    size = request.args.get("maxResults", 50, type=int)
    page = found[start : start + size]
    return {
        "self": request.url,
        "maxResults": size,
        "startAt": start,
        "total": len(found),
        "isLast": start + size >= len(found),
        "values": [renderer.project(p) for p in page],
    }


@blueprint.get("/project/<id_or_key>")
def project(id_or_key: str) -> Any:
    return site().renderer().project(site().jira.project(id_or_key), full=True)


@blueprint.get("/issuetype")
def issue_types() -> Any:
    renderer = site().renderer()
    return jsonify([renderer.issue_type(t) for t in site().jira.issue_types.values()])


@blueprint.get("/issuetype/project")
def issue_types_for_project() -> Any:
    site().jira.project(request.args.get("projectId", ""))
    return issue_types()


@blueprint.post("/issue")
def create_issue() -> Any:
    issue = site().jira.create_issue(body(), caller().app_account_id)
    return {
        "id": issue.id,
        "key": issue.key,
        "self": site().renderer().api(f"issue/{issue.id}"),
    }, 201


@blueprint.post("/issue/bulk")
def create_issues() -> Any:
    created, failures = site().jira.create_issues(body(), caller().app_account_id)
    renderer = site().renderer()
    answer = {
        "issues": [
            {"id": i.id, "key": i.key, "self": renderer.api(f"issue/{i.id}")} for i in created
        ],
        "errors": failures,
    }
    return answer, 201 if created else 400


def wanted_fields() -> list[str] | None:
    return request.args.getlist("fields") or None


@blueprint.get("/issue/<id_or_key>")
def get_issue(id_or_key: str) -> Any:
    jira = site().jira
    with jira.lock:
        issue = jira.find_issue(id_or_key)
        props = [p for raw in request.args.getlist("properties") for p in raw.split(",") if p]
        return site().renderer().issue(issue, wanted_fields(), props)


@blueprint.put("/issue/<id_or_key>")
def edit_issue(id_or_key: str) -> Any:
    site().jira.edit_issue(id_or_key, body(), caller().app_account_id)
    return empty(204)


@blueprint.delete("/issue/<id_or_key>")
def delete_issue(id_or_key: str) -> Any:
    delete_subtasks = request.args.get("deleteSubtasks", "false") == "true"
    site().jira.delete_issue(id_or_key, caller().app_account_id, delete_subtasks)
    return empty(204)


@blueprint.get("/issue/<id_or_key>/transitions")
def transitions(id_or_key: str) -> Any:
    site().jira.find_issue(id_or_key)
    renderer = site().renderer()
    return {
        "expand": "transitions",
        "transitions": [
            {
                "id": s.transition_id,
                "name": s.name,
                "to": renderer.status(s),
                "hasScreen": False,
                "isGlobal": True,
                "isInitial": False,
                "isAvailable": True,
                "isConditional": False,
                "isLooped": False,
            }
            for s in STATUSES
        ],
    }


@blueprint.post("/issue/<id_or_key>/transitions")
def transition(id_or_key: str) -> Any:
    site().jira.transition(id_or_key, body(), caller().app_account_id)
    return empty(204)


@blueprint.get("/issue/<id_or_key>/comment")
def comments(id_or_key: str) -> Any:
    issue = site().jira.find_issue(id_or_key)
    start = request.args.get("startAt", 0, type=int)
    size = request.args.get("maxResults", 5000, type=int)
    renderer = site().renderer()
    return {
        "startAt": start,
        "maxResults": size,
        "total": len(issue.comments),
        "comments": [renderer.comment(c) for c in issue.comments[start : start + size]],
    }


@blueprint.post("/issue/<id_or_key>/comment")
def add_comment(id_or_key: str) -> Any:
    comment = site().jira.add_comment(id_or_key, body(), caller().app_account_id)
    return site().renderer().comment(comment), 201


@blueprint.get("/issue/<id_or_key>/comment/<comment_id>")
def get_comment(id_or_key: str, comment_id: str) -> Any:
    return site().renderer().comment(site().jira.find_comment(id_or_key, comment_id))


@blueprint.put("/issue/<id_or_key>/comment/<comment_id>")
def edit_comment(id_or_key: str, comment_id: str) -> Any:
    comment = site().jira.edit_comment(id_or_key, comment_id, body(), caller().app_account_id)
    return site().renderer().comment(comment)


@blueprint.delete("/issue/<id_or_key>/comment/<comment_id>")
def delete_comment(id_or_key: str, comment_id: str) -> Any:
    site().jira.delete_comment(id_or_key, comment_id, caller().app_account_id)
    return empty(204)


@blueprint.get("/issue/<id_or_key>/properties")
def property_keys(id_or_key: str) -> Any:
    issue = site().jira.find_issue(id_or_key)
    renderer = site().renderer()
    return {
        "keys": [
            {"key": k, "self": renderer.api(f"issue/{issue.id}/properties/{k}")}
            for k in issue.properties
        ]
    }


@blueprint.get("/issue/<id_or_key>/properties/<key>")
def get_property(id_or_key: str, key: str) -> Any:
    return {"key": key, "value": site().jira.get_property(id_or_key, key)}


@blueprint.put("/issue/<id_or_key>/properties/<key>")
def set_property(id_or_key: str, key: str) -> Any:
    value = body()
    if value is None:
        raise JiraError(400, ["The property value must be a valid, non-empty JSON blob."])
    created = site().jira.set_property(id_or_key, key, value)
    return {}, 201 if created else 200


@blueprint.delete("/issue/<id_or_key>/properties/<key>")
def delete_property(id_or_key: str, key: str) -> Any:
    site().jira.delete_property(id_or_key, key)
    return empty(204)


def _page_token(jql: str, offset: int) -> str:
    digest = hashlib.sha256(jql.encode()).hexdigest()[:12]
    raw = json.dumps({"o": offset, "q": digest}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(jql: str, token: str | None) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["q"] != hashlib.sha256(jql.encode()).hexdigest()[:12]:
            raise ValueError("token of another query")
        return int(data["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise JiraError(400, ["The provided next page token is invalid or expired."]) from exc


def search(params: dict[str, Any]) -> dict[str, Any]:
    jql = str(params.get("jql") or "")
    fields: list[str] = params.get("fields") or ["id"]
    properties: list[str] = params.get("properties") or []
    jira = site().jira
    with jira.lock:
        found = compile_jql(jql, jira).run(list(jira.issues.values()))
        names = {n.strip() for raw in fields for n in raw.split(",")}
        cap = 5000 if names <= ID_ONLY else 100
        size = max(1, min(int(params.get("maxResults") or 50), cap))
        start = _offset(jql, params.get("nextPageToken"))
        page = found[start : start + size]
        renderer = site().renderer()
        answer: dict[str, Any] = {
            "issues": [renderer.issue(i, fields, properties) for i in page],
            "isLast": start + size >= len(found),
        }
        if not answer["isLast"]:
            answer["nextPageToken"] = _page_token(jql, start + size)
        return answer


@blueprint.get("/search/jql")
def search_get() -> Any:
    args = request.args
    return search(
        {
            "jql": args.get("jql"),
            "fields": args.getlist("fields"),
            "properties": [p for raw in args.getlist("properties") for p in raw.split(",")],
            "maxResults": args.get("maxResults", type=int),
            "nextPageToken": args.get("nextPageToken"),
        }
    )


@blueprint.post("/search/jql")
def search_post() -> Any:
    data = body()
    if not isinstance(data, dict):
        raise JiraError(400, ["The request body must be a JSON object."])
    return search(data)


@blueprint.get("/issueLinkType")
def link_types() -> Any:
    renderer = site().renderer()
    return {"issueLinkTypes": [renderer.link_type(t) for t in site().jira.link_types.values()]}


@blueprint.post("/issueLinkType")
def create_link_type() -> Any:
    return site().renderer().link_type(site().jira.create_link_type(body())), 201


@blueprint.get("/issueLinkType/<type_id>")
def link_type(type_id: str) -> Any:
    return site().renderer().link_type(site().jira.find_link_type({"id": type_id}))


@blueprint.post("/issueLink")
def create_link() -> Any:
    site().jira.create_link(body(), caller().app_account_id)
    return empty(201)


@blueprint.get("/issueLink/<link_id>")
def get_link(link_id: str) -> Any:
    jira = site().jira
    with jira.lock:
        return site().renderer().link(jira.find_link(link_id))


@blueprint.delete("/issueLink/<link_id>")
def delete_link(link_id: str) -> Any:
    site().jira.delete_link(link_id, caller().app_account_id)
    return empty(204)
