"""The maps read plainly: whole names (wrapped, never cut while they fit four lines), "!" marks
clear of the boxes and of each other, and every drawing in the one orientation."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from dataclasses import replace
from itertools import combinations, pairwise

import pytest

from macros.integrator_svg import badge_spots, edge_offsets, integrator_drawings, integrator_svg
from macros.layout import Box, Point, customer_map_layout
from macros.svg import customer_map_svg
from macros.view import CustomerMapView, Health, IntegratorMapView
from tests.macros.factories import integrator_map, relationship, team

SVG = "{http://www.w3.org/2000/svg}"
LONG = "Payroll journal reconciliation and year-end audit support"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _map_with_long_names() -> CustomerMapView:
    rng = random.Random(3)
    centre = team("PAY", "Payroll")
    suppliers = (relationship("s1", team("PJR", LONG), centre, rng, 1),)
    customers = (relationship("c1", centre, team("HR", "People"), rng, 2),)
    return CustomerMapView(centre, suppliers, customers)


def test_a_long_neighbour_name_wraps_whole_in_its_box() -> None:
    view = _map_with_long_names()
    texts = _texts(customer_map_svg(view))
    assert not any("…" in t for t in texts), texts
    layout = customer_map_layout(view)
    (supplier,) = [e for e in layout.edges if e.side == "supplier"]
    (customer,) = [e for e in layout.edges if e.side == "customer"]
    assert " ".join(supplier.names) == LONG  # every word, in order, over several lines
    assert all(line in texts for line in supplier.names)
    assert len(supplier.names) == 4 and len(customer.names) == 1
    assert supplier.node.h > customer.node.h  # the box grew for its lines
    assert supplier.label.y > supplier.node.y + 4 * 18  # the label under the last line


def test_too_few_ratings_wraps_the_label_in_the_box_rather_than_cutting_it() -> None:
    view = _map_with_long_names()
    (rel,) = view.customers
    waiting = replace(rel, health=Health.of(0.9, 2))
    view = replace(view, customers=(waiting,))
    layout = customer_map_layout(view)
    (edge,) = [e for e in layout.edges if e.side == "customer"]
    assert " ".join(edge.labels).startswith("No score yet · 2 of 3 ratings so far")
    assert len(edge.labels) == 2
    assert edge.node.y <= edge.label.y and edge.label.bottom <= edge.node.bottom


def test_integrator_names_wrap_whole_and_every_box_grows_to_hold_them() -> None:
    view = integrator_map(20, 2)
    name = "Payroll journal reconciliation team"  # four lines in the narrowest box
    teams = [replace(t, name=name) if t.key == "T003" else t for t in view.teams]
    rels = [
        replace(
            r,
            supplier=teams[3] if r.supplier.key == "T003" else r.supplier,
            customer=teams[3] if r.customer.key == "T003" else r.customer,
        )
        for r in view.relationships
    ]
    view = IntegratorMapView(teams, rels)
    for drawing in integrator_drawings(view):
        texts = _texts(integrator_svg(view, [], layout=drawing.layout))
        assert not any("…" in t for t in texts), texts
        assert "reconciliation" in "".join(texts).replace("-", "")
        heights = {box.h for box in drawing.layout.nodes.values()}
        assert len(heights) == 1  # one height for all, tall enough for the longest name


def _clear_of(centre: tuple[float, float], box: Box) -> bool:
    x, y = centre
    return not Box(x - 8, y - 8, 16, 16).overlaps(box)


def test_marks_on_hot_edges_overlap_no_box_and_no_other_mark() -> None:
    view = integrator_map(40, 3)
    for drawing in integrator_drawings(view):
        layout = drawing.layout
        hot = {r.id for r in view.relationships}  # every edge marked: the worst case
        spots = badge_spots(layout, hot, edge_offsets(view, layout))
        placed = [(p.x, p.y) for p in spots.values()]
        assert len(placed) == len(hot)
        boxes = list(layout.nodes.values())
        on_a_box = [p for p in placed if not all(_clear_of(p, b) for b in boxes)]
        assert len(on_a_box) <= len(placed) // 20, on_a_box  # only where no clear stop exists
        touching = [
            (a, b)
            for a, b in combinations(placed, 2)
            if (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 < 16**2
        ]
        assert len(touching) <= len(placed) // 20, touching


def test_a_few_marks_are_all_clear() -> None:
    view = integrator_map(20, 2)
    (drawing,) = integrator_drawings(view, static=True)
    hot = {r.id for r in view.relationships[:8]}
    spots = badge_spots(drawing.layout, hot, edge_offsets(view, drawing.layout))
    placed = [(p.x, p.y) for p in spots.values()]
    for p in placed:
        assert all(_clear_of(p, b) for b in drawing.layout.nodes.values())
    for a, b in combinations(placed, 2):
        assert (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 >= 16**2


def test_suppliers_come_first_in_every_drawing() -> None:
    """Left to right, or top to bottom where a page is too narrow: never the other way round."""
    view = integrator_map(30, 2)
    for drawing in integrator_drawings(view):
        layout = drawing.layout
        forward = [r for r in layout.routes if not r.reversed and len(r.points) > 1]
        along = (lambda p: p.x) if layout.direction == "lr" else (lambda p: p.y)
        assert all(along(r.points[0]) < along(r.points[-1]) for r in forward)


def _crosses(a: Point, b: Point, box: Box) -> bool:
    """Whether the segment a-b passes through `box` (Liang-Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = b.x - a.x, b.y - a.y
    for p, q in (
        (-dx, a.x - box.x),
        (dx, box.right - a.x),
        (-dy, a.y - box.y),
        (dy, box.bottom - a.y),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
    return t0 < t1


CLEARANCE = 8.0  # px between a long edge and the teams it passes: past the ring of a marked team


def _too_close(a: Point, b: Point, box: Box) -> bool:
    """A long edge's stretch through a layer (straight along it) keeps its distance from the
    teams beside it; a stretch between two layers must not pass through a box (it may start
    or end beside one's corner)."""
    if a.x == b.x or a.y == b.y:
        c = CLEARANCE
        return _crosses(a, b, Box(box.x - c, box.y - c, box.w + 2 * c, box.h + 2 * c))
    return _crosses(a, b, Box(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1))


@pytest.mark.parametrize(("teams", "per_team"), [(8, 2), (20, 2), (50, 2), (100, 3)])
def test_edges_keep_clear_of_the_teams_they_do_not_join(teams: int, per_team: int) -> None:
    view = integrator_map(teams, per_team)
    rels = {r.id: r for r in view.relationships}
    for drawing in integrator_drawings(view):
        layout = drawing.layout
        near = []
        for route in layout.routes:
            rel = rels[route.rel_id]
            ends = {rel.supplier.key, rel.customer.key}
            for a, b in pairwise(route.points):
                for key, box in layout.nodes.items():
                    if key not in ends and _too_close(a, b, box):
                        near.append((route.rel_id, key))
        assert near == [], (drawing.fit, near[:5])
