"""Escaping and small formatting rules shared by the SVG and the HTML renderers.

One escape serves both: it is valid in HTML and in XML, and it drops the control characters XML
forbids, so a hostile team name can neither inject markup nor break the SVG's well-formedness.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from macros.view import FeedbackView, Health, MeasureView

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_SAFE_SCHEMES = ("http://", "https://", "/")


def esc(text: object) -> str:
    return html.escape(_XML_INVALID.sub("", str(text)), quote=True)


def safe_url(url: str | None) -> str | None:
    """Only web links and site-relative paths; a `javascript:` URL becomes no link at all."""
    if url is None:
        return None
    stripped = url.strip()
    if not stripped.lower().startswith(_SAFE_SCHEMES) or stripped.startswith("//"):
        return None
    return stripped


def dom_id(*parts: str) -> str:
    return "-".join(_ID_UNSAFE.sub("_", p) for p in parts)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap(text: str, chars: int, lines: int) -> list[str]:
    """Words in at most `lines` lines of about `chars` characters; what does not fit is cut
    with an ellipsis (the full text is in the title and the table)."""
    words = [piece for word in text.split() for piece in _hyphenate(word, chars)]
    out: list[str] = []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= chars:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out[-1] = shorten(f"{out[-1]} {' '.join(words)}", chars)
    return [shorten(line, chars) for line in out] or [""]


def _hyphenate(word: str, chars: int) -> list[str]:
    """A word longer than a line, in pieces that fit, each but the last ending with a hyphen."""
    if len(word) <= chars or chars < 4:
        return [word]
    step = chars - 1
    pieces = [word[i : i + step] + "-" for i in range(0, len(word) - chars, step)]
    return [*pieces, word[len(pieces) * step :]]


def fmt_number(value: float) -> str:
    return f"{value:g}"


def fmt_date(at: datetime | None) -> str:
    # A date rather than "3 days ago": the output must not depend on the clock, so it can be cached.
    return at.date().isoformat() if at is not None else "never"


def direction_symbol(measure: MeasureView) -> str:
    return "≥" if measure.direction == "atLeast" else "≤"


def measure_text(measure: MeasureView) -> str:
    target = f"{direction_symbol(measure)} {fmt_number(measure.target)}{measure.unit}"
    if measure.latest is None:
        latest = "no value yet"
    else:
        verdict = "met" if measure.met else "not met"
        latest = f"latest {fmt_number(measure.latest)}{measure.unit}, {verdict}"
    return f"{measure.name}: target {target}; {latest}"


def health_text(health: Health) -> str:
    """Band, score, trend and number of ratings in words, for titles and screen readers."""
    ratings = "rating" if health.n == 1 else "ratings"
    return f"{health.label}, trend {health.trend_text}, {health.n} {ratings}"


def feedback_text(feedback: FeedbackView | None) -> str:
    if feedback is None:
        return "No feedback yet"
    comment = f": {feedback.comment}" if feedback.comment else ""
    return f"{feedback.rating}/5 on {fmt_date(feedback.at)}{comment}"
