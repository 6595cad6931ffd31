"""Layered (Sugiyama-style) layout of the integrator map: suppliers before their customers, either
left to right (layers are columns) or top to bottom (layers are rows).

Steps: break cycles by reversing the edges that go against a least-squares hierarchy rank, layer by
longest path (networkx topological generations), pull sources next to their first customer; top to
bottom within a width, split a layer with more teams than a row holds into several rows; add dummy
nodes on long edges, then order each layer by barycenter sweeps and keep the ordering with the
fewest crossings. Everything is deterministic: the same graph gives the same coordinates."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal

import networkx as nx

from macros.layout import Box, Point

Direction = Literal["lr", "tb"]
MARGIN = 16.0
TOP = 16.0
RANK_ITERATIONS = 30


@dataclass(frozen=True, slots=True)
class Spacing:
    node_w: float
    node_h: float
    node_gap: float  # between two teams of a layer
    layer_gap: float  # between layers
    dummy: float  # a dummy node's extent along its layer (a long edge passing through)
    dummy_gap: float  # between two dummies: long edges pass a layer side by side, closely


# Left to right: columns of wide nodes; top to bottom: rows of narrower, taller nodes (two lines
# of name), so that four fit a row of an A4 page or a 760 px Confluence page at full size.
SPACINGS: dict[Direction, Spacing] = {
    "lr": Spacing(
        node_w=164.0, node_h=44.0, node_gap=12.0, layer_gap=80.0, dummy=0.0, dummy_gap=3.0
    ),
    "tb": Spacing(
        node_w=124.0, node_h=56.0, node_gap=14.0, layer_gap=56.0, dummy=0.0, dummy_gap=3.0
    ),
}


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
    direction: Direction = "lr"


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


def split_wide_layers(
    nodes: Sequence[str], dag: set[tuple[str, str]], layer: dict[str, int], capacity: int
) -> dict[str, int]:
    """Layers of at most `capacity` teams (and no empty layer): a fuller layer becomes several
    consecutive ones. Edges still point downwards, since teams of one layer share no edge.

    Within a layer, teams that mostly receive go first and teams that mostly supply go last, so
    the edges into and out of the split layer stay short."""
    out_degree: dict[str, int] = defaultdict(int)
    in_degree: dict[str, int] = defaultdict(int)
    for u, v in dag:
        out_degree[u] += 1
        in_degree[v] += 1
    by_layer: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        by_layer[layer[node]].append(node)
    split: dict[str, int] = {}
    depth = 0
    for old in sorted(by_layer):
        members = sorted(by_layer[old], key=lambda n: (out_degree[n] - in_degree[n], n))
        parts = math.ceil(len(members) / max(capacity, 1))
        size = math.ceil(len(members) / parts)
        for i, node in enumerate(members):
            split[node] = depth + i // size
        depth += parts
    return split


def row_capacity(max_width: float, spacing: Spacing) -> int:
    """How many teams one layer holds across `max_width`."""
    inner = max_width - 2 * MARGIN + spacing.node_gap
    return max(1, int(inner // (spacing.node_w + spacing.node_gap)))


def layered_layout(
    team_keys: Sequence[str],
    edges: Sequence[tuple[str, str, str]],
    *,
    sweeps: int = 6,
    direction: Direction = "lr",
    max_width: float | None = None,
    taller: float = 0.0,
) -> LayeredLayout:
    """Lay out teams and (relationship id, supplier key, customer key) edges, suppliers first.

    Top to bottom with a `max_width`, a layer holds as many teams as fit across it (dummy nodes of
    long edges may still make a row wider: the layout's `width` says). `taller`: more height for
    every team's box (for names that take more lines)."""
    spacing = replace(SPACINGS[direction], node_h=SPACINGS[direction].node_h + taller)
    nodes = sorted(set(team_keys) | {k for _, s, c in edges for k in (s, c)})
    pairs = {(s, c) for _, s, c in edges if s != c}
    back = break_cycles(nodes, pairs)
    dag = {(c, s) if (s, c) in back else (s, c) for s, c in pairs}
    layer = assign_layers(nodes, dag)
    capacity = len(nodes)
    if direction == "tb" and max_width is not None:
        capacity = row_capacity(max_width, spacing)
    layer = split_wide_layers(nodes, dag, layer, capacity)
    g = _build(nodes, dag, layer)
    initial: list[list[int]] = [[] for _ in range(max(g.layer_of, default=-1) + 1)]
    for node, depth in enumerate(g.layer_of):
        initial[depth].append(node)
    ordered, crossings = order_layers(initial, g.down, g.up, sweeps)
    placed = _Placement(g, spacing, direction, ordered)
    routes = placed.routes(edges, back)
    across = len(ordered) * _across(spacing, direction) + max(len(ordered) - 1, 0) * (
        spacing.layer_gap
    )
    along = max((placed.extent(layer) for layer in ordered), default=0.0)
    if direction == "lr":
        width, height = MARGIN * 2 + across, TOP + along + MARGIN
    else:
        width, height = MARGIN * 2 + along, TOP + across + MARGIN
    return LayeredLayout(
        width=max(width, spacing.node_w + 2 * MARGIN),
        height=height,
        nodes=placed.boxes,
        routes=routes,
        layers=tuple(tuple(layer) for layer in ordered),
        crossings=crossings,
        direction=direction,
    )


def _across(spacing: Spacing, direction: Direction) -> float:
    """A layer's thickness: a column's width left to right, a row's height top to bottom."""
    return spacing.node_w if direction == "lr" else spacing.node_h


# Relationship id, points in layer order, reversed, first node, last node.
_RawRoute = tuple[str, list[Point], bool, str, str]


class _Placement:
    """Coordinates of every node (real and dummy) and the edges' polylines, in one direction.

    "Along" is the position within a layer (y left to right, x top to bottom), "across" the
    layer's own position; each layer is centred along the longest one."""

    def __init__(
        self, g: _Graph, spacing: Spacing, direction: Direction, ordered: list[list[int]]
    ) -> None:
        self.g, self.spacing, self.direction = g, spacing, direction
        self.thickness = _across(spacing, direction)
        self.centres: dict[int, float] = {}
        self.boxes: dict[str, Box] = {}
        longest = max((self.extent(layer) for layer in ordered), default=0.0)
        start = TOP if direction == "lr" else MARGIN
        for depth, layer in enumerate(ordered):
            along = start + (longest - self.extent(layer)) / 2
            for i, node in enumerate(layer):
                if i:
                    along += self._gap(layer[i - 1], node)
                size = self._size(node)
                self.centres[node] = along + size / 2
                if g.names[node]:
                    self.boxes[g.names[node]] = self._box(self.layer_start(depth), along)
                along += size

    def _size(self, node: int) -> float:
        if self.g.names[node] == "":
            return self.spacing.dummy
        return self.spacing.node_h if self.direction == "lr" else self.spacing.node_w

    def _gap(self, a: int, b: int) -> float:
        """Two teams keep their gap, and a long edge passes a team as far away, clear of its box
        and of the ring that marks a team needing attention; long edges pass each other
        closely, so that they cost a layer little room."""
        teams = (self.g.names[a] != "") + (self.g.names[b] != "")
        return (self.spacing.dummy_gap, self.spacing.node_gap, self.spacing.node_gap)[teams]

    def extent(self, layer: list[int]) -> float:
        sizes = sum(self._size(n) for n in layer)
        return sizes + sum(self._gap(a, b) for a, b in pairwise(layer))

    def layer_start(self, depth: int) -> float:
        first = MARGIN if self.direction == "lr" else TOP
        return first + depth * (self.thickness + self.spacing.layer_gap)

    def _box(self, across: float, along: float) -> Box:
        s = self.spacing
        if self.direction == "lr":
            return Box(across, along, s.node_w, s.node_h)
        return Box(along, across, s.node_w, s.node_h)

    def _point(self, across: float, along: float) -> Point:
        return Point(across, along) if self.direction == "lr" else Point(along, across)

    def _along(self, point: Point) -> float:
        return point.y if self.direction == "lr" else point.x

    def routes(
        self, edges: Sequence[tuple[str, str, str]], back: set[tuple[str, str]]
    ) -> tuple[Route, ...]:
        g, boxes = self.g, self.boxes
        raw: list[_RawRoute] = []
        loops = []
        for rel_id, s, c in sorted(edges, key=lambda e: (e[1], e[2], e[0])):
            if s == c:
                box = boxes[s]
                loop = (Point(box.right, box.cy), Point(box.right + 12, box.bottom + 10))
                loops.append(Route(rel_id, (*loop, Point(box.cx, box.bottom)), False))
                continue
            rev = (s, c) in back
            chain = g.chains[(c, s) if rev else (s, c)]
            first, last = g.names[chain[0]], g.names[chain[-1]]
            leaves = self.layer_start(g.layer_of[chain[0]]) + self.thickness
            points = [self._point(leaves, self.centres[chain[0]])]
            for node in chain[1:-1]:
                at = self.layer_start(g.layer_of[node])
                points += [
                    self._point(at, self.centres[node]),
                    self._point(at + self.thickness, self.centres[node]),
                ]
            arrives = self.layer_start(g.layer_of[chain[-1]])
            points.append(self._point(arrives, self.centres[chain[-1]]))
            raw.append((rel_id, points, rev, first, last))
        self._spread_ports(raw)
        routes = [
            Route(rel_id, tuple(reversed(points)) if rev else tuple(points), rev)
            for rel_id, points, rev, _, _ in raw
        ]
        return tuple(routes + loops)

    def _spread_ports(self, raw: list[_RawRoute]) -> None:
        """Spread the edges' ends along each node's side, in the order of where they come from."""
        ends: dict[tuple[str, bool], list[tuple[float, int, int]]] = defaultdict(list)
        for i, (_, points, _, first, last) in enumerate(raw):
            ends[(first, True)].append((self._along(points[1]), i, 0))
            ends[(last, False)].append((self._along(points[-2]), i, len(points) - 1))
        for (name, _), side in ends.items():
            box = self.boxes[name]
            side.sort()
            for k, (_, i, j) in enumerate(side):
                points = raw[i][1]
                share = (k + 1) / (len(side) + 1)
                if self.direction == "lr":
                    points[j] = Point(points[j].x, box.y + share * box.h)
                else:
                    points[j] = Point(box.x + share * box.w, points[j].y)
