"""The site's Forge endpoints: the JWKS, admin calls to install and fire triggers, and the product
pages around Forge UI modules, each in a Custom UI iframe (`sandbox.forge.ui`)."""

from __future__ import annotations

import itertools
import re
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, request

from sandbox.confluence.forge_macros import (
    ADF_EXTENSION,
    forge_macro,
    from_storage,
    storage_element,
)
from sandbox.confluence.store import Page
from sandbox.connect.views import MACRO, PARAMETER, viewer
from sandbox.forge.functions import run_scheduled_functions
from sandbox.forge.remote import find_module, triggers
from sandbox.forge.site import ForgeApp, ForgeInstallError, forge_site
from sandbox.forge.ui import host_document, iframe, open_frame
from sandbox.web import site

blueprint = Blueprint("forge", __name__)
UI_PARAMS = ("team", "sides", "expectations", "side", "project", "issue")
# A page's macros in storage: the app's own Forge macros (`ac:adf-extension`, as Confluence keeps
# them) and Connect-format ones (`ac:structured-macro`, named by the macro's key).
MACROS = re.compile(f"{MACRO.pattern}|{ADF_EXTENSION.pattern}", re.S)


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
    variables = data.get("variables")
    app = forge.install(
        str(data.get("remoteBaseUrl", "")),
        str(data.get("appId", "")),
        str(data["product"]) if data.get("product") else None,
        Path(manifest) if manifest else None,
        {str(k): str(v) for k, v in variables.items()} if isinstance(variables, dict) else None,
    )
    triggers(forge).on_installed(app)  # as Forge does: the app hears of its install
    return describe(app)


@blueprint.post("/_sandbox/forge/uninstall")
def uninstall() -> Any:
    """An admin removes the app (`{"product"}`: the installation spanning it, by default Jira):
    its preUninstall endpoint is invoked, then the installation is gone."""
    data = request.get_json(silent=True) or {}
    forge = forge_site(site())
    app = forge.app(str(data.get("product") or "jira"))
    if app is None:
        raise ForgeInstallError("the app is not installed as Forge")
    sent = triggers(forge).uninstall(app)
    return {
        "installationId": app.installation_id,
        "preUninstall": [{"url": d.url, "status": d.status} for d in sent],
    }


@blueprint.get("/_sandbox/forge/installations")
def installations() -> Any:
    return {product: describe(app) for product, app in forge_site(site()).apps.items()}


@blueprint.post("/_sandbox/forge/scheduled")
def scheduled() -> Any:
    """Fire the app's scheduled triggers now (`{"product", "key"}`: one product's, all or one):
    a remote endpoint's is delivered, a function's runs (`sandbox.forge.functions`)."""
    data = request.get_json(silent=True) or {}
    product = str(data.get("product", "jira"))
    key = str(data["key"]) if data.get("key") else None
    forge = forge_site(site())
    sent: list[dict[str, Any]] = [
        {"key": d.payload["context"]["moduleKey"], "status": d.status, "attempts": d.attempts}
        for d in triggers(forge).fire_scheduled(product, key)
    ]
    for run in run_scheduled_functions(forge, product, key):
        sent.append(
            {
                "key": run.trigger,
                "function": run.function,
                "status": run.status,
                "attempts": 1,  # Forge does not retry a scheduled function
                "result": run.result,
                "error": run.error,
            }
        )
    return {"deliveries": sent}


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
        "products": list(app.products),
        "apiBaseUrl": app.api_base_url,
        "cloudId": app.cloud_id,
        "remoteBaseUrl": app.remote_base_url,
    }


def _theme() -> str:
    return request.args.get("theme", "light")


def _extension(params: dict[str, str]) -> dict[str, Any]:
    """The `extension` context of a Jira module: its project, and the issue it sits on."""
    extension: dict[str, Any] = {}
    project = params.get("project", "")
    issue = params.get("issue", "")
    if issue and not project:
        project = issue.rsplit("-", 1)[0]
    if project:
        extension["project"] = {"key": project.upper(), "type": "software"}
    if issue:
        found = site().jira.issues.get(issue.upper())
        extension["issue"] = {"key": issue.upper(), "id": getattr(found, "id", None)}
    return extension


@blueprint.get("/forge/apps/<module_key>")
def app_page(module_key: str) -> Response:
    """A Jira page or panel of the Forge app, in its Custom UI iframe (`?project=`, `?issue=`,
    `?as=<accountId>`, `?theme=dark`)."""
    account_id = viewer()
    app = forge_site(site()).app(request.args.get("product", "jira"))
    if app is None:
        abort(404)
    params = {k: request.args.get(k, "") for k in UI_PARAMS}
    try:
        _, module = find_module(app, module_key)
    except ForgeInstallError:
        abort(404)
    frame = open_frame(app, module_key, account_id, _extension(params), theme=_theme())
    return host_document(
        str(module.get("title") or module_key), iframe(frame, module_key), frame.theme
    )


def _macros(body: str) -> list[re.Match[str]]:
    return list(MACROS.finditer(body))


