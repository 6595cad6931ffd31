"""The three macros as HTML fragments: picture, legend and table together.

Pure functions: the same view and options give byte-identical output, so a route can cache the
result under `macros.cache.cache_key` and wrap it with `macros.html.page`.
"""

from __future__ import annotations

from macros.html import hot_spot_list, legend
from macros.integrator_svg import integrator_svg
from macros.layout import Sides, customer_map_layout
from macros.markup import dom_id, esc
from macros.svg import customer_map_svg
from macros.tables import customer_map_table, expectations_table, integrator_table
from macros.view import CustomerMapView, IntegratorMapView, hot_spots

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


def render_customer_map(
    view: CustomerMapView, *, sides: Sides = "both", show_expectations: bool = False
) -> str:
    prefix = dom_id("icm-map", view.team.key)
    layout = customer_map_layout(view, sides=sides, show_expectations=show_expectations)
    svg = customer_map_svg(view, id_prefix=prefix, layout=layout)
    rows = [(edge.side, edge.rel) for edge in layout.edges]
    table = customer_map_table(view, rows, show_expectations=show_expectations)
    return (
        f'<section class="customer-map" aria-labelledby="{prefix}-heading">'
        f'<h2 id="{prefix}-heading">Customer map: {esc(view.team.name)}</h2>{legend()}'
        f'<div class="figure">{svg}</div>{table}</section>'
    )


def render_integrator_map(view: IntegratorMapView) -> str:
    spots = hot_spots(view)
    svg = integrator_svg(view, spots)
    return (
        '<section class="integrator-map" aria-labelledby="icm-integrator-heading">'
        '<h2 id="icm-integrator-heading">Integrator map</h2>'
        f"{hot_spot_list(spots)}{legend()}"
        '<div class="figure figure-wide" role="region" aria-label="Integrator map picture" '
        f'tabindex="0">{svg}</div>{integrator_table(view, spots)}</section>'
    )


def render_expectations(view: CustomerMapView) -> str:
    prefix = dom_id("icm-expectations", view.team.key)
    return (
        f'<section class="expectations" aria-labelledby="{prefix}-heading">'
        f'<h2 id="{prefix}-heading">Expectations: {esc(view.team.name)}</h2>{legend()}'
        f"{expectations_table(view)}</section>"
    )
