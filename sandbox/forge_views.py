"""The site's Forge endpoints: the JWKS, admin calls to install and fire triggers, and pages that
show Forge UI modules the way Custom UI does (the page asks the remote, then shows its HTML)."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, request

from sandbox.forge import ForgeApp, ForgeInstallError, forge_site
from sandbox.forge_remote import call_remote, find_module, triggers
from sandbox.server import site
from sandbox.views import MACRO, PARAMETER, document, viewer

blueprint = Blueprint("forge", __name__)
UI_PARAMS = ("team", "sides", "expectations", "side", "project", "issue")


@blueprint.errorhandler(ForgeInstallError)
def install_failed(error: ForgeInstallError) -> tuple[Response, int]:
    return jsonify({"error": str(error)}), 400


@blueprint.get("/forge/.well-known/jwks.json")
def jwks() -> Any:
    return forge_site(site()).keys.jwks()


@blueprint.post("/_sandbox/forge/install")
def install() -> Any:
    data = request.get_json(silent=True) or {}
    manifest = data.get("manifestPath")
    forge = forge_site(site())
    app = forge.install(
        str(data.get("remoteBaseUrl", "")),
        str(data.get("appId", "")),
        str(data.get("product", "jira")),
        Path(manifest) if manifest else None,
    )
    triggers(forge).on_installed(app)  # as Forge does: the app hears of its install
    return describe(app)


@blueprint.get("/_sandbox/forge/installations")
def installations() -> Any:
    return {product: describe(app) for product, app in forge_site(site()).apps.items()}


@blueprint.post("/_sandbox/forge/scheduled")
def scheduled() -> Any:
    product = str((request.get_json(silent=True) or {}).get("product", "jira"))
    sent = triggers(forge_site(site())).fire_scheduled(product)
    return {"deliveries": [{"status": d.status, "attempts": d.attempts} for d in sent]}


@blueprint.get("/_sandbox/forge/triggers")
def trigger_log() -> Any:
    queue = triggers(forge_site(site()))
    return jsonify(
        [
            {"event": d.event, "url": d.url, "status": d.status, "attempts": d.attempts}
            for d in queue.deliveries
        ]
    )


def describe(app: ForgeApp) -> dict[str, Any]:
    return {
        "installationId": app.installation_id,
        "appId": app.app_id,
        "product": app.product,
        "apiBaseUrl": app.api_base_url,
        "cloudId": app.cloud_id,
        "remoteBaseUrl": app.remote_base_url,
    }


def render_module(
    app: ForgeApp, key: str, params: dict[str, str], account_id: str, extension: dict[str, Any]
) -> str:
    """What Custom UI shows for a module: `invokeRemote` to `/forge/ui/<key>`, then its HTML."""
    kind, module = find_module(app, key)
    query = urlencode({k: v for k, v in params.items() if v})
    response = call_remote(
        forge_site(site()),
        app,
        {**module, "type": kind},
        path=f"/forge/ui/{key}" + (f"?{query}" if query else ""),
        account_id=account_id,
        extension=extension,
    )
    if response.status_code != 200:
        return (
            f'<div class="forge-error" role="alert">The app answered {response.status_code}: '
            f"{escape(response.text[:300])}</div>"
        )
    body = response.json()
    return (
        f'<section class="forge-module" data-module-key="{escape(key)}">'
        f"<style>{body.get('css', '')}</style>{body.get('html', '')}</section>"
    )


@blueprint.get("/forge/apps/<module_key>")
def app_page(module_key: str) -> Response:
    """A Jira page, panel or macro of the Forge app on its own (`?team=`, `?project=`, ...)."""
    account_id = viewer()
    app = forge_site(site()).app(request.args.get("product", "jira"))
    if app is None:
        abort(404)
    params = {k: request.args.get(k, "") for k in UI_PARAMS}
    extension = {"project": {"key": params["project"]}} if params["project"] else {}
    try:
        content = render_module(app, module_key, params, account_id, extension)
    except ForgeInstallError:
        abort(404)
    return document(module_key, content)


@blueprint.get("/forge/wiki/spaces/<space_key>/pages/<page_id>")
def confluence_page(space_key: str, page_id: str) -> Response:
    """A Confluence page whose macros are the Forge app's `macro` modules."""
    state = site()
    account_id = viewer()
    page = state.confluence.pages.get(page_id)
    app = forge_site(state).app("confluence")
    if page is None or page.space.key != space_key or app is None:
        abort(404)
    keys = {m.get("key") for m in app.modules("macro")}

    def render_macro(match: re.Match[str]) -> str:
        name = re.search(r'ac:name="([^"]+)"', match.group("attrs") or "")
        key = name.group(1) if name else "?"
        if key not in keys:
            return f'<div class="macro-unknown">Unknown macro: {escape(key)}</div>'
        config = {
            p.group("name"): p.group("value")
            for p in PARAMETER.finditer(match.group("inner") or "")
        }
        extension = {"type": "macro", "config": config, "content": {"id": page.id}}
        return render_module(app, key, config, account_id, extension)

    content = f'<article class="wiki-content">{MACRO.sub(render_macro, page.body)}</article>'
    return document(page.title, content)
