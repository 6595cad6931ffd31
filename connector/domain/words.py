"""The words search matches on: case and accents folded, each word reduced to its stem, so a
plural finds its singular (`cookies` → `cookie`, `policies` → `policy`, `analyses` → `analysis`).

Each word is first taken to its dictionary form by simplemma's English lemmatizer (irregular and
classical plurals: `analyses` -> `analysis`, `crises` -> `crisis`, which no suffix rule can tell
from `cases`), then stemmed by Snowball's English stemmer (Porter 2, the `snowballstemmer`
package, kept by the Snowball project), which also joins the words the dictionary does not know
(`kpis` -> `kpi`). Both are maintained libraries; nothing here is a rule of our own.

The same function normalises what is stored and what is asked, in Python, so SQLite and
PostgreSQL answer a search identically; changing it means rebuilding the index (a migration, as
0011_stemmer did). Accents are folded by Unicode decomposition (NFKD): a letter with no
decomposition (ø, ł, æ, đ) stays as it is, so `Søren` matches `søren`, not `soren`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import simplemma
import snowballstemmer

WORD = re.compile(r"[^\W_]+")
MAX_TERM = 64

_SNOWBALL = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case without accents: `Équipe` -> `equipe`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The search term of one folded word: the same for a plural and its singular."""
    lemma = simplemma.lemmatize(word, lang="en")
    return str(_SNOWBALL.stemWord(fold(lemma)))


def terms(text: str) -> list[str]:
    """The search terms of `text`, in order, repeats kept out."""
    seen: dict[str, None] = {}
    for word in WORD.findall(fold(text)):
        seen.setdefault(stem(word)[:MAX_TERM], None)
    return list(seen)


def terms_of(texts: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        for term in terms(text or ""):
            seen.setdefault(term, None)
    return list(seen)
