"""The rating a customer writes in a Jira comment, and how a comment body becomes text.

Grammar (one rating per comment; the first matching line wins):

    rating-line = *WSP [emphasis] "Rating" [emphasis] *WSP ":" [emphasis] *WSP
                  DIGIT-1-5 *WSP "/" *WSP "5" [emphasis] [*WSP separator] *WSP comment-text
    emphasis    = 1*("*" / "_")           ; wiki bold/italic around the word, e.g. *Rating:*
    separator   = EM-DASH / EN-DASH / "-" / ":" / ","
    comment     = the rest of the rating line, then every line after it (trimmed; empty -> none)

"Rating" is case-insensitive and must start its line (after spaces): quoted text (`bq.` lines and
`{quote}` blocks) never counts, nor does a rating out of 1..5 (`Rating: 7/5`, `Rating: 0/5`).
Examples: `Rating: 4/5 — payslips arrived on time`, `*Rating:* 2/5`, `rating: 5 / 5`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_RATING_LINE = re.compile(
    r"^\s*[*_]*rating[*_]*\s*:[*_]*\s*(?P<value>\d+)\s*/\s*5(?![0-9])[*_]*"
    r"(?:\s*[\u2014\u2013:,-])?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_QUOTE_FENCE = re.compile(r"\{quote\}", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedRating:
    value: int
    comment: str | None


def parse_rating(text: str) -> ParsedRating | None:
    """The rating in a comment body (wiki markup or plain text), or None when there is none."""
    lines = text.replace("\r\n", "\n").split("\n")
    quoted = False
    for index, line in enumerate(lines):
        fences = len(_QUOTE_FENCE.findall(line))
        if quoted or fences:
            quoted = quoted ^ (fences % 2 == 1)
            continue
        match = _RATING_LINE.match(line)
        if match is None:
            continue
        value = int(match.group("value"))
        if not 1 <= value <= 5:
            return None
        rest = [match.group("rest").strip(), *(x.strip() for x in lines[index + 1 :])]
        comment = "\n".join(rest).strip()
        return ParsedRating(value=value, comment=comment or None)
    return None


def adf_to_text(node: Any) -> str:
    """Plain text of ADF (REST v3 comment bodies): a line per block, quotes left out."""
    if isinstance(node, str):
        return node
    if not isinstance(node, Mapping):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind == "mention":
        attrs = node.get("attrs") or {}
        return str(attrs.get("text") or "@" + str(attrs.get("id", "")))
    if kind == "blockquote":
        return ""
    children = node.get("content") or []
    joiner = "\n" if kind in ("doc", "bulletList", "orderedList", "listItem") else ""
    return joiner.join(adf_to_text(child) for child in children)


def comment_text(body: Any) -> str:
    """A comment body as text, whether it came as wiki markup (webhooks) or ADF (REST v3)."""
    return body if isinstance(body, str) else adf_to_text(body)
