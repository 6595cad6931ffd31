"""Custom UI as Forge serves it: a module's resource in an iframe with Forge's sandbox flags and a
content security policy like Forge's (scripts only from the app's own files: no inline script;
inline styles only when the manifest's `permissions.content.styles` says `unsafe-inline`), and the
bridge `@forge/bridge` talks to (`globalThis.__bridge.callBridge`).

Each iframe is a *frame*: who views it, which module, its `extension` context, its theme. The
frame's files are served at `/forge/cdn/<frame>/...`; its bridge script (`/forge/bridge.js`,
injected before the app's scripts as Forge injects its own) answers `callBridge(type, payload)` by
POSTing to `/_sandbox/forge/bridge/<frame>`: `getContext`, `invoke` (invokeRemote: the call goes
to the remote with a FIT, and the answer comes back as `{status, headers, body}`), `enableTheming`
(the frame's light or dark theme and the design-token stylesheet), `submit` and `close`.
"""

from __future__ import annotations

import json
import secrets
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import requests
from flask import Blueprint, Response, abort, jsonify, request
from werkzeug.exceptions import NotFound

from sandbox.forge import ForgeApp, ForgeSite, forge_site
from sandbox.forge_remote import call_remote, find_module
from sandbox.server import site

blueprint = Blueprint("forge_ui", __name__)

# developer.atlassian.com/platform/forge/custom-ui/iframe: the flags of a Custom UI iframe.
SANDBOX_FLAGS = (
    "allow-downloads allow-forms allow-modals allow-pointer-lock allow-same-origin allow-scripts"
)
THEMES = ("light", "dark")
STATIC = Path(__file__).resolve().parent / "static"


@dataclass
class Frame:
    """One Custom UI iframe: a module of an installed app, seen by one user."""

    id: str
    app: ForgeApp
    module_key: str
    resource: str
    account_id: str
    extension: dict[str, Any]
    theme: str = "light"
    on_submit: Callable[[dict[str, Any]], None] | None = field(default=None, repr=False)


class Frames:
    def __init__(self) -> None:
        self.frames: dict[str, Frame] = {}
        self.lock = threading.Lock()

    def open(self, frame: Frame) -> Frame:
        with self.lock:
            self.frames[frame.id] = frame
        return frame

    def get(self, frame_id: str) -> Frame | None:
        with self.lock:
            return self.frames.get(frame_id)


_FRAMES: weakref.WeakKeyDictionary[ForgeSite, Frames] = weakref.WeakKeyDictionary()
_FRAMES_LOCK = threading.Lock()


def frames(forge: ForgeSite) -> Frames:
    with _FRAMES_LOCK:
        found = _FRAMES.get(forge)
        if found is None:
            found = _FRAMES[forge] = Frames()
        return found


def open_frame(
    app: ForgeApp,
    module_key: str,
    account_id: str,
    extension: dict[str, Any],
    *,
    theme: str = "light",
    config_view: bool = False,
    on_submit: Callable[[dict[str, Any]], None] | None = None,
) -> Frame:
    """A frame for `module_key` (its `config` resource when `config_view`)."""
    _, module = find_module(app, module_key)
    resource = module.get("resource")
    if config_view:
        config = module.get("config")
        resource = config.get("resource") if isinstance(config, dict) else None
    if not resource:
        abort(404)
    frame = Frame(
        id=secrets.token_urlsafe(12),
        app=app,
        module_key=module_key,
        resource=str(resource),
        account_id=account_id,
        extension=extension,
        theme=theme if theme in THEMES else "light",
        on_submit=on_submit,
    )
    return frames(forge_site(site())).open(frame)


def iframe(frame: Frame, title: str) -> str:
    return (
        f'<iframe class="forge-iframe" title="{escape(title)}" '
        f'data-module-key="{escape(frame.module_key)}" sandbox="{SANDBOX_FLAGS}" '
        f'allow="camera; clipboard-write; display-capture; fullscreen; microphone" '
        f'src="/forge/cdn/{frame.id}/index.html" '
        'style="width:100%;height:320px;border:0;display:block"></iframe>'
    )


# The host page's half: size a Custom UI iframe when its bridge asks; after submit or close,
# go where the host page says (`data-return`), as the product closes a config dialog.
HOST_SCRIPT = (
    "window.addEventListener('message',function(e){var d=e.data;if(!d)return;"
    "document.querySelectorAll('iframe.forge-iframe').forEach(function(f){"
    "if(f.contentWindow!==e.source)return;"
    "if(d.type==='forge-resize'&&d.height>0){f.style.height=Math.ceil(d.height)+'px';}"
    "if((d.type==='forge-submit'||d.type==='forge-close')&&document.body.dataset.return){"
    "location.href=document.body.dataset.return;}});});"
)


def host_document(title: str, content: str, theme: str, back: str | None = None) -> Response:
    """A product page around Custom UI iframes (the product's own page: not under the app's CSP)."""
    dark = theme == "dark"
    colours = "background:#1d2125;color:#b6c2cf" if dark else "background:#fff;color:#172b4d"
    html = (
        f'<!DOCTYPE html>\n<html lang="en" data-color-mode="{"dark" if dark else "light"}">\n'
        f'<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
        f"<script>{HOST_SCRIPT}</script>\n"
        '<link rel="stylesheet" href="/wiki/static/page.css">\n</head>\n'
        f'<body style="{colours};font-family:system-ui,sans-serif"'
        + (f' data-return="{escape(back)}"' if back else "")
        + ">\n<header><p>Atlassian sandbox site (Forge)</p></header>\n"
        f"<main>\n<h1>{escape(title)}</h1>\n{content}\n</main>\n</body>\n</html>\n"
    )
    return Response(html, mimetype="text/html")


