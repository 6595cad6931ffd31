"""Confluence Cloud REST v2 endpoints the app uses, as thin views over the Confluence store."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from sandbox.confluence_site import require_forge_scope
from sandbox.errors import ConfluenceError
from sandbox.server import caller, site

blueprint = Blueprint("confluence_api", __name__, url_prefix="/wiki/api/v2")


def body() -> Any:
    data = request.get_json(silent=True)
    if data is None:
        raise ConfluenceError(400, "INVALID_REQUEST_PARAMETER", "The request body is not JSON")
    return data


def body_format() -> str | bool:
    """The body a read asks for: storage or atlas_doc_format (others are not rendered here)."""
    wanted = request.args.get("body-format")
    return wanted if wanted in ("storage", "atlas_doc_format") else False


def paged(items: list[dict[str, Any]], path: str) -> Response:
    """A v2 page of results with the `_links.next` cursor and `Link` header Confluence sends."""
    limit = max(1, min(request.args.get("limit", 25, type=int), 250))
    start = (
        int(request.args.get("cursor") or 0) if (request.args.get("cursor") or "").isdigit() else 0
    )
    chunk = items[start : start + limit]
    links: dict[str, str] = {"base": site().url + "/wiki"}
    response_headers: dict[str, str] = {}
    if start + limit < len(items):
        args = request.args.to_dict()
        args["cursor"] = str(start + limit)
        links["next"] = f"/wiki/api/v2{path}?{urlencode(args)}"
        response_headers["Link"] = f'<{links["next"]}>; rel="next"'
    response = Response(status=200, headers=response_headers)
    response.set_data(json.dumps({"results": chunk, "_links": links}))
    response.mimetype = "application/json"
    return response


@blueprint.get("/spaces")
def spaces() -> Any:
    store = site().confluence
    keys = {k for raw in request.args.getlist("keys") for k in raw.split(",") if k}
    ids = {k for raw in request.args.getlist("ids") for k in raw.split(",") if k}
    found = [
        store.render_space(s)
        for s in store.spaces.values()
        if (not keys or s.key in keys) and (not ids or s.id in ids)
    ]
    return paged(found, "/spaces")


@blueprint.get("/spaces/<space_id>")
def space(space_id: str) -> Any:
    store = site().confluence
    if not space_id.isdigit():
        raise ConfluenceError(400, "INVALID_REQUEST_PARAMETER", "The space id must be a number")
    return store.render_space(store.space(space_id))


@blueprint.get("/pages")
def pages() -> Any:
    store = site().confluence
    space_ids = {k for raw in request.args.getlist("space-id") for k in raw.split(",") if k}
    title = request.args.get("title")
    with_body = body_format()
    with store.lock:
        found = [
            store.render_page(p, with_body)
            for p in store.pages.values()
            if (not space_ids or p.space.id in space_ids) and (title is None or p.title == title)
        ]
    return paged(found, "/pages")


@blueprint.post("/pages")
def create_page() -> Any:
    require_forge_scope()
    store = site().confluence
    return store.render_page(store.create_page(body(), caller().app_account_id), True)


@blueprint.get("/pages/<page_id>")
def get_page(page_id: str) -> Any:
    store = site().confluence
    with store.lock:
        return store.render_page(store.page(page_id), body_format())


@blueprint.put("/pages/<page_id>")
def update_page(page_id: str) -> Any:
    require_forge_scope()
    store = site().confluence
    return store.render_page(store.update_page(page_id, body(), caller().app_account_id), True)


@blueprint.get("/pages/<page_id>/properties")
def properties(page_id: str) -> Any:
    store = site().confluence
    key = request.args.get("key")
    with store.lock:
        found = [
            p.render()
            for p in store.page(page_id).properties.values()
            if key is None or p.key == key
        ]
    return paged(found, f"/pages/{page_id}/properties")


@blueprint.post("/pages/<page_id>/properties")
def add_property(page_id: str) -> Any:
    return site().confluence.add_property(page_id, body(), caller().app_account_id).render()


@blueprint.get("/pages/<page_id>/properties/<property_id>")
def get_property(page_id: str, property_id: str) -> Any:
    return site().confluence.find_property(page_id, property_id).render()


@blueprint.put("/pages/<page_id>/properties/<property_id>")
def update_property(page_id: str, property_id: str) -> Any:
    store = site().confluence
    return store.update_property(page_id, property_id, body(), caller().app_account_id).render()


@blueprint.delete("/pages/<page_id>/properties/<property_id>")
def delete_property(page_id: str, property_id: str) -> Any:
    site().confluence.delete_property(page_id, property_id)
    return Response(status=204)
