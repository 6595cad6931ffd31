"""The three macros as HTML fragments: picture, legend and table together.

Pure functions: the same view and options give byte-identical output, so a route can cache the
result under `macros.cache.cache_key` and wrap it with `macros.html.page`. `static=True` is the
rendering for PDF and export (an A4 page, no script): one picture for that width, no buttons,
the sparklines' words printed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from macros.html import hot_spot_list, legend
from macros.integrator_svg import Drawing, integrator_drawings, integrator_svg
from macros.layout import Sides, customer_map_layout
from macros.markup import dom_id, esc
from macros.svg import customer_map_svg
from macros.tables import customer_map_table, expectations_table, integrator_table
from macros.view import CustomerMapView, HotSpot, IntegratorMapView, hot_spots

SIDES: tuple[Sides, ...] = ("both", "suppliers", "customers")
_TRUE = frozenset({"true", "1", "yes", "on"})


def parse_sides(value: str | None) -> Sides:
    """The macro's `sides` parameter; anything unknown shows both sides rather than failing."""
    cleaned = (value or "").strip().lower()
    for side in SIDES:
        if cleaned == side:
            return side
    return "both"


def parse_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def download_button(query: dict[str, str], filename: str) -> str:
    """A "Download CSV" button for the rows of `GET /api/v1/expectations.csv?query`.

    A plain button, the same for every viewer (the fragment is cached): it carries no link and no
    token. It stays hidden until the page's own script, which can ask the app for the file as
    this viewer, shows it (`macros.html.page` on Connect, the Custom UI on Forge)."""
    return (
        f'<div class="download" hidden><button type="button" class="download-csv" '
        f'data-icm-csv="{esc(urlencode(query))}" data-icm-csv-name="{esc(filename)}">'
        "Download CSV</button> "
        '<span class="download-status" role="status" aria-live="polite"></span></div>'
    )


def render_customer_map(
    view: CustomerMapView,
    *,
    sides: Sides = "both",
    show_expectations: bool = False,
    static: bool = False,
) -> str:
    prefix = dom_id("icm-map", view.team.key)
    layout = customer_map_layout(view, sides=sides, show_expectations=show_expectations)
    svg = customer_map_svg(view, id_prefix=prefix, layout=layout)
    rows = [(edge.side, edge.rel) for edge in layout.edges]
    table = customer_map_table(view, rows, show_expectations=show_expectations, static=static)
    return (
        f'<section class="customer-map" aria-labelledby="{prefix}-heading">'
        f'<h2 id="{prefix}-heading">Customer map: {esc(view.team.name)}</h2>{legend()}'
        f'<div class="figure">{svg}</div>{table}</section>'
    )


FIT_CLASSES = {"any": "", "narrow": " only-narrow", "wide": " only-wide"}


def _figure(view: IntegratorMapView, spots: list[HotSpot], drawing: Drawing, static: bool) -> str:
    """One drawing of the map; an oversized one (a very large organisation) is shown scaled to
    the frame, with a checkbox that shows it at full size, scrolled inside its own box."""
    prefix = "icm-integrator" + ("" if drawing.fit == "any" else f"-{drawing.fit}")
    svg = integrator_svg(view, spots, id_prefix=prefix, layout=drawing.layout)
    region = 'role="region" aria-label="Integrator map picture"'
    fit = FIT_CLASSES[drawing.fit]
    if not drawing.oversized or static:
        return f'<div class="figure{fit}" {region}>{svg}</div>'
    toggle = f"{prefix}-full-size"
    return (
        f'<div class="figure{fit} zoomable">'
        f'<input type="checkbox" class="zoom-toggle" id="{toggle}">'
        f'<label for="{toggle}">Show the picture at full size (it scrolls in its box)</label>'
        f'<div class="figure-scroll" {region} tabindex="0">{svg}</div></div>'
    )


NO_TEAMS = (
    "No teams are in the customer map yet. A Jira administrator opens a Jira project's"
    " Internal customers page (on Forge: Customer map) and chooses Set up your team, or imports"
    " a list of teams from a file there."
)


def render_integrator_map(view: IntegratorMapView, *, static: bool = False) -> str:
    if not view.teams:  # an empty site: say what to do next instead of an empty picture
        return (
            '<section class="integrator-map" aria-labelledby="icm-integrator-heading">'
            f'<h2 id="icm-integrator-heading">Integrator map</h2><p>{NO_TEAMS}</p></section>'
        )
    spots = hot_spots(view)
    figures = "".join(
        _figure(view, spots, drawing, static)
        for drawing in integrator_drawings(view, static=static)
    )
    download = "" if static else download_button({}, "all-expectations.csv")
    return (
        '<section class="integrator-map" aria-labelledby="icm-integrator-heading">'
        '<h2 id="icm-integrator-heading">Integrator map</h2>'
        f"{hot_spot_list(spots)}{legend()}{figures}{download}"
        f"{integrator_table(view, spots, static=static)}</section>"
    )


def render_expectations(view: CustomerMapView, *, side: str = "", static: bool = False) -> str:
    """`side`: the macro's filter ("supplier", "customer" or both), for the CSV's query."""
    prefix = dom_id("icm-expectations", view.team.key)
    query = {"team": view.team.key} | ({"side": side} if side else {})
    download = "" if static else download_button(query, f"{view.team.key}-expectations.csv")
    return (
        f'<section class="expectations" aria-labelledby="{prefix}-heading">'
        f'<h2 id="{prefix}-heading">Expectations: {esc(view.team.name)}</h2>{legend()}'
        f"{download}{expectations_table(view, static=static)}</section>"
    )
