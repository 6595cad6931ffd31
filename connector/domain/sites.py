"""A site's identity when its install names no cloudId: the host of its base URL."""

from __future__ import annotations

from urllib.parse import urlsplit


def site_id_for_url(url: str) -> str:
    return urlsplit(url).netloc.lower()
