"""A Forge macro in a page written in ADF is kept in storage as Confluence Cloud keeps it: the
`extension` node in an `ac:adf-extension` (kebab-case keys, typed values, a fallback), not an
`ac:structured-macro`; read back, it is the same node."""

from __future__ import annotations

import json
from typing import Any

from sandbox import Sandbox
from sandbox.confluence.forge_macros import forge_macro, from_storage, storage_element
from tests.sandbox.conftest import Client

APP = "0b6ec8b5-0a2e-4d1c-9d7e-2f1a6c3b4d5e"
KEY = f"{APP}/production/static/customer-map"
FORGE_MACRO = {
    "type": "extension",
    "attrs": {
        "extensionType": "com.atlassian.ecosystem",
        "extensionKey": KEY,
        "layout": "default",
        "parameters": {
            "localId": "icm-customer-map",
            "extensionId": f"ari:cloud:ecosystem::extension/{KEY}",
            "extensionTitle": "Customer map",
            "forgeEnvironment": "PRODUCTION",
            "render": "native",
            "guestParams": {"team": "PAY & HR"},
        },
    },
}


def test_a_forge_macro_is_stored_as_an_adf_extension(sb: Sandbox, confluence: Client) -> None:
    document = {"type": "doc", "version": 1, "content": [FORGE_MACRO]}
    body = {"representation": "atlas_doc_format", "value": json.dumps(document)}
    made = confluence.post(
        "/api/v2/pages", {"spaceId": "98305", "status": "current", "title": "Map", "body": body}
    )
    assert made.status_code == 200, made.text
    page_id = made.json()["id"]

    read = confluence.get(f"/api/v2/pages/{page_id}", **{"body-format": "atlas_doc_format"})
    assert json.loads(read.json()["body"]["atlas_doc_format"]["value"]) == document
    storage = confluence.get(f"/api/v2/pages/{page_id}", **{"body-format": "storage"}).json()
    value = storage["body"]["storage"]["value"]
    assert "ac:structured-macro" not in value
    assert value.startswith('<ac:adf-extension><ac:adf-node type="extension">')
    assert f'<ac:adf-attribute key="extension-key">{KEY}</ac:adf-attribute>' in value
    assert (
        '<ac:adf-attribute key="extension-type">com.atlassian.ecosystem</ac:adf-attribute>'
    ) in value
    assert (
        '<ac:adf-parameter key="extension-id">'
        f"ari:cloud:ecosystem::extension/{KEY}</ac:adf-parameter>"
    ) in value
    assert (
        '<ac:adf-parameter key="guest-params">'
        '<ac:adf-parameter key="team">PAY &amp; HR</ac:adf-parameter></ac:adf-parameter>'
    ) in value
    assert "<ac:adf-fallback>" in value and value.endswith("</ac:adf-extension>")
    assert from_storage(value) == FORGE_MACRO["attrs"]
    assert forge_macro(from_storage(value)) == (APP, "customer-map", {"team": "PAY & HR"})
    assert sb.contract_violations == []


def test_values_keep_their_types_and_keys_their_case() -> None:
    attrs: dict[str, Any] = {
        "extensionType": "com.atlassian.ecosystem",
        "extensionKey": KEY,
        "parameters": {
            "guestParams": {
                "showExpectations": True,
                "depth": 2,
                "weight": 0.5,
                "teams": ["PAY", "HR"],
                "layout": {"sideBySide": False},
            }
        },
    }
    element = storage_element(attrs)

    assert '<ac:adf-parameter key="show-expectations" type="boolean">true' in element
    assert '<ac:adf-parameter key="depth" type="integer">2' in element
    assert '<ac:adf-parameter key="weight" type="number">0.5' in element
    assert "<ac:adf-parameter-value>PAY</ac:adf-parameter-value>" in element
    assert from_storage(element) == attrs


def test_only_a_forge_extension_is_a_forge_macro() -> None:
    connect = {"extensionType": "com.atlassian.confluence.macro.core", "extensionKey": "x"}
    assert forge_macro(connect) is None
    assert forge_macro({"extensionType": "com.atlassian.ecosystem", "extensionKey": "x"}) is None
    assert from_storage("<ac:adf-extension><p>unclosed</ac:adf-extension>") is None
    assert from_storage('<ac:adf-extension><ac:adf-node type="panel"/></ac:adf-extension>') is None