def content_security_policy(app: ForgeApp) -> str:
    """Forge's CSP for the app's resources, opened up only as far as the manifest asks."""
    content = (app.manifest.get("permissions") or {}).get("content") or {}
    styles = ["'self'"] + [f"'{s}'" for s in content.get("styles") or [] if s == "unsafe-inline"]
    scripts = ["'self'"] + [f"'{s}'" for s in content.get("scripts") or []]
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {' '.join(scripts)}",
            f"style-src {' '.join(styles)}",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'self'",
            "base-uri 'self'",
            "form-action 'self'",
        )
    )


def _frame_or_404(frame_id: str) -> Frame:
    found = frames(forge_site(site())).get(frame_id)
    if found is None:
        abort(404)
    return found


def _resource_dir(frame: Frame) -> Path:
    manifest_dir = frame.app.manifest_dir
    for resource in frame.app.manifest.get("resources") or []:
        if isinstance(resource, dict) and resource.get("key") == frame.resource:
            return (manifest_dir / str(resource.get("path", ""))).resolve()
    raise NotFound(f"the manifest has no resource {frame.resource!r}")


@blueprint.get("/forge/cdn/<frame_id>/<path:name>")
def resource_file(frame_id: str, name: str) -> Response:
    """The app's own files, under Forge's CSP; index.html gets the bridge script first."""
    frame = _frame_or_404(frame_id)
    root = _resource_dir(frame)
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    data = path.read_bytes()
    mimetype = {
        ".html": "text/html",
        ".js": "text/javascript",
        ".css": "text/css",
        ".svg": "image/svg+xml",
    }.get(path.suffix, "application/octet-stream")
    if path.name == "index.html":
        bridge = b'<script src="/forge/bridge.js"></script>'
        data = data.replace(b"<head>", b"<head>\n  " + bridge, 1)
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = content_security_policy(frame.app)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/forge/bridge.js")
def bridge_js() -> Response:
    return Response((STATIC / "forge-bridge.js").read_text(), mimetype="text/javascript")


@blueprint.get("/forge/tokens.css")
def tokens_css() -> Response:
    return Response((STATIC / "forge-tokens.css").read_text(), mimetype="text/css")


@blueprint.post("/_sandbox/forge/bridge/<frame_id>")
def bridge(frame_id: str) -> Response:
    """One `callBridge(type, payload)` from a frame."""
    frame = _frame_or_404(frame_id)
    data = request.get_json(silent=True) or {}
    kind = str(data.get("type", ""))
    payload = data.get("payload")
    if kind == "getContext":
        return jsonify({"result": context_of(frame)})
    if kind == "invoke":
        return jsonify({"result": invoke(frame, payload if isinstance(payload, dict) else {})})
    if kind == "enableTheming":
        return jsonify({"result": {"colorMode": frame.theme}})
    if kind == "submit":
        if frame.on_submit is None:
            return jsonify({"result": False})
        frame.on_submit(payload if isinstance(payload, dict) else {})
        return jsonify({"result": True})
    if kind == "close":
        return jsonify({"result": True})
    return jsonify({"result": None})


def context_of(frame: Frame) -> dict[str, Any]:
    """What `view.getContext()` resolves to."""
    return {
        "accountId": frame.account_id,
        "cloudId": frame.app.cloud_id,
        "siteUrl": frame.app.site_url,
        "localId": frame.id,
        "moduleKey": frame.module_key,
        "locale": "en-US",
        "timezone": "UTC",
        "environmentType": "DEVELOPMENT",
        "extension": frame.extension,
    }


def invoke(frame: Frame, payload: dict[str, Any]) -> dict[str, Any]:
    """invokeRemote: `{success, payload: {status, headers (lists), body}}` or `{success: false,
    error}`, with Forge's rules for what a remote may answer."""
    if payload.get("invokeType") != "ui-remote-fetch":
        return {"success": False, "error": {"message": "only invokeRemote is offered here"}}
    method = str(payload.get("method", "GET")).upper()
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        return {"success": False, "error": {"message": f"method {method} is not supported"}}
    kind, module = find_module(frame.app, frame.module_key)
    extra = payload.get("headers")
    try:
        answer = call_remote(
            forge_site(site()),
            frame.app,
            {**module, "type": kind},
            path=str(payload.get("path", "")),
            method=method,
            body=payload.get("body"),
            headers=extra if isinstance(extra, dict) else None,
            account_id=frame.account_id,
            localId=frame.id,
            extension=frame.extension,
        )
    except requests.Timeout:
        return {"success": False, "error": {"message": "Remote invocation timed out"}}
    except requests.RequestException as exc:
        return {"success": False, "error": {"message": f"Remote invocation failed: {exc}"}}
    return remote_answer(answer)


def remote_answer(answer: requests.Response) -> dict[str, Any]:
    status = answer.status_code
    if status == 401:
        message = "Remote could not verify the Forge Invocation Token"
        return {"success": False, "error": {"status": status, "message": message}}
    if 300 <= status < 400:
        return {"success": False, "error": {"status": status, "message": "redirects unsupported"}}
    content_type = answer.headers.get("Content-Type", "")
    if status >= 400 and not content_type.startswith("application/json"):
        message = "Invalid response from remote - content-type header must be application/json"
        return {"success": False, "error": {"status": status, "message": message}}
    body: Any = None
    if answer.content:
        try:
            body = answer.json()
        except json.JSONDecodeError:
            return {"success": False, "error": {"status": status, "message": "cannot parse body"}}
    elif status >= 400:
        return {"success": False, "error": {"status": status, "message": "cannot parse body"}}
    headers = {k.lower(): [v] for k, v in answer.headers.items()}
    return {"success": True, "payload": {"status": status, "headers": headers, "body": body}}