def _forge_macro(match: re.Match[str], app: ForgeApp) -> tuple[str, dict[str, str]] | None:
    """(key, config) of an `ac:adf-extension` that is one of `app`'s macros, else None."""
    found = forge_macro(from_storage(match.group(0)))
    if found is None or found[0] != app.app_id.rsplit("/", 1)[-1]:
        return None
    return found[1], found[2]


def _macro_key(match: re.Match[str], app: ForgeApp) -> str:
    if match.group("adf") is not None:
        forge = _forge_macro(match, app)
        return forge[0] if forge else "?"
    name = re.search(r'ac:name="([^"]+)"', match.group("attrs") or "")
    return name.group(1) if name else "?"


def _macro_config(match: re.Match[str], app: ForgeApp) -> dict[str, str]:
    if match.group("adf") is not None:
        forge = _forge_macro(match, app)
        return forge[1] if forge else {}
    inner = match.group("inner") or ""
    return {p.group("name"): p.group("value") for p in PARAMETER.finditer(inner)}


def _configured(match: re.Match[str], key: str, config: dict[str, Any]) -> str:
    """The macro of `match` with `config` as its parameters, in the form it was stored in."""
    attrs = from_storage(match.group(0)) if match.group("adf") is not None else None
    if attrs is not None and isinstance(attrs.get("parameters"), dict):
        attrs["parameters"]["guestParams"] = {str(k): str(v) for k, v in config.items()}
        return storage_element(attrs)
    params = "".join(
        f'<ac:parameter ac:name="{escape(str(k))}">{escape(str(v))}</ac:parameter>'
        for k, v in config.items()
    )
    return f'<ac:structured-macro ac:name="{escape(key)}">{params}</ac:structured-macro>'


def _page_and_app(space_key: str, page_id: str) -> tuple[Page, ForgeApp]:
    """The page in `space_key` and the Forge app installed in Confluence (404 without either)."""
    state = site()
    page = state.confluence.pages.get(page_id)
    app = forge_site(state).app("confluence")
    if page is None or page.space.key != space_key or app is None:
        abort(404)
    return page, app


def _macro_extension(
    page: Page, app: ForgeApp, match: re.Match[str], *, editing: bool
) -> dict[str, Any]:
    """The `extension` context Forge gives a macro on `page`."""
    return {
        "type": "macro",
        "config": _macro_config(match, app),
        "content": {"id": page.id, "type": "page"},
        "space": {"key": page.space.key, "id": page.space.id},
        "isEditing": editing,
    }


@blueprint.get("/forge/wiki/spaces/<space_key>/pages/<page_id>")
def confluence_page(space_key: str, page_id: str) -> Response:
    """A Confluence page whose macros are the Forge app's `macro` modules, each in its Custom UI
    iframe; a macro with a `config` has a link to its configuration view."""
    account_id = viewer()
    page, app = _page_and_app(space_key, page_id)
    macros = {str(m.get("key")): m for m in app.modules("macro")}
    theme = _theme()
    position = itertools.count()

    def render_macro(match: re.Match[str]) -> str:
        index = next(position)
        key = _macro_key(match, app)
        if key not in macros:
            return f'<div class="macro-unknown">Unknown macro: {escape(key)}</div>'
        extension = _macro_extension(page, app, match, editing=False)
        frame = open_frame(app, key, account_id, extension, theme=theme)
        settings = ""
        if macros[key].get("config"):
            query = urlencode({"as": account_id, "theme": theme})
            href = f"/forge/wiki/spaces/{space_key}/pages/{page_id}/macros/{index}/config?{query}"
            settings = f'<p><a class="macro-settings" href="{escape(href)}">Edit the macro</a></p>'
        return iframe(frame, key) + settings

    content = f'<article class="wiki-content">{MACROS.sub(render_macro, page.body)}</article>'
    return host_document(page.title, content, theme)


@blueprint.get("/forge/wiki/spaces/<space_key>/pages/<page_id>/macros/<int:index>/config")
def macro_config(space_key: str, page_id: str, index: int) -> Response:
    """The configuration view of the page's `index`-th macro (the macro's `config` resource);
    `view.submit({config})` writes the parameters into the page, as the editor does."""
    state = site()
    account_id = viewer()
    page, app = _page_and_app(space_key, page_id)
    found = _macros(page.body)
    if index >= len(found):
        abort(404)
    key = _macro_key(found[index], app)

    def save(payload: dict[str, Any]) -> None:
        config = payload.get("config")
        if not isinstance(config, dict):
            return
        current = state.confluence.page(page_id)
        match = _macros(current.body)[index]
        macro = _configured(match, key, config)
        body = current.body[: match.start()] + macro + current.body[match.end() :]
        state.confluence.update_page(
            page_id,
            {
                "title": current.title,
                "version": {"number": current.version.number + 1, "message": "Macro settings"},
                "body": {"representation": "storage", "value": body},
            },
            account_id,
        )

    extension = _macro_extension(page, app, found[index], editing=True)
    frame = open_frame(
        app, key, account_id, extension, theme=_theme(), config_view=True, on_submit=save
    )
    back = f"/forge/wiki/spaces/{space_key}/pages/{page_id}?" + urlencode(
        {"as": account_id, "theme": frame.theme}
    )
    return host_document(f"{page.title}: {key} settings", iframe(frame, key), frame.theme, back)
