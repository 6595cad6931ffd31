"""Geometry of the customer map: suppliers in a column on the left, customers on the right.

Every picture and page of the app reads in the direction work flows: from suppliers on the left,
through the team, to its customers on the right (the integrator map, too narrow for that on a
page, puts suppliers above their customers). Columns grow downwards, so a team with sixty
neighbours gets a taller picture rather than overlaps; each edge's label is written on its own
neighbour's box, under the name, which keeps labels apart and the whole picture within an A4 page
or a 760 px Confluence page at full size (700 px). Names and labels wrap rather than being cut:
a box is as tall as its lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from macros.markup import wrap
from macros.view import BAND_LABELS, CustomerMapView, ExpectationView, RelationshipView, TeamView

Side = Literal["supplier", "customer"]
Sides = Literal["both", "suppliers", "customers"]

MARGIN = 16.0
HEADING_H = 28.0
NODE_W = 204.0
NODE_H = 52.0
TEAM_W = 116.0
GAP = 14.0
CURVE_W = 72.0
EXPECTATION_LINE_H = 16.0
PORT_SPACING = 8.0
LABEL_H = 14.0
TEAM_MIN_H = 76.0  # three lines of name and the key
# About how many characters of a bold 14 px name, and of a 12 px line, fit a pixel.
NAME_CHARS_PER_PX = 1 / 8.4
LINE_CHARS_PER_PX = 1 / 6.7
NAME_LINE_H = 18.0
LABEL_LINE_H = 16.0
MAX_NAME_LINES = 4  # past that (a name of sixty characters) the rest is in the title and table
MAX_STATEMENT_LINES = 4


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


@dataclass(frozen=True, slots=True)
class EdgeLayout:
    """One neighbour: its node, its edge (start → bend straight or curved → end) and its label."""

    rel: RelationshipView
    side: Side
    node: Box
    label: Box
    start: Point
    bend: Point
    end: Point
    show_expectations: bool
    names: tuple[str, ...] = ()  # the neighbour's name, wrapped
    labels: tuple[str, ...] = ()  # the edge's label, wrapped

    @property
    def head(self) -> float:
        """The height of the name and the label, above the expectations listed."""
        return head_height(self.names, self.labels)


@dataclass(frozen=True, slots=True)
class CustomerMapLayout:
    width: float
    height: float
    team: Box
    edges: tuple[EdgeLayout, ...]
    supplier_heading: Point | None
    customer_heading: Point | None


def neighbour_order(rels: tuple[RelationshipView, ...], side: Side) -> list[RelationshipView]:
    """Alphabetical by the neighbour's name, so readers can scan a long column."""

    def key(rel: RelationshipView) -> tuple[str, str, str]:
        team = rel.supplier if side == "supplier" else rel.customer
        return (team.name.casefold(), team.key, rel.id)

    return sorted(rels, key=key)


def edge_label(rel: RelationshipView) -> str:
    """The visible text of an edge: band and score, trend arrow, number of expectations."""
    count = len(rel.expectations)
    flag = "⚠ " if rel.stale or rel.blocked_links or rel.health.band == "unhealthy" else ""
    return f"{flag}{rel.health.label} {rel.health.trend_glyph} · {count} exp."


def name_lines(team: TeamView) -> tuple[str, ...]:
    return tuple(wrap(team.name, int((NODE_W - 20) * NAME_CHARS_PER_PX), MAX_NAME_LINES))


def label_lines(rel: RelationshipView) -> tuple[str, ...]:
    return tuple(wrap(edge_label(rel), int((NODE_W - 20) * LINE_CHARS_PER_PX), 3))


def head_height(names: tuple[str, ...], labels: tuple[str, ...]) -> float:
    """A box's name and label lines with their padding; one line of each is `NODE_H`."""
    lines = NAME_LINE_H * max(len(names), 1) + LABEL_LINE_H * max(len(labels), 1)
    return NODE_H - NAME_LINE_H - LABEL_LINE_H + lines


def node_height(rel: RelationshipView, show_expectations: bool, side: Side = "customer") -> float:
    team = rel.supplier if side == "supplier" else rel.customer
    head = head_height(name_lines(team), label_lines(rel))
    if not show_expectations or not rel.expectations:
        return head
    lines = sum(len(expectation_lines(e)) for e in rel.expectations)
    return head + lines * EXPECTATION_LINE_H + 6


