"""`/_sandbox/...`: drive the site as an admin or a user would, and read what it recorded."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from sandbox import adf
from sandbox.directory import STATUSES, USERS
from sandbox.errors import JiraError
from sandbox.install import InstallError
from sandbox.server import site

blueprint = Blueprint("admin", __name__, url_prefix="/_sandbox")


def payload() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def actor(data: dict[str, Any]) -> str:
    account_id = str(data.get("accountId") or USERS[0].account_id)
    site().jira.user(account_id)
    return account_id


@blueprint.errorhandler(InstallError)
def install_failed(error: InstallError) -> tuple[Response, int]:
    return jsonify({"error": str(error)}), 502


@blueprint.post("/install")
def install() -> Any:
    data = payload()
    inst = site().install(
        str(data.get("descriptorUrl", "")),
        str(data.get("product", "jira")),
        bool(data.get("rotateSecret", True)),
    )
    return {"payload": inst.payload, "outcome": inst.outcome}


@blueprint.post("/uninstall")
def uninstall() -> Any:
    inst = site().installer.uninstall(str(payload().get("product", "jira")))
    return {"outcome": inst.outcome}


@blueprint.get("/installations")
def installations() -> Any:
    return {
        product: {
            "clientKey": i.client_key,
            "key": i.app_key,
            "baseUrl": i.base_url,
            "installed": i.installed,
            "outcome": i.outcome,
        }
        for product, i in site().installer.installations.items()
    }


@blueprint.post("/admins")
def set_admins() -> Any:
    """`{"accountIds": [...]}`: the accounts holding Jira's ADMINISTER global permission."""
    accounts = payload().get("accountIds")
    if not isinstance(accounts, list):
        return {"error": "accountIds must be a list"}, 400
    site().admins = {str(a) for a in accounts}
    return {"accountIds": sorted(site().admins)}


@blueprint.post("/projects/<key>/browsers")
def set_browsers(key: str) -> Any:
    """`{"accountIds": [...]}`: only these accounts may browse the project (BROWSE_PROJECTS)."""
    accounts = payload().get("accountIds")
    if not isinstance(accounts, list):
        return {"error": "accountIds must be a list"}, 400
    site().browsers[key.upper()] = {str(a) for a in accounts}
    return {"project": key.upper(), "accountIds": sorted(site().browsers[key.upper()])}


@blueprint.get("/faults")
def faults() -> Any:
    return dict(site().faults.plan.__dict__)


@blueprint.post("/faults")
def set_faults() -> Any:
    try:
        return site().set_faults(**payload())
    except (TypeError, ValueError) as exc:
        return {"error": str(exc)}, 400


@blueprint.get("/calls")
def calls() -> Any:
    return jsonify([c._asdict() for c in list(site().calls)])


@blueprint.delete("/calls")
def clear_calls() -> Any:
    site().calls.clear()
    return Response(status=204)


@blueprint.get("/contract-violations")
def violations() -> Any:
    return jsonify(list(site().contract_violations))


@blueprint.get("/webhooks")
def webhooks() -> Any:
    return jsonify(site().webhooks.records())


@blueprint.post("/jira/issue")
def create_issue() -> Any:
    data = payload()
    body = {"fields": data.get("fields"), "properties": data.get("properties", [])}
    issue = site().jira.create_issue(body, actor(data))
    return {"id": issue.id, "key": issue.key}, 201


@blueprint.post("/jira/issue/<key>/transition")
def transition(key: str) -> Any:
    data = payload()
    wanted = str(data.get("to", ""))
    status = next((s for s in STATUSES if s.name.lower() == wanted.lower()), None)
    if status is None:
        raise JiraError(
            400, [f"No status named {wanted!r}; use one of {[s.name for s in STATUSES]}"]
        )
    jira = site().jira
    jira.move_to(jira.find_issue(key), status, actor(data))
    return Response(status=204)


@blueprint.post("/jira/issue/<key>/comment")
def comment(key: str) -> Any:
    data = payload()
    text = str(data.get("body", ""))
    made = site().jira.add_comment(key, {"body": adf.from_text(text)}, actor(data), text)
    return {"id": made.id}, 201


@blueprint.put("/jira/issue/<key>/comment/<comment_id>")
def edit_comment(key: str, comment_id: str) -> Any:
    data = payload()
    text = str(data.get("body", ""))
    site().jira.edit_comment(key, comment_id, {"body": adf.from_text(text)}, actor(data), text)
    return Response(status=204)


@blueprint.delete("/jira/issue/<key>/comment/<comment_id>")
def delete_comment(key: str, comment_id: str) -> Any:
    site().jira.delete_comment(key, comment_id, actor(payload()))
    return Response(status=204)


@blueprint.delete("/jira/issue/<key>")
def delete_issue(key: str) -> Any:
    site().jira.delete_issue(key, actor(payload()), delete_subtasks=True)
    return Response(status=204)


@blueprint.post("/jira/issueLink")
def create_link() -> Any:
    data = payload()
    link = site().jira.create_link(
        {
            "type": {"name": data.get("type", "Relates")},
            "inwardIssue": {"key": data.get("inward")},
            "outwardIssue": {"key": data.get("outward")},
        },
        actor(data),
    )
    return {"id": link.id}, 201


@blueprint.delete("/jira/issueLink/<link_id>")
def delete_link(link_id: str) -> Any:
    site().jira.delete_link(link_id, actor(payload()))
    return Response(status=204)


@blueprint.post("/confluence/page")
def seed_page() -> Any:
    data = payload()
    store = site().confluence
    page = store.create_page(
        {
            "spaceId": store.space(str(data.get("spaceKey", "ICM"))).id,
            "title": data.get("title"),
            "body": {"representation": "storage", "value": data.get("body", "")},
        },
        actor(data),
    )
    return {"id": page.id, "url": f"{site().url}/wiki/spaces/{page.space.key}/pages/{page.id}"}, 201
