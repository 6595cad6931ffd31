"""Confluence pages written in Atlassian Document Format (`atlas_doc_format`), as the v2 API takes
them: the document is checked (a node type Confluence would not know is a 400), kept as written
for reads in that format, and turned into the page's storage XHTML for reads in storage and for
the browser view. An app's macro (an ADF `extension` node) is stored as Confluence stores it: a
Connect macro (`com.atlassian.confluence.macro.core`, its `macroParams`) as an
`ac:structured-macro`, a Forge one (`com.atlassian.ecosystem`, key
`{appId}/{environmentId}/static/{macroKey}`, its `guestParams`) as the extension node itself in
an `ac:adf-extension` (`sandbox.confluence.forge_macros`); the sandbox's page views turn either
into the app's iframe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from sandbox.confluence.forge_macros import FORGE_KEY, FORGE_MACRO, storage_element
from sandbox.directory import USERS
from sandbox.errors import ConfluenceError

ADF = "atlas_doc_format"
CONNECT_MACRO = "com.atlassian.confluence.macro.core"
MARKS = {"strong": "strong", "em": "em", "code": "code", "underline": "u", "strike": "s"}
STATUS_COLOURS = ("neutral", "purple", "blue", "red", "yellow", "green")
PANEL_TYPES = ("info", "note", "tip", "warning", "error", "success")
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def invalid(message: str) -> ConfluenceError:
    return ConfluenceError(400, "INVALID_REQUEST_PARAMETER", f"Invalid ADF content: {message}")


def parse_document(value: object) -> dict[str, Any]:
    """The ADF document in a body's `value` (a JSON string), checked to be one."""
    try:
        document = json.loads(str(value))
    except ValueError as exc:
        raise invalid("the value is not JSON") from exc
    if not isinstance(document, dict) or document.get("type") != "doc":
        raise invalid("the root node must be a doc")
    if document.get("version") != 1:
        raise invalid("the doc must have version 1")
    to_storage(document)  # every node checked
    return document


def to_storage(document: Mapping[str, Any]) -> str:
    return _children(document, "doc")


def _children(node: Mapping[str, Any], where: str) -> str:
    content = node.get("content", [])
    if not isinstance(content, list):
        raise invalid(f"{where}.content must be a list")
    return "".join(_node(child, f"{where}.content[{i}]") for i, child in enumerate(content))


def _attrs(node: Mapping[str, Any]) -> dict[str, Any]:
    attrs = node.get("attrs") or {}
    return attrs if isinstance(attrs, dict) else {}


def _node(node: object, where: str) -> str:
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        raise invalid(f"{where} is not a node")
    render = RENDER.get(node["type"])
    if render is None:
        raise invalid(f"{where}: unknown node type {node['type']!r}")
    return render(node, where)


def _text(node: Mapping[str, Any], where: str) -> str:
    text = node.get("text")
    if not isinstance(text, str) or not text:
        raise invalid(f"{where}: a text node needs non-empty text")
    html = escape(text)
    for mark in node.get("marks") or []:
        kind = mark.get("type") if isinstance(mark, dict) else None
        if kind == "link":
            href = str(_attrs(mark).get("href") or "")
            if not href.startswith(("http://", "https://", "/")):
                raise invalid(f"{where}: a link needs an http(s) href")
            html = f'<a href="{escape(href)}">{html}</a>'
        elif kind in MARKS:
            html = f"<{MARKS[kind]}>{html}</{MARKS[kind]}>"
        else:
            raise invalid(f"{where}: unknown mark {kind!r}")
    return html


def _wrap(tag: str) -> Callable[[Mapping[str, Any], str], str]:
    return lambda node, where: f"<{tag}>{_children(node, where)}</{tag}>"


def _heading(node: Mapping[str, Any], where: str) -> str:
    level = _attrs(node).get("level")
    if level not in range(1, 7):
        raise invalid(f"{where}: heading level must be 1..6")
    return f"<h{level}>{_children(node, where)}</h{level}>"


