"""Just enough Atlassian Document Format to store v3 bodies and show them as v2 wiki text."""

from __future__ import annotations

from typing import Any


def is_document(value: object) -> bool:
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and isinstance(value.get("content"), list)
    )


def from_text(text: str) -> dict[str, Any]:
    paragraphs = [p for p in text.split("\n\n") if p.strip()] or [""]
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": p}] if p else []}
            for p in paragraphs
        ],
    }


def to_text(node: object) -> str:
    """Plain text of a document: blocks separated by blank lines, as the v2 API shows them."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    children = node.get("content") or []
    if node.get("type") in ("doc", "bulletList", "orderedList", "listItem"):
        return "\n\n".join(t for t in (to_text(c) for c in children) if t)
    return "".join(to_text(c) for c in children)
