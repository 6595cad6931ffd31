"""Documents checked by html5lib's strict parser, which raises on any HTML5 parse error."""

from __future__ import annotations

from typing import Any

import html5lib


def parse_strict(document: str) -> Any:
    """The parsed tree (tags without namespaces); raises html5lib's ParseError if invalid."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(document)
