"""The sandbox's root: a home page linking everything a person can open on this site."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from flask import Blueprint, Response

from sandbox.connect.install import Installation
from sandbox.connect.views import JIRA_PAGE_MODULES, _name, document
from sandbox.forge.site import ForgeApp, forge_site
from sandbox.web import site

blueprint = Blueprint("home", __name__)
FORGE_PAGES = ("jira:projectPage", "jira:globalPage", "jira:adminPage")
ADMIN_LINKS = (
    ("/_sandbox/calls", "The call log: every API call the app made"),
    ("/_sandbox/installations", "Installations (Connect)"),
    ("/_sandbox/forge/installations", "Installations (Forge)"),
    ("/_sandbox/webhooks", "Webhook deliveries"),
    ("/_sandbox/contract-violations", "Contract violations"),
)


def link(href: str, text: str) -> str:
    return f'<li><a href="{escape(href)}">{escape(text)}</a></li>'


@blueprint.get("/")
def home() -> Response:
    state = site()
    projects = sorted(state.jira.projects.values(), key=lambda p: p.key)
    sections = [
        "<h2>Jira projects</h2><ul>"
        + "".join(f"<li>{escape(p.key)}: {escape(p.name)}</li>" for p in projects)
        + "</ul>",
        _confluence(),
        _connect_pages(state.installation("jira"), [p.key for p in projects]),
        _forge_pages(forge_site(state).app("jira"), [p.key for p in projects]),
        "<h2>What happened</h2><ul>" + "".join(link(h, t) for h, t in ADMIN_LINKS) + "</ul>",
    ]
    return document("Atlassian sandbox site", "\n".join(sections))


def _confluence() -> str:
    state = site()
    with state.confluence.lock:
        pages = sorted(state.confluence.pages.values(), key=lambda p: (p.space.key, p.title))
        spaces = sorted(state.confluence.spaces.values(), key=lambda s: s.key)
    forge = forge_site(state).app("confluence") is not None
    items = []
    for space in spaces:
        inner = []
        for page in (p for p in pages if p.space == space):
            path = f"/wiki/spaces/{quote(space.key)}/pages/{quote(page.id)}"
            inner.append(link(path, page.title))
            if forge:
                inner.append(link("/forge" + path, f"{page.title} (Forge macros)"))
        items.append(f"<li>{escape(space.key)}: {escape(space.name)}<ul>{''.join(inner)}</ul></li>")
    return "<h2>Confluence spaces</h2><ul>" + "".join(items) + "</ul>"


def _connect_pages(installation: Installation | None, projects: list[str]) -> str:
    if installation is None:
        return "<h2>The app in Jira (Connect)</h2><p>Not installed.</p>"
    items = []
    for kind in JIRA_PAGE_MODULES:
        for module in installation.modules.get(kind) or []:
            path = f"/jira/apps/{quote(str(module.get('key', '')))}"
            if kind == "jiraProjectPages":
                items += [
                    link(f"{path}?project.key={key}", f"{_name(module)}: {key}") for key in projects
                ]
            else:
                items.append(link(path, _name(module)))
    return "<h2>The app in Jira (Connect)</h2><ul>" + "".join(items) + "</ul>"


def _forge_pages(app: ForgeApp | None, projects: list[str]) -> str:
    if app is None:
        return "<h2>The app in Jira (Forge)</h2><p>Not installed.</p>"
    items = []
    for kind in FORGE_PAGES:
        for module in app.modules(kind):
            key = str(module.get("key", ""))
            title = str(module.get("title") or key)
            path = f"/forge/apps/{quote(key)}"
            if kind == "jira:projectPage":
                items += [link(f"{path}?project={p}", f"{title}: {p}") for p in projects]
            else:
                items.append(link(path, title))
    return "<h2>The app in Jira (Forge)</h2><ul>" + "".join(items) + "</ul>"
