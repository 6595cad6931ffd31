"""Rovo, as far as the remote can tell: an agent's action invoked as Forge would invoke it.

There is no model here. What the sandbox plays is the last step of a conversation: the agent has
chosen an action of the manifest (`modules.action`) and extracted its inputs, and Forge calls the
action's `endpoint`: a POST to the remote's `baseUrl` + the endpoint's `route.path`, with an
invocation token of the action's module for the user chatting (`principal`) and the app tokens
the endpoint's `auth` asks for. The body is what the rovo-action page documents for a function
handler: the inputs as top-level keys, plus `context` (cloudId, moduleKey, the user's accountId,
and the product context such as `jira.issueKey`). The body an endpoint-backed action receives
is not documented; this is the assumption the remote is built and tested to.

`POST /_sandbox/forge/rovo/<action key>` with `{"accountId", "inputs", "context", "product"}`
invokes one and answers `{"status", "answer"}` (the remote's status and JSON).
"""

from __future__ import annotations

from typing import Any

import requests
from flask import Blueprint, request

from sandbox.forge import ForgeInstallError, ForgeSite, forge_site
from sandbox.forge_remote import call_remote, find_module
from sandbox.server import site

blueprint = Blueprint("forge_rovo", __name__)
MODULE_TYPE = "rovo:action"


def action_body(
    forge: ForgeSite,
    product: str,
    action: str,
    inputs: dict[str, Any],
    account_id: str | None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The documented shape: the inputs, and `context` (the product's, plus cloudId/moduleKey)."""
    app = forge.app(product)
    cloud = app.cloud_id if app else None
    own = {"cloudId": cloud, "moduleKey": action, "accountId": account_id, **(context or {})}
    return {**inputs, "context": own}


def invoke_action(
    forge: ForgeSite,
    action: str,
    inputs: dict[str, Any],
    *,
    account_id: str | None,
    context: dict[str, Any] | None = None,
    product: str = "jira",
    body: Any = None,
) -> requests.Response:
    """One action invocation; `body` replaces the documented one (what a model got wrong)."""
    app = forge.app(product)
    if app is None:
        raise ForgeInstallError(f"the app is not installed in {product} as Forge")
    kind, module = find_module(app, action)
    if kind != "action" or not module.get("endpoint"):
        raise ForgeInstallError(f"{action!r} is not an action backed by a remote endpoint")
    sent = (
        body
        if body is not None
        else action_body(forge, product, action, inputs, account_id, context)
    )
    return call_remote(
        forge,
        app,
        {**module, "type": MODULE_TYPE},
        path=None,
        method="POST",
        body=sent,
        account_id=account_id,
    )


@blueprint.post("/_sandbox/forge/rovo/<action>")
def invoke(action: str) -> Any:
    data = request.get_json(silent=True) or {}
    try:
        answer = invoke_action(
            forge_site(site()),
            action,
            dict(data.get("inputs") or {}),
            account_id=data.get("accountId"),
            context=dict(data.get("context") or {}),
            product=str(data.get("product", "jira")),
        )
    except ForgeInstallError as exc:
        return {"error": str(exc)}, 400
    try:
        payload: Any = answer.json()
    except ValueError:
        payload = answer.text
    return {"status": answer.status_code, "answer": payload}
