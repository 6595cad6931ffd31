"""How the site shows Confluence pages (their stylesheet, print included: a page printed to PDF by
the browser is how the sandbox stands in for Confluence's PDF export), and the scope a Forge app
needs to write pages."""

from __future__ import annotations

from flask import Blueprint, Response, g

from sandbox.errors import ConfluenceError
from sandbox.forge import forge_site
from sandbox.server import site

blueprint = Blueprint("confluence_site", __name__)

# How the site shows a page: readable on screen, and on A4 paper without clipping.
PAGE_CSS = """
.wiki-content{font:15px/1.5 system-ui,sans-serif}
.wiki-content table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;table-layout:auto}
.wiki-content th,.wiki-content td{border:1px solid #c1c7d0;padding:4px 6px;text-align:left;
 vertical-align:top;overflow-wrap:anywhere}
.wiki-content th{background:rgba(9,30,66,.06)}
.wiki-content td>p,.wiki-content th>p{margin:0}
.wiki-content .status{display:inline-block;padding:0 4px;border-radius:3px;font-size:12px;
 font-weight:700;text-transform:uppercase;border:1px solid currentColor}
.status-green{color:#216e4e}.status-red{color:#ae2a19}.status-yellow{color:#7f5f01}
.status-blue{color:#0055cc}.status-neutral{color:#44546f}.status-purple{color:#5e4db2}
.panel{border-left:4px solid #0c66e4;background:#e9f2ff;padding:4px 12px;margin:.5rem 0}
.panel-warning{border-color:#e2b203;background:#fff7d6}
.panel-error{border-color:#c9372c;background:#ffeceb}
.panel-success{border-color:#22a06b;background:#dcfff1}
.ap-iframe{max-width:100%}
@page{size:A4;margin:15mm}
@media print{body{margin:0}header{display:none}.wiki-content{max-width:none;font-size:11px}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 tr,li,.panel{break-inside:avoid}h2,h3{break-after:avoid}}
"""


@blueprint.get("/wiki/static/page.css")
def page_css() -> Response:
    return Response(PAGE_CSS, mimetype="text/css")


WRITE_SCOPE = "write:page:confluence"


def require_forge_scope(scope: str = WRITE_SCOPE) -> None:
    """A Forge app's page write needs the scope in its manifest, as Forge's gateway insists
    (a Connect app's scopes are its descriptor's `WRITE`, checked at install)."""
    if g.get("forge_token_kind") is None:
        return
    app = forge_site(site()).app("confluence")
    scopes = ((app.manifest.get("permissions") or {}).get("scopes") or []) if app else []
    if scope not in scopes:
        raise ConfluenceError(
            403, "FORBIDDEN", f"The app's manifest does not grant the scope {scope}"
        )
