"""Layered (Sugiyama-style) layout of the integrator map: suppliers to the left of their customers.

Steps: break cycles by reversing the edges that go against a least-squares hierarchy rank, layer by
longest path (networkx topological generations), pull sources next to their first customer, add
dummy nodes on long edges, then order each layer by barycenter sweeps and keep the ordering with the
fewest crossings. Everything is deterministic: the same graph gives the same coordinates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

from macros.layout import Box, Point

MARGIN = 16.0
NODE_W = 190.0
NODE_H = 40.0
NODE_GAP = 12.0
DUMMY_H = 10.0
LAYER_GAP = 120.0
TOP = 16.0
RANK_ITERATIONS = 30


@dataclass(frozen=True, slots=True)
class Route:
    """The polyline of one relationship, from its supplier to its customer."""

    rel_id: str
    points: tuple[Point, ...]
    reversed: bool


@dataclass(frozen=True, slots=True)
class LayeredLayout:
    width: float
    height: float
    nodes: dict[str, Box]
    routes: tuple[Route, ...]
    layers: tuple[tuple[int, ...], ...]
    crossings: int


def hierarchy_ranks(
    nodes: Sequence[str], edges: set[tuple[str, str]], iterations: int = RANK_ITERATIONS
) -> dict[str, float]:
    """A rank per node such that a supplier sits about one step before each customer.

    Least squares over the edges (as in SpringRank), solved by Gauss-Seidel sweeps. Unlike a DFS
    or a greedy order it is robust to the few edges pointing "backwards" in a real organisation,
    so those are the ones reversed, and the layers stay few.
    """
    succ: dict[str, list[str]] = defaultdict(list)
    pred: dict[str, list[str]] = defaultdict(list)
    for u, v in sorted(edges):
        succ[u].append(v)
        pred[v].append(u)
    rank = dict.fromkeys(nodes, 0.0)
    for _ in range(iterations):
        for node in nodes:
            degree = len(succ[node]) + len(pred[node])
            if degree:
                pulled = sum(rank[u] + 1 for u in pred[node]) + sum(rank[w] - 1 for w in succ[node])
                rank[node] = pulled / degree
    return rank


def break_cycles(nodes: Sequence[str], edges: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The edges to reverse so the graph becomes acyclic: those against the hierarchy ranks."""
    rank = hierarchy_ranks(nodes, edges)
    return {(u, v) for u, v in edges if (rank[u], u) > (rank[v], v)}


def assign_layers(nodes: Sequence[str], dag_edges: set[tuple[str, str]]) -> dict[str, int]:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(sorted(dag_edges))
    layer: dict[str, int] = {}
    for depth, generation in enumerate(nx.topological_generations(graph)):
        for node in generation:
            layer[str(node)] = depth
    # A source sits best just before its nearest customer, not in the first column.
    for node in nodes:
        if graph.in_degree(node) == 0 and graph.out_degree(node) > 0:
            layer[node] = min(layer[str(s)] for s in graph.successors(node)) - 1
    return layer


def _inversions(seq: list[int], size: int) -> int:
    tree = [0] * (size + 1)
    count = 0
    for seen, value in enumerate(seq):
        i = value + 1
        above = 0
        while i > 0:
            above += tree[i]
            i -= i & -i
        count += seen - above
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count


def count_crossings(layers: Sequence[Sequence[int]], down: dict[int, list[int]]) -> int:
    """Edge crossings between adjacent layers, O(E log V) by counting inversions."""
    total = 0
    for upper, lower in pairwise(layers):
        pos = {node: i for i, node in enumerate(lower)}
        targets = [
            pos[t] for node in upper for t in sorted(down.get(node, ()), key=pos.__getitem__)
        ]
        total += _inversions(targets, len(lower))
    return total


def _sweep(layers: list[list[int]], neighbours: dict[int, list[int]], order: range) -> None:
    for i in order:
        fixed = layers[i - 1] if order.step > 0 else layers[i + 1]
        pos = {node: p for p, node in enumerate(fixed)}
        scale = len(fixed) / max(len(layers[i]), 1)

        def key(item: tuple[int, int], pos: dict[int, int] = pos, scale: float = scale) -> float:
            here, node = item
            near = [pos[n] for n in neighbours.get(node, ()) if n in pos]
            return sum(near) / len(near) if near else here * scale

        layers[i] = [node for _, node in sorted(enumerate(layers[i]), key=key)]


def order_layers(
    layers: list[list[int]], down: dict[int, list[int]], up: dict[int, list[int]], sweeps: int
) -> tuple[list[list[int]], int]:
    best = [list(layer) for layer in layers]
    best_crossings = count_crossings(best, down)
    for _ in range(sweeps):
        _sweep(layers, up, range(1, len(layers)))
        _sweep(layers, down, range(len(layers) - 2, -1, -1))
        crossings = count_crossings(layers, down)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
        if best_crossings == 0:
            break
    return best, best_crossings


@dataclass
class _Graph:
    names: list[str]
    layer_of: list[int]
    down: dict[int, list[int]]
    up: dict[int, list[int]]
    chains: dict[tuple[str, str], list[int]]


