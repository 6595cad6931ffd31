"""Browser pages of the site: Confluence pages and Jira views embedding the app in iframes."""

from __future__ import annotations

import hashlib
import re
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, request

from sandbox import adf, signing
from sandbox.directory import USERS
from sandbox.install import Installation
from sandbox.server import site

blueprint = Blueprint("views", __name__)

MACRO = re.compile(
    r"<ac:structured-macro\b(?P<attrs>[^>]*?)(?:/>|>(?P<inner>.*?)</ac:structured-macro>)", re.S
)
PARAMETER = re.compile(
    r'<ac:parameter\s+ac:name="(?P<name>[^"]+)"\s*>(?P<value>.*?)</ac:parameter>', re.S
)
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)\}")
JIRA_PAGE_MODULES = ("generalPages", "jiraProjectPages", "adminPages")
ISSUE_MODULES = ("webPanels", "jiraIssueContents")


@blueprint.get("/install-keys/<kid>")
def install_key(kid: str) -> Response:
    keys = site().keys
    if kid != keys.kid:
        abort(404)
    return Response(keys.public_pem(), mimetype="application/x-pem-file")


def viewer() -> str:
    account_id = request.args.get("as", USERS[0].account_id)
    if account_id not in site().jira.users:
        abort(400, f"Unknown user {account_id}")
    return account_id


def app_iframe(
    inst: Installation, template: str, values: dict[str, str], module: dict[str, Any]
) -> str:
    """An iframe for a module URL, signed the way the product signs it for this viewer."""

    def fill(match: re.Match[str]) -> str:
        return quote(values.get(match.group(1), ""), safe="")

    path = PLACEHOLDER.sub(fill, template)
    context = {
        "xdm_e": site().url,
        "xdm_c": f"channel-{inst.app_key}__{module.get('key', '')}",
        "cp": "/wiki" if inst.product == "confluence" else "",
        "xdm_deprecated_addon_key_do_not_use": inst.app_key,
        "lic": "none",
        "cv": "1001.0.0-SNAPSHOT",
    }
    url = (
        inst.app_base_url
        + path
        + ("&" if "?" in path else "?")
        + urlencode(context, quote_via=quote)
    )
    relative = signing.relative_to(inst.app_base_url, url)
    token = signing.hs256_token(
        inst.shared_secret,
        inst.client_key,
        "GET",
        relative,
        {"sub": values.get("user.accountId", ""), "context": {}},
    )
    src = url + "&jwt=" + token
    width = escape(str(module.get("width") or "100%"))
    height = escape(str(module.get("height") or "400px"))
    title = escape(_name(module))
    key = escape(str(module.get("key")))
    return (
        f'<iframe class="ap-iframe" title="{title}" data-module-key="{key}"'
        f' src="{escape(src)}" style="width:{width};height:{height};border:0"></iframe>'
    )


def _name(module: dict[str, Any]) -> str:
    name = module.get("name")
    return str(name.get("value") if isinstance(name, dict) else name or module.get("key", ""))


# The host half of the sandbox's all.js (below): size an app iframe when its page asks.
HOST_BRIDGE = (
    "window.addEventListener('message',function(e){var d=e.data;"
    "if(!d||d.type!=='ap-resize')return;"
    "document.querySelectorAll('iframe.ap-iframe').forEach(function(f){"
    "if(f.contentWindow===e.source&&d.height>0){f.style.height=Math.ceil(d.height)+'px';}});});"
)
# The app half: a stand-in for Atlassian's all.js with the calls the app makes. It has no
# context tokens (getToken answers null), so pages fall back to the token they were served with.
ALL_JS = (
    "(function(){function h(){return document.documentElement.scrollHeight;}"
    "function post(m){if(window.parent!==window){window.parent.postMessage(m,'*');}}"
    "window.AP={resize:function(){post({type:'ap-resize',height:h()});},"
    "sizeToParent:function(){},"
    "context:{getToken:function(cb){cb(null);},getContext:function(cb){cb({});}},"
    "navigator:{go:function(){}}};"
    "if(window.ResizeObserver){new ResizeObserver(function(){window.AP.resize();})"
    ".observe(document.documentElement);}})();"
)


