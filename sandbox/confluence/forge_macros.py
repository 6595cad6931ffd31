"""A Forge macro in a page's storage format, as Confluence Cloud keeps it: not an
`ac:structured-macro` (a Connect or built-in macro) but the ADF `extension` node itself, wrapped
in `ac:adf-extension`:

    <ac:adf-extension><ac:adf-node type="extension">
      <ac:adf-attribute key="extension-key">{appId}/{envId}/static/{key}</ac:adf-attribute>
      <ac:adf-attribute key="extension-type">com.atlassian.ecosystem</ac:adf-attribute>
      <ac:adf-attribute key="parameters">
        <ac:adf-parameter key="local-id">…</ac:adf-parameter>
        <ac:adf-parameter key="extension-id">ari:cloud:ecosystem::extension/…</ac:adf-parameter>
        <ac:adf-parameter key="guest-params"><ac:adf-parameter key="team">PAY</ac:adf-parameter>
        </ac:adf-parameter>
      </ac:adf-attribute>
    </ac:adf-node><ac:adf-fallback>…</ac:adf-fallback></ac:adf-extension>

ADF's camelCase keys become kebab-case (`guestParams` → `guest-params`); a value that is not a
string carries its `type` (`boolean`, `integer`, `number`); a list is a run of
`ac:adf-parameter-value`; an object nests parameters. Atlassian documents the node's part of
this shape in the Confluence REST API (v1 OpenAPI, `getMacroBodyByMacroId`: a Forge macro's id is
the `local-id` `ac:adf-parameter` inside the `parameters` `ac:adf-attribute` of an
`<ac:adf-node type="extension">` whose `extension-type` is `com.atlassian.ecosystem`), but gives
no schema for the rest: the `ac:adf-extension` wrapper, the fallback and the typed values are the
shape pages stored by Confluence Cloud show (see the sandbox README).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape
from typing import Any

FORGE_MACRO = "com.atlassian.ecosystem"
AC = "urn:sandbox:ac"  # a namespace for parsing the `ac:` elements of a fragment
ADF_EXTENSION = re.compile(r"<ac:adf-extension\b[^>]*>(?P<adf>.*?)</ac:adf-extension>", re.S)
FORGE_KEY = re.compile(r"^(?P<app>[0-9a-f-]{36})/(?P<environment>[^/]+)/static/(?P<key>[\w-]+)$")


def kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "-" + m.group(1).lower(), name)


def camel(name: str) -> str:
    return re.sub(r"-([a-z0-9])", lambda m: m.group(1).upper(), name)


def _parameter(key: str, value: Any) -> str:
    name = escape(kebab(key))
    if isinstance(value, dict):
        inner = "".join(_parameter(str(k), v) for k, v in value.items())
        return f'<ac:adf-parameter key="{name}">{inner}</ac:adf-parameter>'
    if isinstance(value, list):
        inner = "".join(
            f"<ac:adf-parameter-value>{escape(str(v))}</ac:adf-parameter-value>" for v in value
        )
        return f'<ac:adf-parameter key="{name}">{inner}</ac:adf-parameter>'
    kind = ""
    if isinstance(value, bool):
        kind, value = ' type="boolean"', "true" if value else "false"
    elif isinstance(value, int):
        kind = ' type="integer"'
    elif isinstance(value, float):
        kind = ' type="number"'
    return f'<ac:adf-parameter key="{name}"{kind}>{escape(str(value))}</ac:adf-parameter>'


def _node(attrs: dict[str, Any]) -> str:
    parts = []
    for key, value in attrs.items():
        if key == "parameters" and isinstance(value, dict):
            inner = "".join(_parameter(str(k), v) for k, v in value.items())
        else:
            inner = escape(str(value))
        parts.append(f'<ac:adf-attribute key="{escape(kebab(key))}">{inner}</ac:adf-attribute>')
    return f'<ac:adf-node type="extension">{"".join(parts)}</ac:adf-node>'


def storage_element(attrs: dict[str, Any]) -> str:
    """An ADF `extension` node's attrs as the storage-format element Confluence keeps; the
    fallback repeats the node, as stored pages show it."""
    node = _node(attrs)
    return f"<ac:adf-extension>{node}<ac:adf-fallback>{node}</ac:adf-fallback></ac:adf-extension>"


def _value(element: ET.Element) -> Any:
    children = list(element)
    if children and all(c.tag == f"{{{AC}}}adf-parameter-value" for c in children):
        return [c.text or "" for c in children]
    if children:
        return {camel(c.get("key", "")): _value(c) for c in children}
    text, kind = element.text or "", element.get("type")
    if kind == "boolean":
        return text == "true"
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    return text


def from_storage(element: str) -> dict[str, Any] | None:
    """The attrs of the extension node in an `ac:adf-extension` element (its fallback ignored),
    or None when it holds no readable extension node."""
    wrapped = f'<root xmlns:ac="{AC}">{element}</root>'
    try:
        # No DOCTYPE can follow the root's start, so no entity of the fragment's can expand.
        root = ET.fromstring(wrapped)  # noqa: S314
    except ET.ParseError:
        return None
    node = root.find(f"{{{AC}}}adf-extension/{{{AC}}}adf-node")
    if node is None or node.get("type") != "extension":
        return None
    attrs: dict[str, Any] = {}
    for attribute in node.findall(f"{{{AC}}}adf-attribute"):
        key = camel(attribute.get("key", ""))
        attrs[key] = _value(attribute) if key == "parameters" else attribute.text or ""
    return attrs


def forge_macro(attrs: dict[str, Any] | None) -> tuple[str, str, dict[str, str]] | None:
    """(app id, macro key, config) of a Forge macro's attrs, or None for any other extension."""
    if not attrs or attrs.get("extensionType") != FORGE_MACRO:
        return None
    found = FORGE_KEY.match(str(attrs.get("extensionKey") or ""))
    if found is None:
        return None
    parameters = attrs.get("parameters") if isinstance(attrs.get("parameters"), dict) else {}
    guest = (parameters or {}).get("guestParams") or {}
    config = {str(k): str(v) for k, v in guest.items()} if isinstance(guest, dict) else {}
    return found.group("app"), found.group("key"), config
