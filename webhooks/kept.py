"""What the inbox keeps of a delivery: the fields its handler reads, nothing else
(docs/personal-data.md). Jira payloads carry user objects (names, avatars, email addresses), the
whole issue and its comments; the handlers need an issue's id, key, summary and status category, a
changelog's field names, a comment's id, times, author accountId and body, an issue link's ends
and type. Replay reads the same kept fields, so a replayed delivery is handled as the first was.

Events without a handler keep only their name. When a handler starts reading another field, add
it here (tests/webhooks/test_kept.py replays captured payloads through every handler).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.practice.feedback import is_restricted


def _pick(source: Any, *names: str) -> dict[str, Any]:
    if not isinstance(source, Mapping):
        return {}
    return {name: source[name] for name in names if name in source}


def _issue(issue: Any) -> dict[str, Any]:
    kept = _pick(issue, "id", "key")
    fields = issue.get("fields") if isinstance(issue, Mapping) else None
    if isinstance(fields, Mapping):
        status = fields.get("status")
        category = status.get("statusCategory") if isinstance(status, Mapping) else None
        kept["fields"] = _pick(fields, "summary")
        if isinstance(category, Mapping):
            kept["fields"]["status"] = {"statusCategory": _pick(category, "key")}
    return kept


def _comment(comment: Any) -> dict[str, Any]:
    kept = _pick(comment, "id", "created", "updated", "body", "visibility", "jsdPublic")
    if isinstance(comment, Mapping) and is_restricted(comment):
        kept.pop("body", None)  # a restricted comment's text is never stored (README)
    author = comment.get("author") if isinstance(comment, Mapping) else None
    if isinstance(author, Mapping):
        kept["author"] = _pick(author, "accountId")
    return kept


def _changelog(changelog: Any) -> dict[str, Any]:
    items = changelog.get("items") if isinstance(changelog, Mapping) else None
    if not isinstance(items, list):
        return {}
    return {"items": [_pick(item, "field") for item in items]}


def _issue_link(link: Any) -> dict[str, Any]:
    kept = _pick(link, "id", "sourceIssueId", "destinationIssueId")
    kind = link.get("issueLinkType") if isinstance(link, Mapping) else None
    if isinstance(kind, Mapping):
        kept["issueLinkType"] = _pick(kind, "name", "outwardName", "inwardName")
    return kept


_PARTS = {
    "issue": _issue,
    "comment": _comment,
    "changelog": _changelog,
    "issueLink": _issue_link,
}
_READ: dict[str, tuple[str, ...]] = {
    "jira:issue_updated": ("issue", "changelog"),
    "jira:issue_deleted": ("issue",),
    "comment_created": ("comment", "issue"),
    "comment_updated": ("comment", "issue"),
    "comment_deleted": ("comment", "issue"),
    "issuelink_created": ("issueLink",),
    "issuelink_deleted": ("issueLink",),
}


# Where a kept payload holds accountIds (erasure of a closed account finds its deliveries by
# these fields, exactly: `webhooks.inbox.erase_account`). A new one read above goes here too.
ACCOUNT_FIELDS: tuple[tuple[str, ...], ...] = (("comment", "author", "accountId"),)


def accounts_named(kept: Mapping[str, Any]) -> set[str]:
    """The accountIds a kept payload holds, read from ACCOUNT_FIELDS."""
    found: set[str] = set()
    for path in ACCOUNT_FIELDS:
        value: Any = kept
        for name in path:
            value = value.get(name) if isinstance(value, Mapping) else None
        if isinstance(value, str):
            found.add(value)
    return found


def kept_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a parsed delivery the inbox stores."""
    event = str(payload.get("webhookEvent") or "")
    kept: dict[str, Any] = _pick(payload, "webhookEvent", "timestamp")
    for part in _READ.get(event, ()):
        if part in payload:
            kept[part] = _PARTS[part](payload[part])
    return kept
