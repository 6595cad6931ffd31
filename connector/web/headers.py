"""Headers on every answer: no caching and no Referer (pages are loaded with `?jwt=` and show a
site's data), no Content-Type on a 204 (it has no content), and for pages the product frames,
`frame-ancestors` limited to that site's origins (its base URL and display URL, which the platform
that authenticated the request names)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g

from connector.web.caller import current_caller


def allow_framing_by(*urls: str | None) -> None:
    """The site's own origins: the only pages that may frame this answer."""
    g.icm_frame_origins = [url for url in urls if url]


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _frame_ancestors() -> str:
    urls: list[str] = list(g.get("icm_frame_origins") or [])
    if not urls and g.get("icm_caller") is not None:
        urls = [current_caller().base_url]
    origins = sorted({o for o in (origin(url) for url in urls) if o})
    return " ".join(origins) if origins else "'none'"


def _secure_headers(response: Response) -> Response:
    if response.status_code == 204:
        # No content, so no type: Werkzeug's default text/html would also ask for a CSP below.
        response.headers.pop("Content-Type", None)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = f"frame-ancestors {_frame_ancestors()}"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_secure_headers)
