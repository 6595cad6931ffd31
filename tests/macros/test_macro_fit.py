"""Maps that fit the page: pictures that scale to their frame, a layout chosen so that labels stay
readable at the size a 760 px or 1,264 px frame (or an A4 page) shows them, and a full-size view
for very large organisations. The browser test (tests/browser/test_macros_fit.py) measures it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import combinations

import pytest

from macros.integrator_svg import NARROW, OVERVIEW_TEAMS, WIDE, integrator_drawings
from macros.layered import SPACINGS, layered_layout, row_capacity
from macros.render import render_customer_map, render_expectations, render_integrator_map
from macros.style import CSS
from macros.view import IntegratorMapView, RelationshipView
from tests.macros.factories import integrator_map, team, team_map

SVG = "{http://www.w3.org/2000/svg}"
# The smallest label the pictures draw, in their own units: a frame at least as wide as the
# drawing's budget shows it at full size (the picture is never blown up), so at ≥ 11 px.
MIN_FONT = 12.0


def _star(n: int) -> IntegratorMapView:
    """One supplier of everyone else: two layers, n - 1 customers in one of them."""
    teams = [team(f"S{i:02d}", f"Shared service {i:02d}") for i in range(n)]
    rels = [RelationshipView(f"r{i}", teams[0], teams[i], "hosting") for i in range(1, n)]
    return IntegratorMapView(teams, rels)


def _chain(n: int) -> IntegratorMapView:
    """Each team supplies the next: n layers of one team."""
    teams = [team(f"C{i:02d}", f"Chain link {i:02d}") for i in range(n)]
    rels = [RelationshipView(f"r{i}", teams[i], teams[i + 1], "parts") for i in range(n - 1)]
    return IntegratorMapView(teams, rels)


def _deep_and_wide(n: int) -> IntegratorMapView:
    """Four tiers, every team supplying two of the next tier: neither direction fits as is."""
    teams = [team(f"W{i:02d}", f"Operations team {i:02d}") for i in range(n)]
    tiers = [teams[i::4] for i in range(4)]
    rels = []
    for depth in range(3):
        for i, supplier in enumerate(tiers[depth]):
            below = tiers[depth + 1]
            for customer in (below[i % len(below)], below[(i + 1) % len(below)]):
                rels.append(RelationshipView(f"r{len(rels)}", supplier, customer, "work"))
    return IntegratorMapView(teams, rels)


ORGANISATIONS = {
    **{f"tiers-{n}": integrator_map(n, 3, seed=n) for n in (9, 12, 16)},
    "tiers-20": integrator_map(20),  # five relationships a team
    "star-20": _star(20),
    "chain-20": _chain(20),
    "deep-and-wide-20": _deep_and_wide(20),
}


def _font_sizes(svg: str) -> list[float]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return [float(t.get("font-size", "0")) for t in root.iter(f"{SVG}text")]


def _svgs(html: str) -> list[str]:
    return re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink=.*?</svg>', html)


def test_pictures_scale_to_their_frame_and_are_never_blown_up() -> None:
    html = render_customer_map(team_map(6, 12)) + render_integrator_map(integrator_map(20))
    for svg in _svgs(html):
        width = re.search(r'viewBox="0 0 ([0-9.]+) [0-9.]+"', svg)
        assert width is not None
        assert ' width="100%"' in svg and " height=" not in svg.split(">", 1)[0]
        assert f"max-width:{width.group(1)}px" in svg
    assert "max-width:none" not in CSS  # the rule that let the integrator map overflow is gone
    assert ".icm svg{display:block;max-width:100%;height:auto" in CSS


@pytest.mark.parametrize("name", sorted(ORGANISATIONS))
def test_up_to_20_teams_fit_a_narrow_and_a_wide_frame_at_full_size(name: str) -> None:
    view = ORGANISATIONS[name]
    drawings = integrator_drawings(view)
    assert 1 <= len(drawings) <= 2
    for drawing in drawings:
        layout = drawing.layout
        assert layout.width <= drawing.budget, (name, drawing.fit, layout.width)
        boxes = list(layout.nodes.values())
        assert not any(a.overlaps(b) for a, b in combinations(boxes, 2))
        assert all(b.x >= 0 and b.right <= layout.width for b in boxes)
        assert all(b.y >= 0 and b.bottom <= layout.height for b in boxes)
    assert drawings[0].budget == NARROW
    if len(drawings) == 2:
        assert (drawings[0].fit, drawings[1].fit, drawings[1].budget) == ("narrow", "wide", WIDE)
    html = render_integrator_map(view)
    assert "zoom-toggle" not in html  # nothing to zoom: every label is readable as drawn
    assert min(size for svg in _svgs(html) for size in _font_sizes(svg)) >= MIN_FONT


def test_a_wide_frame_gets_layers_left_to_right_and_a_narrow_one_top_to_bottom() -> None:
    view = _chain(5)  # five layers: 1,172 px across, too wide for 700 px
    narrow, wide = integrator_drawings(view)
    assert (narrow.layout.direction, wide.layout.direction) == ("tb", "lr")
    ys = [narrow.layout.nodes[f"C{i:02d}"].y for i in range(5)]
    assert ys == sorted(ys) and len(set(ys)) == 5  # each supplier above its customer
    html = render_integrator_map(view)
    assert html.count('class="figure only-narrow"') == html.count('class="figure only-wide"') == 1
    assert "suppliers above their customers" in html and "to the left of their customers" in html
    assert "@media (min-width:1232px){\n.icm .only-wide{display:block}" in CSS


def test_a_small_organisation_is_drawn_once_for_every_width() -> None:
    view = _chain(3)
    [drawing] = integrator_drawings(view)
    assert (drawing.fit, drawing.layout.direction) == ("any", "lr")
    assert "only-wide" not in render_integrator_map(view)


def test_a_full_layer_is_split_into_rows_that_fit() -> None:
    view = _star(20)
    keys = [t.key for t in view.teams]
    edges = [(r.id, r.supplier.key, r.customer.key) for r in view.relationships]
    laid = layered_layout(keys, edges, direction="tb", max_width=NARROW)
    per_row = row_capacity(NARROW, SPACINGS["tb"])
    rows: dict[float, int] = {}
    for box in laid.nodes.values():
        rows[box.y] = rows.get(box.y, 0) + 1
    assert max(rows.values()) <= per_row
    assert len(rows) == 1 + -(-19 // per_row)  # the supplier's row, then the customers'
    supplier = laid.nodes["S00"]
    assert all(supplier.bottom < box.y for key, box in laid.nodes.items() if key != "S00")


def test_a_very_large_organisation_is_an_overview_with_a_full_size_view() -> None:
    view = integrator_map(OVERVIEW_TEAMS + 40)
    [drawing] = integrator_drawings(view)
    assert drawing.fit == "any" and drawing.oversized
    html = render_integrator_map(view)
    assert html.count('type="checkbox" class="zoom-toggle"') == 1
    assert '<div class="figure-scroll" role="region"' in html
    assert ".icm .zoom-toggle:checked~.figure-scroll svg.map{width:var(--icm-full)}" in CSS
    static = render_integrator_map(view, static=True)
    assert "zoom-toggle" not in static and "figure-scroll" not in static


def test_the_static_rendering_is_one_picture_for_an_a4_page() -> None:
    view = _chain(5)
    static = render_integrator_map(view, static=True)
    [svg] = _svgs(static)
    width = re.search(r'viewBox="0 0 ([0-9.]+) ', svg)
    assert width is not None and float(width.group(1)) <= NARROW
    assert "only-wide" not in static and "only-narrow" not in static
    customer = render_customer_map(team_map(60, 600), show_expectations=True, static=True)
    [svg] = _svgs(customer)
    width = re.search(r'viewBox="0 0 ([0-9.]+) ', svg)
    assert width is not None and float(width.group(1)) <= NARROW


def test_long_names_are_wrapped_or_cut_inside_their_boxes() -> None:
    long = team("LONG", "Customer Support Operations and Escalation Management Worldwide")
    view = IntegratorMapView(
        [long, team("A", "A")], [RelationshipView("r1", long, team("A", "A"), "x")]
    )
    svg = _svgs(render_integrator_map(view))[0]
    texts = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]  # noqa: S314
    assert any(t.endswith("…") for t in texts)
    assert all(len(t) <= 22 for t in texts)


def test_tables_have_few_columns_and_breakable_text() -> None:
    html = render_expectations(team_map(4, 8)) + render_integrator_map(integrator_map(9, 3))
    html += render_customer_map(team_map(4, 8))
    for head in re.findall(r"<thead><tr>(.*?)</tr></thead>", html):
        assert head.count("<th") <= 8
    assert "Expec\u00adtations" in html and "Relation\u00adship" in html
    assert ".icm .free{overflow-wrap:anywhere}" in CSS
    assert '<div class="free">' in html
    assert '<th scope="rowgroup" colspan="7">Suppliers (2)</th>' in html
