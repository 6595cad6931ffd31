"""The conversation the practice starts with: the seed question, then follow-ups, each feeding
one field of the expectation (the capture form on both platforms and the Rovo agent ask them).

A site's administrator may reword, drop or reorder the follow-ups (`SiteSettings.follow_ups`);
until then these defaults are asked. The answers are kept in the customer's words: nothing here
or downstream rewrites them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connector.domain.errors import ValidationFailed

SEED_QUESTION = "What are the needs and expectations you have for me in my position?"

# The fields a follow-up may feed, by their API names (what the capture form posts).
WHY_IT_MATTERS = "whyItMatters"
MEASURES = "measures"
GROWTH = "growthOpportunity"
CADENCE = "cadenceDays"
FIELDS = (WHY_IT_MATTERS, MEASURES, GROWTH, CADENCE)
FIELD_NAMES = {
    WHY_IT_MATTERS: "why it matters",
    MEASURES: "a measure (target, unit, direction)",
    GROWTH: "an opportunity for growth",
    CADENCE: "how often to ask for feedback",
}

DEFAULT_FOLLOW_UPS: tuple[dict[str, str], ...] = (
    {"field": WHY_IT_MATTERS, "question": "Why does this matter to you?"},
    {"field": MEASURES, "question": "How would you know I met it? What number, by when?"},
    {"field": GROWTH, "question": "What would make it even better next year?"},
    {"field": CADENCE, "question": "How often should I ask you how I'm doing?"},
)
QUESTION_MAX = 200


def follow_ups_or_default(stored: Sequence[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    """What a site asks: its administrator's set, or the defaults when none was saved."""
    chosen = DEFAULT_FOLLOW_UPS if stored is None else stored
    return [{"field": str(f["field"]), "question": str(f["question"])} for f in chosen]


def checked_follow_ups(wanted: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """An administrator's set: each follow-up feeds one known field, once; questions are
    1..200 characters (trimmed). ValidationFailed (422) names each bad entry."""
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    answer = []
    for index, entry in enumerate(wanted):
        field, question = entry.get("field"), str(entry.get("question") or "").strip()
        where = f"followUps[{index}]"
        if field not in FIELDS:
            problems[where] = [f"field must be one of {', '.join(FIELDS)}; got {field!r}"]
        elif field in seen:
            problems[where] = [f"{field} is already fed by an earlier follow-up"]
        elif not 1 <= len(question) <= QUESTION_MAX:
            problems[where] = [f"the question must be 1..{QUESTION_MAX} characters"]
        else:
            seen.add(str(field))
            answer.append({"field": str(field), "question": question})
    if problems:
        raise ValidationFailed("the follow-up questions are not valid", details=problems)
    return answer
