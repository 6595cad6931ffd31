"""The narrow view of Jira that the feedback loop needs (comment, search), and where to get it.

The platforms register how a site's Jira is reached (`use_site_clients`, done by
`connector.platforms.sites`); tests may put a factory of the narrow port in
`app.extensions["icm.jira_for_site"]` (a fake at this seam, or a sandbox-backed client).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from flask import Flask
from sqlalchemy.orm import Session

from connector.jira.site import JiraSite


class JiraPort(Protocol):
    def add_comment(self, issue_key: str, adf: Mapping[str, Any]) -> Any: ...

    def search_jql(
        self, jql: str, fields: Sequence[str], page_size: int = ...
    ) -> Iterable[Mapping[str, Any]]: ...


JiraFactory = Callable[[Session, str], JiraPort]
SiteClients = Callable[[Session, str], JiraSite]

_SITE_CLIENTS = "icm.site_clients"


def use_site_clients(app: Flask, clients: SiteClients) -> None:
    app.extensions[_SITE_CLIENTS] = clients


def jira_site(app: Flask, session: Session, site_id: str) -> JiraSite:
    """The site's whole Jira client; raises LookupError when the site has no active Jira install."""
    clients: SiteClients = app.extensions[_SITE_CLIENTS]
    return clients(session, site_id)


def jira_for(app: Flask, session: Session, site_id: str) -> JiraPort:
    """The site's Jira, as the feedback loop sees it (a test's fake when one is set)."""
    factory: JiraFactory | None = app.extensions.get("icm.jira_for_site")
    if factory is not None:
        return factory(session, site_id)
    return jira_site(app, session, site_id)


def comment_id_of(answer: Any) -> str | None:
    """The id of a created comment, whatever shape the client returned."""
    if isinstance(answer, Mapping):
        value = answer.get("id")
        return str(value) if value is not None else None
    value = getattr(answer, "id", None)
    return str(value) if value is not None else None
