"""The few Atlassian Document Format nodes the app writes in comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def adf_text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def adf_mention(account_id: str) -> dict[str, Any]:
    return {"type": "mention", "attrs": {"id": account_id}}


def adf_paragraph(*nodes: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": [dict(n) for n in nodes]}


def adf_bullets(items: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [adf_paragraph(adf_text(i))]} for i in items],
    }


def adf_doc(*blocks: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": [dict(b) for b in blocks]}
