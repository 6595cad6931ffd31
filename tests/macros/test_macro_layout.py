"""Customer map geometry: sides, no overlaps, growth with the number of neighbours, and a width
that an A4 page and a 760 px Confluence page show at full size."""

from __future__ import annotations

from itertools import combinations

import pytest

from macros.integrator_svg import NARROW
from macros.layout import Box, Sides, customer_map_layout
from tests.macros.factories import team_map


def _boxes(neighbours: int, expectations: int, show: bool) -> tuple[list[Box], Box, float]:
    layout = customer_map_layout(team_map(neighbours, expectations), show_expectations=show)
    boxes = [e.node for e in layout.edges] + [layout.team]
    return boxes, layout.team, layout.height


def test_suppliers_left_of_team_and_customers_right() -> None:
    layout = customer_map_layout(team_map(10, 30))
    sides = {e.side for e in layout.edges}
    assert sides == {"supplier", "customer"}
    for edge in layout.edges:
        if edge.side == "supplier":
            assert edge.node.right < layout.team.x
            assert edge.start.x == edge.node.right and edge.end.x == layout.team.x
        else:
            assert edge.node.x > layout.team.right
            assert edge.start.x == layout.team.right and edge.end.x == edge.node.x


def test_sixty_neighbours_with_expectations_do_not_overlap() -> None:
    boxes, _, _ = _boxes(60, 600, show=True)
    assert len(boxes) == 61
    overlapping = [(a, b) for a, b in combinations(boxes, 2) if a.overlaps(b)]
    assert overlapping == []


def _inside(inner: Box, outer: Box) -> bool:
    return (
        outer.x <= inner.x
        and inner.right <= outer.right
        and outer.y <= inner.y
        and inner.bottom <= outer.bottom
    )


def test_each_edge_label_is_written_on_its_own_neighbour_only() -> None:
    layout = customer_map_layout(team_map(60, 600), show_expectations=True)
    for edge in layout.edges:
        assert _inside(edge.label, edge.node)
        others = [e.node for e in layout.edges if e is not edge] + [layout.team]
        assert not any(edge.label.overlaps(box) for box in others)


@pytest.mark.parametrize("sides", ["both", "suppliers", "customers"])
@pytest.mark.parametrize("show", [True, False])
def test_the_picture_fits_a_narrow_page_at_full_size(sides: Sides, show: bool) -> None:
    layout = customer_map_layout(team_map(60, 600), sides=sides, show_expectations=show)
    assert layout.width <= NARROW


def test_every_box_inside_the_picture() -> None:
    layout = customer_map_layout(team_map(60, 600), show_expectations=True)
    for edge in layout.edges:
        for box in (edge.node, edge.label):
            assert box.x >= 0 and box.right <= layout.width
            assert box.y >= 0 and box.bottom <= layout.height


def test_picture_grows_downwards_with_neighbours_and_expectations() -> None:
    _, _, small = _boxes(4, 8, show=False)
    _, _, large = _boxes(60, 0, show=False)
    _, _, listed = _boxes(60, 600, show=True)
    assert small < large < listed
    assert large >= 30 * 52  # thirty nodes a side, each at least a node high


def test_sides_option_keeps_one_column() -> None:
    view = team_map(10, 0)
    only_suppliers = customer_map_layout(view, sides="suppliers")
    only_customers = customer_map_layout(view, sides="customers")
    assert {e.side for e in only_suppliers.edges} == {"supplier"}
    assert {e.side for e in only_customers.edges} == {"customer"}
    assert only_suppliers.customer_heading is None and only_customers.supplier_heading is None
    assert only_customers.team.x < customer_map_layout(view).team.x


def test_box_overlap_detects_overlap() -> None:
    assert Box(0, 0, 10, 10).overlaps(Box(5, 5, 10, 10))
    assert not Box(0, 0, 10, 10).overlaps(Box(10, 0, 10, 10))
