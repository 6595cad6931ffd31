"""A small HTML5 well-formedness check on the standard library's html.parser.

html5lib's strict parser (tests/support/html5.py) is the validity check; this adds what it lets
pass but the macro iframe needs: exactly one html/head/body and title, and a meta charset.
"""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.doctype: str | None = None
        self.first_seen = False
        self.counts: dict[str, int] = {}
        self.has_charset = False

    def handle_decl(self, decl: str) -> None:
        if not self.first_seen:
            self.doctype = decl
        self.first_seen = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.first_seen = True
        # Elements inside inline SVG (its <title>) are counted apart from the document's.
        key = f"svg:{tag}" if "svg" in self.stack else tag
        self.counts[key] = self.counts.get(key, 0) + 1
        if tag == "meta" and any(k == "charset" for k, _ in attrs):
            self.has_charset = True
        names = [k for k, _ in attrs]
        if len(names) != len(set(names)):
            self.errors.append(f"duplicate attribute on <{tag}>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.first_seen = True

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.errors.append(f"end tag for void element </{tag}>")
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
            return
        self.stack.pop()


def html5_problems(document: str) -> list[str]:
    checker = _Checker()
    checker.feed(document)
    checker.close()
    problems = list(checker.errors)
    if (checker.doctype or "").lower() != "doctype html":
        problems.append(f"doctype is {checker.doctype!r}")
    if checker.stack:
        problems.append(f"unclosed: {checker.stack}")
    for tag in ("html", "head", "body", "title"):
        if checker.counts.get(tag) != 1:
            problems.append(f"{tag} appears {checker.counts.get(tag, 0)} times")
    if not checker.has_charset:
        problems.append("no meta charset")
    return problems
