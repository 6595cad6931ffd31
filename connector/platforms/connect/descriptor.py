"""The Connect descriptors: one source file, one served descriptor per product.

`atlassian-connect.json` holds what both products share, plus `productModules` with each
product's scopes and modules; the served descriptor is the shared part with that product's
modules, its `baseUrl` from ICM_BASE_URL and its `key` from ICM_APP_KEY.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from connector.domain.errors import NotFound

PRODUCTS = ("jira", "confluence")

bp = Blueprint("descriptor", __name__)


@cache
def _source(path: str) -> dict[str, Any]:
    source: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return source


def build_descriptor(
    product: str, *, base_url: str, app_key: str, source_path: str
) -> dict[str, Any]:
    source = _source(source_path)
    if product not in source["productModules"]:
        raise NotFound(f"no descriptor for product {product!r}; expected one of {PRODUCTS}")
    descriptor = {k: copy.deepcopy(v) for k, v in source.items() if k != "productModules"}
    specific = copy.deepcopy(source["productModules"][product])
    descriptor["key"] = app_key
    descriptor["baseUrl"] = base_url.rstrip("/")
    descriptor["scopes"] = specific["scopes"]
    descriptor["modules"] = specific["modules"]
    return descriptor


def descriptor_for(product: str) -> dict[str, Any]:
    config = current_app.config
    return build_descriptor(
        product,
        base_url=config["BASE_URL"],
        app_key=config["APP_KEY"],
        source_path=config["DESCRIPTOR_PATH"],
    )


@bp.get("/<any(jira, confluence):product>/atlassian-connect.json")
def serve(product: str) -> Response:
    response = jsonify(descriptor_for(product))
    response.headers["Cache-Control"] = "no-cache"
    return response