def _build(nodes: list[str], dag: set[tuple[str, str]], layer: dict[str, int]) -> _Graph:
    index = {name: i for i, name in enumerate(nodes)}
    g = _Graph(list(nodes), [layer[n] for n in nodes], defaultdict(list), defaultdict(list), {})
    for u, v in sorted(dag):
        chain = [index[u]]
        for depth in range(layer[u] + 1, layer[v]):
            g.names.append("")
            g.layer_of.append(depth)
            chain.append(len(g.names) - 1)
        chain.append(index[v])
        for a, b in pairwise(chain):
            g.down[a].append(b)
            g.up[b].append(a)
        g.chains[(u, v)] = chain
    return g


def layered_layout(
    team_keys: Sequence[str], edges: Sequence[tuple[str, str, str]], *, sweeps: int = 6
) -> LayeredLayout:
    """Lay out teams and (relationship id, supplier key, customer key) edges left to right."""
    nodes = sorted(set(team_keys) | {k for _, s, c in edges for k in (s, c)})
    pairs = {(s, c) for _, s, c in edges if s != c}
    back = break_cycles(nodes, pairs)
    dag = {(c, s) if (s, c) in back else (s, c) for s, c in pairs}
    layer = assign_layers(nodes, dag)
    low = min(layer.values(), default=0)
    layer = {n: d - low for n, d in layer.items()}
    g = _build(nodes, dag, layer)
    initial: list[list[int]] = [[] for _ in range(max(g.layer_of, default=-1) + 1)]
    for node, depth in enumerate(g.layer_of):
        initial[depth].append(node)
    ordered, crossings = order_layers(initial, g.down, g.up, sweeps)
    centres, boxes = _place(ordered, g)
    routes = _routes(edges, g, back, centres, boxes)
    width = MARGIN * 2 + len(ordered) * NODE_W + max(len(ordered) - 1, 0) * LAYER_GAP
    height = TOP + max((_layer_height(layer, g) for layer in ordered), default=0.0) + MARGIN
    return LayeredLayout(
        width=max(width, NODE_W + 2 * MARGIN),
        height=height,
        nodes=boxes,
        routes=routes,
        layers=tuple(tuple(layer) for layer in ordered),
        crossings=crossings,
    )


def _place(ordered: list[list[int]], g: _Graph) -> tuple[dict[int, float], dict[str, Box]]:
    heights = [_layer_height(layer, g) for layer in ordered]
    tallest = max(heights, default=0.0)
    centres: dict[int, float] = {}
    boxes: dict[str, Box] = {}
    for depth, layer in enumerate(ordered):
        x = MARGIN + depth * (NODE_W + LAYER_GAP)
        y = TOP + (tallest - heights[depth]) / 2
        for node in layer:
            h = DUMMY_H if g.names[node] == "" else NODE_H
            centres[node] = y + h / 2
            if g.names[node]:
                boxes[g.names[node]] = Box(x, y, NODE_W, NODE_H)
            y += h + NODE_GAP
    return centres, boxes


def _layer_height(layer: list[int], g: _Graph) -> float:
    return sum((DUMMY_H if g.names[n] == "" else NODE_H) + NODE_GAP for n in layer) - NODE_GAP


# Relationship id, points in layer order, reversed, first node, last node.
_RawRoute = tuple[str, list[Point], bool, str, str]


def _routes(
    edges: Sequence[tuple[str, str, str]],
    g: _Graph,
    back: set[tuple[str, str]],
    centres: dict[int, float],
    boxes: dict[str, Box],
) -> tuple[Route, ...]:
    raw: list[_RawRoute] = []
    loops = []
    for rel_id, s, c in sorted(edges, key=lambda e: (e[1], e[2], e[0])):
        if s == c:
            box = boxes[s]
            loop = (Point(box.right, box.cy), Point(box.right + 20, box.bottom + 10))
            loops.append(Route(rel_id, (*loop, Point(box.cx, box.bottom)), False))
            continue
        rev = (s, c) in back
        chain = g.chains[(c, s) if rev else (s, c)]
        first, last = g.names[chain[0]], g.names[chain[-1]]
        points = [Point(boxes[first].right, centres[chain[0]])]
        for node in chain[1:-1]:
            x = MARGIN + g.layer_of[node] * (NODE_W + LAYER_GAP)
            points += [Point(x, centres[node]), Point(x + NODE_W, centres[node])]
        points.append(Point(boxes[last].x, centres[chain[-1]]))
        raw.append((rel_id, points, rev, first, last))
    _spread_ports(raw, boxes)
    routes = [
        Route(rel_id, tuple(reversed(points)) if rev else tuple(points), rev)
        for rel_id, points, rev, _, _ in raw
    ]
    return tuple(routes + loops)


def _spread_ports(raw: list[_RawRoute], boxes: dict[str, Box]) -> None:
    """Spread the edges' ends along each node's side, in the order of where they come from."""
    ends: dict[tuple[str, bool], list[tuple[float, int, int]]] = defaultdict(list)
    for i, (_, points, _, first, last) in enumerate(raw):
        ends[(first, True)].append((points[1].y, i, 0))
        ends[(last, False)].append((points[-2].y, i, len(points) - 1))
    for (name, _), side in ends.items():
        box = boxes[name]
        side.sort()
        for k, (_, i, j) in enumerate(side):
            points = raw[i][1]
            points[j] = Point(points[j].x, box.y + (k + 1) * box.h / (len(side) + 1))
