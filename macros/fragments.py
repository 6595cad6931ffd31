"""The macros as HTML fragments, by kind: what the Connect routes and the Forge views both show.

One entry point, one per-process fragment cache: the same macro with the same parameters is
rendered once per site and data version (`macros.data_version`), whichever platform asks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from flask import Flask, current_app
from sqlalchemy.orm import Session

from connector.db import utcnow
from macros.cache import cache_key
from macros.data import UnknownTeam, customer_map_view, integrator_map_view
from macros.data_version import data_version
from macros.fragment_cache import FragmentCache
from macros.html import error_box, unknown_team_message
from macros.layout import Sides
from macros.links import JiraLinks
from macros.render import (
    parse_flag,
    parse_sides,
    render_customer_map,
    render_expectations,
    render_integrator_map,
)
from macros.view import CustomerMapView

Kind = Literal["customer-map", "expectations", "integrator-map"]
Outcome = Literal["hit", "miss", "message"]
TITLES: dict[Kind, str] = {
    "customer-map": "Customer map",
    "expectations": "Expectations",
    "integrator-map": "Integrator map",
}
CHOOSE_TEAM = "No team is chosen yet. Edit the macro and choose a team."
_CACHE = "icm.macro_cache"


@dataclass(frozen=True, slots=True)
class MacroParams:
    """A macro's parameters, read leniently: an unknown value shows the default, never fails."""

    team: str = ""  # as the page author typed it (the lookup ignores case)
    sides: Sides = "both"  # customer-map: which neighbours
    show_expectations: bool = False  # customer-map: list each relationship's expectations
    side: str = ""  # expectations: "supplier" (its customers'), "customer" (its own), "" both

    @classmethod
    def read(cls, params: Mapping[str, str]) -> MacroParams:
        side = params.get("side", "").strip().lower()
        return cls(
            team=params.get("team", "").strip(),
            sides=parse_sides(params.get("sides")),
            show_expectations=parse_flag(params.get("expectations")),
            side=side if side in ("supplier", "customer") else "",
        )

    def cache_params(self, kind: Kind) -> dict[str, str]:
        """Only what changes the rendering of `kind`, normalised, for its cache key."""
        if kind == "integrator-map":
            return {}
        if kind == "expectations":
            return {"team": self.team.upper(), "side": self.side}
        listed = "true" if self.show_expectations else "false"
        return {"team": self.team.upper(), "sides": self.sides, "expectations": listed}


@dataclass(frozen=True, slots=True)
class Fragment:
    title: str
    html: str
    outcome: Outcome  # from the cache, rendered now, or a message box (never cached)


@dataclass(frozen=True, slots=True)
class Rendering:
    """What a renderer reads: the site's rows through `session`, and how to show them."""

    session: Session
    site_id: str
    params: MacroParams
    links: JiraLinks
    now: datetime
    static: bool


Renderer = Callable[[Rendering], str]


def _customer_map(r: Rendering) -> str:
    view = customer_map_view(r.session, r.site_id, r.params.team, r.links, r.now)
    return render_customer_map(
        view,
        sides=r.params.sides,
        show_expectations=r.params.show_expectations,
        static=r.static,
    )


def _expectations(r: Rendering) -> str:
    view = customer_map_view(
        r.session, r.site_id, r.params.team, r.links, r.now, expectation_history=True
    )
    if r.params.side == "supplier":  # what its customers expect of the team
        view = CustomerMapView(view.team, suppliers=(), customers=view.customers)
    elif r.params.side == "customer":  # what the team expects of its suppliers
        view = CustomerMapView(view.team, suppliers=view.suppliers, customers=())
    return render_expectations(view, side=r.params.side, static=r.static)


def _integrator(r: Rendering) -> str:
    view = integrator_map_view(r.session, r.site_id, r.links, r.now)
    return render_integrator_map(view, static=r.static)


RENDERERS: dict[Kind, Renderer] = {
    "customer-map": _customer_map,
    "expectations": _expectations,
    "integrator-map": _integrator,
}


def render_fragment(
    kind: Kind,
    session: Session,
    site_id: str,
    params: Mapping[str, str],
    links: JiraLinks,
    now: datetime | None = None,
    *,
    static: bool = False,
) -> Fragment:
    """One macro of a site as an HTML fragment, from the cache while the site's data is unchanged.

    `params` are the macro's parameters (`team`, `sides`, `expectations`, `side`; others are
    ignored); `links` point into the site's Jira; `static` is the rendering for PDF and export
    (cached apart). A missing or unknown team is a message box for the reader, not an error.
    """
    options = MacroParams.read(params)
    if kind != "integrator-map" and not options.team:
        return Fragment(TITLES[kind], error_box(CHOOSE_TEAM), "message")
    title = f"{TITLES[kind]}: {options.team}" if kind != "integrator-map" else TITLES[kind]
    now = now or utcnow()
    cache = fragment_cache()
    version = data_version(session, site_id, now)
    shown_as = {"jira": links.base_url or "", "static": "true" if static else "false"}
    key = cache_key(kind, site_id, options.cache_params(kind) | shown_as, version)
    html = cache.get(key)
    if html is not None:
        return Fragment(title, html, "hit")
    try:
        html = RENDERERS[kind](Rendering(session, site_id, options, links, now, static))
    except UnknownTeam as unknown:
        return Fragment(title, error_box(unknown_team_message(unknown.key)), "message")
    cache.put(key, html)
    return Fragment(title, html, "miss")


def fragment_cache(app: Flask | None = None) -> FragmentCache:
    """The app's fragment cache (one per process)."""
    cache: FragmentCache = (app or current_app).extensions[_CACHE]
    return cache


def init_app(app: Flask) -> None:
    app.extensions[_CACHE] = FragmentCache(
        max_entries=int(app.config.get("MACRO_CACHE_ENTRIES", 256)),
        max_bytes=int(app.config.get("MACRO_CACHE_BYTES", 64 * 1024 * 1024)),
    )