def _cell(tag: str) -> Callable[[Mapping[str, Any], str], str]:
    def render(node: Mapping[str, Any], where: str) -> str:
        attrs = _attrs(node)
        extra = ""
        background = attrs.get("background")
        if background is not None:
            if not isinstance(background, str) or not HEX.match(background):
                raise invalid(f"{where}: background must be a #rrggbb colour")
            extra += f' data-highlight-colour="{background}" style="background-color:{background}"'
        for name in ("colspan", "rowspan"):
            if isinstance(attrs.get(name), int) and attrs[name] > 1:
                extra += f' {name}="{attrs[name]}"'
        return f"<{tag}{extra}>{_children(node, where)}</{tag}>"

    return render


def _status(node: Mapping[str, Any], where: str) -> str:
    attrs = _attrs(node)
    colour = attrs.get("color")
    if colour not in STATUS_COLOURS or not attrs.get("text"):
        raise invalid(f"{where}: a status needs text and a colour of {', '.join(STATUS_COLOURS)}")
    return f'<span class="status status-{colour}">{escape(str(attrs["text"]))}</span>'


def _panel(node: Mapping[str, Any], where: str) -> str:
    kind = _attrs(node).get("panelType")
    if kind not in PANEL_TYPES:
        raise invalid(f"{where}: panelType must be one of {', '.join(PANEL_TYPES)}")
    return f'<div class="panel panel-{kind}">{_children(node, where)}</div>'


def _extension(node: Mapping[str, Any], where: str) -> str:
    attrs = _attrs(node)
    kind, key = attrs.get("extensionType"), str(attrs.get("extensionKey") or "")
    parameters = attrs.get("parameters") or {}
    if not key or not isinstance(parameters, dict):
        raise invalid(f"{where}: an extension needs an extensionKey and parameters")
    if kind == FORGE_MACRO:
        if FORGE_KEY.match(key) is None:
            raise invalid(f"{where}: a Forge extensionKey is appId/environmentId/static/macroKey")
        if parameters.get("extensionId") != f"ari:cloud:ecosystem::extension/{key}":
            raise invalid(f"{where}: extensionId must be the extension ARI of its key")
        return storage_element(attrs)
    if kind != CONNECT_MACRO:
        raise invalid(f"{where}: unknown extensionType {kind!r}")
    raw = parameters.get("macroParams") or {}
    params = "".join(
        f'<ac:parameter ac:name="{escape(str(k))}">'
        f"{escape(str(v.get('value', '')) if isinstance(v, dict) else str(v))}</ac:parameter>"
        for k, v in raw.items()
    )
    return f'<ac:structured-macro ac:name="{escape(key)}">{params}</ac:structured-macro>'


def _mention(node: Mapping[str, Any], where: str) -> str:
    account_id = _attrs(node).get("id")
    if not isinstance(account_id, str) or not account_id:
        raise invalid(f"{where}: a mention needs the user's accountId")
    user = next((u for u in USERS if u.account_id == account_id), None)
    name = user.display_name if user else "Unknown user"
    return f'<span class="mention">@{escape(name)}</span>'


RENDER: dict[str, Callable[[Mapping[str, Any], str], str]] = {
    "text": _text,
    "paragraph": _wrap("p"),
    "heading": _heading,
    "bulletList": _wrap("ul"),
    "orderedList": _wrap("ol"),
    "listItem": _wrap("li"),
    "table": lambda node, where: f"<table><tbody>{_children(node, where)}</tbody></table>",
    "tableRow": _wrap("tr"),
    "tableHeader": _cell("th"),
    "tableCell": _cell("td"),
    "rule": lambda node, where: "<hr/>",
    "hardBreak": lambda node, where: "<br/>",
    "panel": _panel,
    "status": _status,
    "extension": _extension,
    "mention": _mention,
}