def expectation_lines(exp: ExpectationView) -> tuple[str, ...]:
    """An expectation under its customer: the statement and its band, wrapped (a statement of
    more than about a hundred characters is cut; the title and the table hold it whole)."""
    chars = int((NODE_W - 20 - 12) * LINE_CHARS_PER_PX)
    words = f"{exp.statement} · {BAND_LABELS[exp.health.band]}"
    return tuple(wrap(words, chars, MAX_STATEMENT_LINES))


def _column(
    rels: list[RelationshipView], x: float, top: float, heights: list[float]
) -> tuple[list[Box], float]:
    boxes = []
    y = top
    for h in heights:
        boxes.append(Box(x, y, NODE_W, h))
        y += h + GAP
    return boxes, (y - GAP if rels else top)


def _ports(team: Box, count: int) -> list[float]:
    """Spread the edges' ends along the team's side so sixty edges do not meet in one point."""
    if count <= 1:
        return [team.cy] * count
    span = min(team.h - 16, (count - 1) * PORT_SPACING)
    first = team.cy - span / 2
    return [first + i * span / (count - 1) for i in range(count)]


def customer_map_layout(
    view: CustomerMapView, *, sides: Sides = "both", show_expectations: bool = False
) -> CustomerMapLayout:
    suppliers = neighbour_order(tuple(view.suppliers), "supplier") if sides != "customers" else []
    customers = neighbour_order(tuple(view.customers), "customer") if sides != "suppliers" else []
    top = MARGIN + HEADING_H
    x = MARGIN
    sup_x = x
    if sides != "customers":
        x += NODE_W + CURVE_W
    team_x = x
    x += TEAM_W
    cus_x = x + CURVE_W
    width = (cus_x + NODE_W if sides != "suppliers" else x) + MARGIN

    sup_heights = [node_height(r, False, "supplier") for r in suppliers]
    sup_boxes, sup_bottom = _column(suppliers, sup_x, top, sup_heights)
    cus_heights = [node_height(r, show_expectations) for r in customers]
    cus_boxes, cus_bottom = _column(customers, cus_x, top, cus_heights)
    column_h = max(sup_bottom, cus_bottom, top + TEAM_MIN_H) - top
    fan = max(len(suppliers), len(customers))
    team_h = min(column_h, max(TEAM_MIN_H, (fan - 1) * PORT_SPACING + 16))
    team = Box(team_x, top + (column_h - team_h) / 2, TEAM_W, team_h)
    edges = _supplier_edges(suppliers, sup_boxes, team) + _customer_edges(
        customers, cus_boxes, team, show_expectations
    )
    return CustomerMapLayout(
        width=width,
        height=top + column_h + MARGIN,
        team=team,
        edges=tuple(edges),
        supplier_heading=Point(sup_x, MARGIN + 16) if sides != "customers" else None,
        customer_heading=Point(cus_x, MARGIN + 16) if sides != "suppliers" else None,
    )


def _supplier_edges(rels: list[RelationshipView], boxes: list[Box], team: Box) -> list[EdgeLayout]:
    edges = []
    for rel, box, port in zip(rels, boxes, _ports(team, len(rels)), strict=True):
        names, labels = name_lines(rel.supplier), label_lines(rel)
        y = box.y + head_height(names, labels) / 2
        start, bend, end = Point(box.right, y), Point(box.right, y), Point(team.x, port)
        label = _label(box, names, labels)
        edges.append(
            EdgeLayout(rel, "supplier", box, label, start, bend, end, False, names, labels)
        )
    return edges


def _customer_edges(
    rels: list[RelationshipView], boxes: list[Box], team: Box, show_expectations: bool
) -> list[EdgeLayout]:
    edges = []
    for rel, box, port in zip(rels, boxes, _ports(team, len(rels)), strict=True):
        names, labels = name_lines(rel.customer), label_lines(rel)
        y = box.y + head_height(names, labels) / 2
        start, bend, end = Point(team.right, port), Point(box.x, y), Point(box.x, y)
        label = _label(box, names, labels)
        edges.append(
            EdgeLayout(
                rel, "customer", box, label, start, bend, end, show_expectations, names, labels
            )
        )
    return edges


def _label(node: Box, names: tuple[str, ...], labels: tuple[str, ...]) -> Box:
    """The edge's label: the lines under its neighbour's name, in the neighbour's box."""
    bottom = node.y + head_height(names, labels) - 8
    height = LABEL_H + LABEL_LINE_H * (max(len(labels), 1) - 1)
    return Box(node.x + 10, bottom - height, node.w - 20, height)
