"""Integrator layout: cycles broken, suppliers before customers, fewer crossings than naive."""

from __future__ import annotations

from itertools import combinations

from macros.layered import break_cycles, count_crossings, layered_layout
from tests.macros.factories import integrator_map


def _edges(pairs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    return [(f"r{i}", s, c) for i, (s, c) in enumerate(pairs)]


def test_crossing_count_of_a_known_order() -> None:
    # Upper layer 0,1,2 and lower 3,4,5 wired in reverse: every pair of edges crosses.
    down = {0: [5], 1: [4], 2: [3]}
    assert count_crossings([[0, 1, 2], [3, 4, 5]], down) == 3
    assert count_crossings([[0, 1, 2], [5, 4, 3]], down) == 0


def test_sweeps_remove_the_crossings_of_a_reversed_matching() -> None:
    suppliers = [f"A{i}" for i in range(6)]
    customers = [f"B{i}" for i in range(6)]
    edges = _edges([(f"A{i}", f"B{5 - i}") for i in range(6)])
    naive = layered_layout(suppliers + customers, edges, sweeps=0)
    laid = layered_layout(suppliers + customers, edges)
    assert naive.crossings == 15
    assert laid.crossings == 0


def test_layout_has_far_fewer_crossings_than_naive_order_on_an_organisation() -> None:
    view = integrator_map(50)
    edges = [(r.id, r.supplier.key, r.customer.key) for r in view.relationships]
    keys = [t.key for t in view.teams]
    naive = layered_layout(keys, edges, sweeps=0).crossings
    laid = layered_layout(keys, edges).crossings
    assert laid < naive * 0.7, (laid, naive)


def test_cycle_is_broken_by_reversing_one_edge() -> None:
    back = break_cycles(["A", "B", "C"], {("A", "B"), ("B", "C"), ("C", "A")})
    assert len(back) == 1
    layout = layered_layout(["A", "B", "C"], _edges([("A", "B"), ("B", "C"), ("C", "A")]))
    assert sorted(layout.nodes) == ["A", "B", "C"]
    assert sum(r.reversed for r in layout.routes) == 1


def test_suppliers_are_left_of_customers_except_reversed_edges() -> None:
    view = integrator_map(100)
    layout = layered_layout(
        [t.key for t in view.teams],
        [(r.id, r.supplier.key, r.customer.key) for r in view.relationships],
    )
    rels = {r.id: r for r in view.relationships}
    reversed_count = 0
    for route in layout.routes:
        rel = rels[route.rel_id]
        supplier, customer = layout.nodes[rel.supplier.key], layout.nodes[rel.customer.key]
        if route.reversed:
            reversed_count += 1
            assert customer.right <= supplier.x
        else:
            assert supplier.right <= customer.x
    assert reversed_count < len(layout.routes) * 0.1
    assert len(layout.layers) <= 10


def test_two_hundred_teams_do_not_overlap() -> None:
    view = integrator_map(200)
    layout = layered_layout(
        [t.key for t in view.teams],
        [(r.id, r.supplier.key, r.customer.key) for r in view.relationships],
    )
    boxes = list(layout.nodes.values())
    assert len(boxes) == 200
    assert not any(a.overlaps(b) for a, b in combinations(boxes, 2))
    assert all(b.x >= 0 and b.right <= layout.width and b.bottom <= layout.height for b in boxes)


def test_layout_is_deterministic() -> None:
    view = integrator_map(50)
    edges = [(r.id, r.supplier.key, r.customer.key) for r in view.relationships]
    keys = [t.key for t in view.teams]
    assert layered_layout(keys, edges) == layered_layout(list(reversed(keys)), edges[::-1])
