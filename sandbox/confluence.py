"""Confluence's state and rules (v2): spaces, pages with version checks, content properties."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox import confluence_pages
from sandbox.directory import USERS, iso_time, now
from sandbox.errors import ConfluenceError


@dataclass(frozen=True)
class Space:
    id: str
    key: str
    name: str


@dataclass
class Version:
    number: int
    author: str
    created: datetime
    message: str = ""

    def render(self) -> dict[str, Any]:
        return {
            "createdAt": iso_time(self.created),
            "message": self.message,
            "number": self.number,
            "minorEdit": False,
            "authorId": self.author,
        }


@dataclass
class ContentProperty:
    id: str
    key: str
    value: Any
    version: Version

    def render(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "value": self.value,
            "version": self.version.render(),
        }


@dataclass
class Page:
    id: str
    space: Space
    title: str
    body: str
    author: str
    created: datetime
    version: Version
    parent_id: str | None = None
    properties: dict[str, ContentProperty] = field(default_factory=dict)
    adf: dict[str, Any] | None = None  # as written, when written in atlas_doc_format


SPACES = (
    Space("98305", "ICM", "Internal Customer Map"),
    Space("98306", "PAY", "Payroll"),
    Space("98307", "HR", "People"),
)

PageListener = Callable[[str, Page, str], None]


class ConfluenceStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.spaces: dict[str, Space] = {s.id: s for s in SPACES}
        self.pages: dict[str, Page] = {}
        self.listeners: list[PageListener] = []
        self._next_id = 65536
        self.base_url = ""

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def space(self, id_or_key: str) -> Space:
        for space in self.spaces.values():
            if id_or_key in (space.id, space.key):
                return space
        raise ConfluenceError(404, "NOT_FOUND", f"No space found with id or key {id_or_key}")

    def page(self, page_id: str) -> Page:
        page = self.pages.get(page_id)
        if page is None:
            raise ConfluenceError(404, "NOT_FOUND", f"No page found with id {page_id}")
        return page

    def create_page(self, body: object, actor: str) -> Page:
        if not isinstance(body, dict):
            raise ConfluenceError(400, "INVALID_REQUEST_PARAMETER", "A request body is required")
        with self.lock:
            space = self.space(str(body.get("spaceId", "")))
            title = str(body.get("title") or "").strip()
            if not title:
                raise ConfluenceError(400, "INVALID_REQUEST_PARAMETER", "Title is required")
            if any(p.space == space and p.title == title for p in self.pages.values()):
                raise ConfluenceError(
                    400,
                    "INVALID_REQUEST_PARAMETER",
                    "A page with this title already exists: A page already exists with the same"
                    f" TITLE in this space: {title}",
                )
            storage, document = self._storage(body)
            moment = now()
            page = Page(
                self._new_id(),
                space,
                title,
                storage,
                actor,
                moment,
                Version(1, actor, moment),
                parent_id=str(body["parentId"]) if body.get("parentId") else None,
                adf=document,
            )
            if page.parent_id is not None and self.pages.get(page.parent_id) is None:
                raise ConfluenceError(404, "NOT_FOUND", f"No parent page with id {page.parent_id}")
            self.pages[page.id] = page
            self._emit("page_created", page, actor)
            return page

    @staticmethod
    def _storage(body: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
        """The page's storage XHTML, and its ADF document when written in atlas_doc_format."""
        content = body.get("body") or {}
        if not isinstance(content, dict):
            raise ConfluenceError(400, "INVALID_REQUEST_PARAMETER", "body must be an object")
        for nested in ("storage", confluence_pages.ADF):
            if nested in content and isinstance(content[nested], dict):
                content = {"representation": nested, **content[nested]}
        representation = content.get("representation", "storage") if content else "storage"
        if representation == confluence_pages.ADF:
            document = confluence_pages.parse_document(content.get("value"))
            return confluence_pages.to_storage(document), document
        if representation != "storage":
            raise ConfluenceError(
                400,
                "INVALID_REQUEST_PARAMETER",
                "Only the storage and atlas_doc_format representations are supported",
            )
        return str(content.get("value") or ""), None

    def update_page(self, page_id: str, body: object, actor: str) -> Page:
        if not isinstance(body, dict):
            raise ConfluenceError(400, "INVALID_REQUEST_PARAMETER", "A request body is required")
        with self.lock:
            page = self.page(page_id)
            number = (body.get("version") or {}).get("number")
            if number != page.version.number + 1:
                raise ConfluenceError(
                    409,
                    "CONFLICT",
                    "Version must be incremented on update. Current version is: "
                    f"{page.version.number}",
                )
            page.title = str(body.get("title") or page.title)
            page.body, page.adf = self._storage(body)
            page.version = Version(
                number, actor, now(), str((body.get("version") or {}).get("message") or "")
            )
            self._emit("page_updated", page, actor)
            return page

    def add_property(self, page_id: str, body: object, actor: str) -> ContentProperty:
        with self.lock:
            page = self.page(page_id)
            key = body.get("key") if isinstance(body, dict) else None
            if not isinstance(key, str) or not key or not isinstance(body, dict):
                raise ConfluenceError(400, "INVALID_REQUEST_PARAMETER", "key is required")
            if any(p.key == key for p in page.properties.values()):
                raise ConfluenceError(
                    400, "INVALID_REQUEST_PARAMETER", f"A property with key '{key}' already exists"
                )
            prop = ContentProperty(self._new_id(), key, body.get("value"), Version(1, actor, now()))
            page.properties[prop.id] = prop
            return prop

    def find_property(self, page_id: str, property_id: str) -> ContentProperty:
        prop = self.page(page_id).properties.get(property_id)
        if prop is None:
            raise ConfluenceError(404, "NOT_FOUND", f"No property found with id {property_id}")
        return prop

    def update_property(
        self, page_id: str, property_id: str, body: object, actor: str
    ) -> ContentProperty:
        with self.lock:
            prop = self.find_property(page_id, property_id)
            if not isinstance(body, dict):
                raise ConfluenceError(
                    400, "INVALID_REQUEST_PARAMETER", "A request body is required"
                )
            number = (body.get("version") or {}).get("number")
            if number != prop.version.number + 1:
                raise ConfluenceError(
                    409,
                    "CONFLICT",
                    "Version must be incremented on update. Current version is: "
                    f"{prop.version.number}",
                )
            if body.get("key") not in (None, prop.key):
                raise ConfluenceError(400, "INVALID_REQUEST_PARAMETER", "The key cannot change")
            prop.value = body.get("value")
            prop.version = Version(number, actor, now())
            return prop

    def delete_property(self, page_id: str, property_id: str) -> None:
        with self.lock:
            self.find_property(page_id, property_id)
            del self.page(page_id).properties[property_id]

    def render_space(self, space: Space) -> dict[str, Any]:
        homepage = next((p.id for p in self.pages.values() if p.space == space), None)
        body: dict[str, Any] = {
            "id": space.id,
            "key": space.key,
            "name": space.name,
            "type": "global",
            "status": "current",
            "authorId": USERS[0].account_id,
            "createdAt": "2024-01-01T00:00:00.000Z",
            "homepageId": homepage,
            "_links": {"webui": f"/spaces/{space.key}"},
        }
        return {k: v for k, v in body.items() if v is not None}

    def render_page(self, page: Page, with_body: bool | str) -> dict[str, Any]:
        """`with_body`: True or "storage" for the storage body, "atlas_doc_format" for ADF."""
        body: dict[str, Any] = {
            "id": page.id,
            "status": "current",
            "title": page.title,
            "spaceId": page.space.id,
            "parentId": page.parent_id,
            "parentType": "page" if page.parent_id else None,
            "position": 0,
            "authorId": page.author,
            "ownerId": page.author,
            "lastOwnerId": None,
            "createdAt": iso_time(page.created),
            "version": page.version.render(),
            "body": self._body(page, with_body),
            "_links": {
                "webui": f"/spaces/{page.space.key}/pages/{page.id}",
                "editui": f"/pages/resumedraft.action?draftId={page.id}",
                "tinyui": f"/x/{page.id}",
            },
        }
        return {k: v for k, v in body.items() if v is not None}

    @staticmethod
    def _body(page: Page, wanted: bool | str) -> dict[str, Any]:
        if wanted == confluence_pages.ADF:
            document = page.adf or {"type": "doc", "version": 1, "content": []}
            return {wanted: {"representation": wanted, "value": json.dumps(document)}}
        if wanted:
            return {"storage": {"representation": "storage", "value": page.body}}
        return {}

    def _emit(self, event: str, page: Page, actor: str) -> None:
        for listener in self.listeners:
            listener(event, page, actor)
