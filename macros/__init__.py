"""Confluence macros, whichever platform shows them: the customer map, the integrator map and the
expectations table, as SVG plus accessible tables, with the caches that keep them cheap.

`view` holds plain view dataclasses, `data` builds them from a site's rows, the rendering modules
turn them into HTML strings, and `fragments` puts it together; the routes that authenticate live
in the platform adapters (`connector.platforms`), which pass in what the site's installations say.
"""

from __future__ import annotations

from flask import Flask

from macros import fragments


def init_app(app: Flask) -> None:
    fragments.init_app(app)
