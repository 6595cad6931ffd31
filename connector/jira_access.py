"""The narrow view of Jira that the feedback loop needs (comment, search), and where to get it.

Production resolves a site's client through `connector.sites.jira_for_site`; tests may put a
factory in `app.extensions["icm.jira_for_site"]` (a fake at this seam, or a sandbox-backed client).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from flask import Flask
from sqlalchemy.orm import Session


class JiraPort(Protocol):
    def add_comment(self, issue_key: str, adf: Mapping[str, Any]) -> Any: ...

    def search_jql(
        self, jql: str, fields: Sequence[str], page_size: int = ...
    ) -> Iterable[Mapping[str, Any]]: ...


JiraFactory = Callable[[Session, str], JiraPort]


def jira_for(app: Flask, session: Session, site_id: str) -> JiraPort:
    """The site's Jira client; raises LookupError when the site has no active Jira install."""
    factory: JiraFactory | None = app.extensions.get("icm.jira_for_site")
    if factory is not None:
        return factory(session, site_id)
    from connector import sites  # imported late: it builds clients this module does not need

    client: JiraPort = sites.jira_for_site(session, site_id, app.config)
    return client


def comment_id_of(answer: Any) -> str | None:
    """The id of a created comment, whatever shape the client returned."""
    if isinstance(answer, Mapping):
        value = answer.get("id")
        return str(value) if value is not None else None
    value = getattr(answer, "id", None)
    return str(value) if value is not None else None


# --- the few ADF nodes the app writes in comments


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
