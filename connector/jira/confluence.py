"""The narrow interface the app uses to write pages in one site's Confluence (REST v2).

Pages are written in Atlassian Document Format (`atlas_doc_format`, the document as a JSON
string). A page is found by its title in a space (titles are unique in a space), so writing the
same title again updates that page: `PUT /pages/{id}` with the next version number. The session
underneath is the same signed, retrying one Jira calls use (`connector.jira.http`): a 429 waits
for `Retry-After`; a 409 (someone saved the page meanwhile) is read again and retried once.

The platforms register how a site's Confluence is reached (`use_confluence_clients`); tests may
put their own factory at the same seam.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from connector.jira.site import JiraCallFailed, product_call

API = "api/v2"
ADF = "atlas_doc_format"
_CLIENTS = "icm.confluence_clients"


@dataclass(frozen=True)
class WrittenPage:
    id: str
    title: str
    version: int
    url: str  # as people open it
    created: bool


MacroNode = Callable[[str, Mapping[str, str]], dict[str, Any]]


class ConfluenceSite:
    def __init__(self, client: Any, browse_base_url: str, macro_node: MacroNode) -> None:
        self.client = client  # atlassian.ConfluenceV2 on a signed session
        self.browse_base_url = browse_base_url.rstrip("/")  # the site's /wiki, for links
        # The app's own macro as an ADF node: each platform stores its macros its own way.
        self.macro_node = macro_node

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        return product_call(self.client, API, "Confluence", method, path, json, params)

    def space_id(self, key: str) -> str:
        answer = self.call("GET", "spaces", params={"keys": key, "limit": 1}) or {}
        found = answer.get("results") or []
        if not found:
            raise JiraCallFailed("GET", "spaces", 404, [f"no space {key!r}"], "Confluence")
        return str(found[0]["id"])

    def find_page(self, space_id: str, title: str) -> dict[str, Any] | None:
        params = {"space-id": space_id, "title": title, "status": "current", "limit": 1}
        found = (self.call("GET", "pages", params=params) or {}).get("results") or []
        return dict(found[0]) if found else None

    def page(self, page_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.call("GET", f"pages/{page_id}")
        return answer

    def write_page(
        self,
        space_id: str,
        title: str,
        document: Mapping[str, Any],
        *,
        parent_id: str | None = None,
        message: str = "",
        only_create: bool = False,
    ) -> WrittenPage:
        """Create the page `title` in the space, or update the one there (`only_create`: leave
        an existing page as it is)."""
        existing = self.find_page(space_id, title)
        if existing is None:
            body: dict[str, Any] = {
                "spaceId": space_id,
                "status": "current",
                "title": title,
                "body": {"representation": ADF, "value": json.dumps(document)},
            }
            if parent_id:
                body["parentId"] = parent_id
            return self._written(self.call("POST", "pages", json=body), created=True)
        if only_create:
            return self._written(existing, created=False)
        try:
            return self._update(existing, title, document, message)
        except JiraCallFailed as exc:
            if exc.status_code != 409:
                raise
            return self._update(self.page(str(existing["id"])), title, document, message)

    def _update(
        self, page: Mapping[str, Any], title: str, document: Mapping[str, Any], message: str
    ) -> WrittenPage:
        number = int((page.get("version") or {}).get("number") or 0) + 1
        body = {
            "id": str(page["id"]),
            "status": "current",
            "title": title,
            "body": {"representation": ADF, "value": json.dumps(document)},
            "version": {"number": number, "message": message},
        }
        return self._written(self.call("PUT", f"pages/{page['id']}", json=body), created=False)

    def _written(self, page: Mapping[str, Any], *, created: bool) -> WrittenPage:
        webui = str((page.get("_links") or {}).get("webui") or f"/pages/{page['id']}")
        return WrittenPage(
            id=str(page["id"]),
            title=str(page.get("title") or ""),
            version=int((page.get("version") or {}).get("number") or 1),
            url=self.browse_base_url + webui,
            created=created,
        )


ConfluenceClients = Callable[[Session, str], ConfluenceSite]


def use_confluence_clients(app: Flask, clients: ConfluenceClients) -> None:
    app.extensions[_CLIENTS] = clients


def confluence_site(app: Flask, session: Session, site_id: str) -> ConfluenceSite:
    """The site's Confluence; LookupError when the site has no usable Confluence installation."""
    clients: ConfluenceClients = app.extensions[_CLIENTS]
    return clients(session, site_id)
