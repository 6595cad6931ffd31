"""The words search matches on: case and accents folded, plurals reduced to their singular.

The same function normalises what is stored and what is asked, in Python, so SQLite and
PostgreSQL answer a search identically. Accents are folded by Unicode decomposition (NFKD): a
letter with no decomposition (ø, ł, æ, đ) stays as it is, so `Søren` matches `søren`, not `soren`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

WORD = re.compile(r"[^\W_]+")
MAX_TERM = 64
# Endings that look plural but are singular: "status", "analysis", "class", "bus".
SINGULAR_ENDINGS = ("ss", "us", "is")


def fold(text: str) -> str:
    """Lower case without accents: `Équipe` -> `equipe`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def singular(word: str) -> str:
    """A light English stemmer, the same for a plural and its singular: `policies` -> `policy`;
    a plural s goes (`payslips` -> `payslip`), then a final e (`caches`, `cache` -> `cach`;
    `boxes`, `box` -> `box`). Words of three letters or fewer, and numbers, stay whole."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(SINGULAR_ENDINGS):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The search terms of `text`, in order, repeats kept out."""
    seen: dict[str, None] = {}
    for word in WORD.findall(fold(text)):
        seen.setdefault(singular(word)[:MAX_TERM], None)
    return list(seen)


def terms_of(texts: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        for term in terms(text or ""):
            seen.setdefault(term, None)
    return list(seen)