def document(title: str, content: str) -> Response:
    html = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<script>{HOST_BRIDGE}</script>\n"
        '<link rel="stylesheet" href="/wiki/static/page.css">\n'
        "</head>\n<body>\n<header><p>Atlassian sandbox site</p></header>\n"
        f"<main>\n<h1>{escape(title)}</h1>\n{content}\n</main>\n</body>\n</html>\n"
    )
    return Response(html, mimetype="text/html")


@blueprint.get("/atlassian-connect/all.js")
def all_js() -> Response:
    """Point an app's all.js at this (ICM_ALL_JS_URL) to have its iframes sized by the page."""
    return Response(ALL_JS, mimetype="text/javascript")


@blueprint.get("/wiki/spaces/<space_key>/pages/<page_id>")
def confluence_page(space_key: str, page_id: str) -> Response:
    state = site()
    account_id = viewer()
    page = state.confluence.pages.get(page_id)
    if page is None or page.space.key != space_key:
        abort(404)
    inst = state.installation("confluence")
    macros = (
        {m.get("key"): m for m in (inst.modules.get("dynamicContentMacros") or [])} if inst else {}
    )

    def render_macro(match: re.Match[str]) -> str:
        name = re.search(r'ac:name="([^"]+)"', match.group("attrs") or "")
        module = macros.get(name.group(1)) if name else None
        if module is None or inst is None:
            label = escape(name.group(1) if name else "?")
            return f'<div class="macro-unknown">Unknown macro: {label}</div>'
        values = {
            p.group("name"): p.group("value")
            for p in PARAMETER.finditer(match.group("inner") or "")
        }
        values.update(
            {
                "page.id": page.id,
                "page.title": page.title,
                "page.type": "page",
                "page.version": str(page.version.number),
                "space.key": page.space.key,
                "space.id": page.space.id,
                "output.type": "display",
                "user.accountId": account_id,
                "macro.hash": hashlib.sha256(match.group(0).encode()).hexdigest()[:32],
            }
        )
        return app_iframe(inst, str(module.get("url", "")), values, module)

    content = f'<article class="wiki-content">{MACRO.sub(render_macro, page.body)}</article>'
    return document(page.title, content)


@blueprint.get("/jira/apps/<module_key>")
def jira_app_page(module_key: str) -> Response:
    state = site()
    account_id = viewer()
    inst = state.installation("jira")
    module = None
    if inst is not None:
        module = next(
            (
                m
                for kind in JIRA_PAGE_MODULES
                for m in inst.modules.get(kind) or []
                if m.get("key") == module_key
            ),
            None,
        )
    if inst is None or module is None:
        abort(404)
    values = {"user.accountId": account_id}
    key = request.args.get("project.key")
    if key:
        project = state.jira.project(key)
        values.update({"project.key": project.key, "project.id": project.id})
    return document(_name(module), app_iframe(inst, str(module.get("url", "")), values, module))


@blueprint.get("/browse/<issue_key>")
def browse_issue(issue_key: str) -> Response:
    state = site()
    account_id = viewer()
    jira = state.jira
    with jira.lock:
        issue = jira.issues.get(issue_key.upper())
        if issue is None:
            abort(404)
        parts = [
            f"<p>{escape(issue.key)} · {escape(issue.issuetype.name)} · "
            f"<strong>{escape(issue.status.name)}</strong></p>",
            f"<section><h2>Description</h2><p>{escape(adf.to_text(issue.description))}</p></section>",
            "<section><h2>Comments</h2><ul>"
            + "".join(f"<li>{escape(c.text)}</li>" for c in issue.comments)
            + "</ul></section>",
        ]
        values = {
            "issue.key": issue.key,
            "issue.id": issue.id,
            "project.key": issue.project.key,
            "project.id": issue.project.id,
            "issuetype.id": issue.issuetype.id,
            "user.accountId": account_id,
        }
        summary = issue.summary
    inst = state.installation("jira")
    for kind in ISSUE_MODULES if inst else ():
        for module in inst.modules.get(kind) or [] if inst else []:
            target = module.get("target") if kind == "jiraIssueContents" else None
            url = (target or {}).get("url") if isinstance(target, dict) else module.get("url")
            if url and inst:
                parts.append(
                    f"<section><h2>{escape(_name(module))}</h2>"
                    f"{app_iframe(inst, str(url), values, module)}</section>"
                )
    return document(f"[{issue_key}] {summary}", "\n".join(parts))
