"""Confluence v2 pages written in Atlassian Document Format: checked, kept as written, shown as
storage XHTML with the app's macro, and refused with a 400 naming what is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import Client

CONNECT_MACRO = {
    "type": "extension",
    "attrs": {
        "extensionType": "com.atlassian.confluence.macro.core",
        "extensionKey": "customer-map",
        "parameters": {"macroParams": {"team": {"value": "PAY"}}},
    },
}
DOCUMENT = {
    "type": "doc",
    "version": 1,
    "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Health"}]},
        {
            "type": "table",
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        {
                            "type": "tableCell",
                            "attrs": {"background": "#abf5d1"},
                            "content": [
                                {
                                    "type": "paragraph",
                                    "content": [{"type": "text", "text": "81 <b>"}],
                                }
                            ],
                        }
                    ],
                }
            ],
        },
        {
            "type": "paragraph",
            "content": [{"type": "status", "attrs": {"text": "met", "color": "green"}}],
        },
        CONNECT_MACRO,
    ],
}


def adf(document: Any) -> dict[str, str]:
    return {"representation": "atlas_doc_format", "value": json.dumps(document)}


def test_an_adf_page_is_kept_and_shown_as_storage(sb: Sandbox, confluence: Client) -> None:
    made = confluence.post(
        "/api/v2/pages",
        {"spaceId": "98305", "status": "current", "title": "Review", "body": adf(DOCUMENT)},
    )
    assert made.status_code == 200, made.text
    page_id = made.json()["id"]

    read = confluence.get(f"/api/v2/pages/{page_id}", **{"body-format": "atlas_doc_format"})
    assert json.loads(read.json()["body"]["atlas_doc_format"]["value"]) == DOCUMENT
    storage = confluence.get(f"/api/v2/pages/{page_id}", **{"body-format": "storage"}).json()
    value = storage["body"]["storage"]["value"]
    assert "<h2>Health</h2>" in value and "81 &lt;b&gt;" in value
    assert 'data-highlight-colour="#abf5d1"' in value
    assert (
        '<ac:structured-macro ac:name="customer-map"><ac:parameter ac:name="team">PAY'
        "</ac:parameter></ac:structured-macro>"
    ) in value
    update = {
        "id": page_id,
        "status": "current",
        "title": "Review",
        "body": adf({"type": "doc", "version": 1, "content": []}),
        "version": {"number": 2},
    }
    assert confluence.put(f"/api/v2/pages/{page_id}", update).status_code == 200
    assert sb.state.confluence.page(page_id).body == ""
    assert sb.contract_violations == []


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"type": "blink"}, "content[0]: unknown node type 'blink'"),
        ({"type": "heading", "attrs": {"level": 9}}, "content[0]: heading level must be 1..6"),
        (
            {
                "type": "paragraph",
                "content": [{"type": "text", "text": "x", "marks": [{"type": "glow"}]}],
            },
            "content[0].content[0]: unknown mark 'glow'",
        ),
        (
            {
                "type": "extension",
                "attrs": {"extensionType": "com.atlassian.ecosystem", "extensionKey": "x"},
            },
            "a Forge extensionKey is appId/environmentId/static/macroKey",
        ),
    ],
)
def test_a_bad_document_is_a_400_naming_where(
    confluence: Client, node: dict[str, Any], message: str
) -> None:
    document = {"type": "doc", "version": 1, "content": [node]}
    refused = confluence.post(
        "/api/v2/pages",
        {"spaceId": "98305", "status": "current", "title": "Bad", "body": adf(document)},
    )
    assert refused.status_code == 400
    assert message in refused.json()["errors"][0]["title"]


def test_a_parent_must_be_a_page(confluence: Client) -> None:
    refused = confluence.post(
        "/api/v2/pages",
        {
            "spaceId": "98305",
            "status": "current",
            "title": "Orphan",
            "parentId": "424242",
            "body": adf(DOCUMENT),
        },
    )
    assert refused.status_code == 404
