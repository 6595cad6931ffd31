"""Server-side SVG of the integrator map: every team and relationship, with what needs attention
(hot spots) marked: "!" on an edge, clear of the boxes and of each other, a ring round a team.

Edges carry their health in colour, stroke pattern and their own title; hot edges also get a
visible text badge (labelling all thousand edges would only hide the map), and the table carries
every label.

The layout is chosen for the width it is shown at, so that labels stay readable without scaling
the picture down: left to right (suppliers left of their customers) when the layers fit across,
otherwise top to bottom (suppliers above), with rows no wider than the frame. A map is drawn
for a narrow frame (a 760 px Confluence page, an A4 page) and, when a wide frame (1,264 px)
would show it differently, for that one too; a very large organisation gets one overview, shown
scaled to the frame, with a full-size view to scroll.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from macros.layered import SPACINGS, Direction, LayeredLayout, Route, layered_layout
from macros.layout import Box, Point
from macros.markup import esc, wrap
from macros.style import colour
from macros.svg import (
    edge_path,
    link_close,
    link_open,
    markers,
    node_rect,
    num,
    relationship_title,
    svg_open,
    team_title,
    text,
)
from macros.view import HotSpot, IntegratorMapView, TeamView

# Parallel relationships between two teams are drawn side by side, not on top of each other.
PARALLEL_OFFSET = 4.0
# The widths a map is laid out for: an A4 page's content and a 760 px Confluence page (less its
# padding) show 700 px at full size; a 1,264 px frame shows 1,200 px.
NARROW = 700.0
WIDE = 1200.0
# Past this many teams no layout keeps every label readable within a page: one overview.
OVERVIEW_TEAMS = 60
Fit = Literal["any", "narrow", "wide"]


@dataclass(frozen=True, slots=True)
class Drawing:
    """One layout of the map and the frames it is for (`any`: every width)."""

    fit: Fit
    layout: LayeredLayout
    budget: float

    @property
    def oversized(self) -> bool:
        """Wider than its frame holds at full size: shown scaled, with a full-size view."""
        return self.layout.width > self.budget


def _edges_of(view: IntegratorMapView) -> list[tuple[str, str, str]]:
    return [(r.id, r.supplier.key, r.customer.key) for r in view.relationships]


# About how many characters of a bold 13 px name fit a pixel; lines of a name, and at most how many.
NAME_CHARS_PER_PX = 1 / 7.8
NAME_LINE_H = 15.0
MAX_NAME_LINES = 4
BASE_NAME_LINES: dict[Direction, int] = {"lr": 1, "tb": 2}  # what a box of the spacing holds


def _name_chars(direction: Direction) -> int:
    return int((SPACINGS[direction].node_w - 16) * NAME_CHARS_PER_PX)


def _taller(view: IntegratorMapView, direction: Direction) -> float:
    """The height every box needs beyond its spacing's so that the longest name shows whole
    (up to `MAX_NAME_LINES` lines; the mark of a team that needs attention counts)."""
    chars = _name_chars(direction)
    needed = max(
        (len(wrap("⚠ " + t.name, chars, MAX_NAME_LINES)) for t in _teams(view).values()),
        default=1,
    )
    return NAME_LINE_H * max(0, needed - BASE_NAME_LINES[direction])


def integrator_layout(view: IntegratorMapView) -> LayeredLayout:
    """Left to right at full size (the overview of a large organisation)."""
    return layered_layout([t.key for t in view.teams], _edges_of(view), taller=_taller(view, "lr"))


def _fitted(view: IntegratorMapView, across: LayeredLayout, budget: float) -> LayeredLayout:
    if across.width <= budget:
        return across
    keys = [t.key for t in view.teams]
    return layered_layout(
        keys, _edges_of(view), direction="tb", max_width=budget, taller=_taller(view, "tb")
    )


def integrator_drawings(view: IntegratorMapView, *, static: bool = False) -> list[Drawing]:
    """The layouts to draw: one for every width, or one for narrow and one for wide frames.

    The static rendering (PDF, export) is for an A4 page: the narrow one only."""
    across = integrator_layout(view)
    if len(_teams(view)) > OVERVIEW_TEAMS:
        return [Drawing("any", across, NARROW)]
    narrow = _fitted(view, across, NARROW)
    if static:
        return [Drawing("any", narrow, NARROW)]
    wide = _fitted(view, across, WIDE)
    if wide == narrow:
        return [Drawing("any", narrow, NARROW)]
    return [Drawing("narrow", narrow, NARROW), Drawing("wide", wide, WIDE)]


def _path(route: Route, offset: float) -> str:
    pts = route.points
    d = [f"M{num(pts[0].x)},{num(pts[0].y + offset)}"]
    d.extend(f"L{num(p.x)},{num(p.y + offset)}" for p in pts[1:])
    return " ".join(d)


BADGE_R = 8.0
# Where along a segment a badge may sit, best first (the middle of the middle segment).
BADGE_STOPS = (0.5, 0.35, 0.65, 0.2, 0.8)


def _badge_candidates(route: Route, offset: float) -> list[Point]:
    pts = [Point(p.x, p.y + offset) for p in route.points]
    segments = list(pairwise(pts))
    middle = (len(pts) // 2) - 1
    order = sorted(range(len(segments)), key=lambda i: (abs(i - middle), i))
    return [
        Point(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
        for i in order
        for a, b in [segments[i]]
        for t in BADGE_STOPS
    ]


def _clear(at: Point, boxes: list[Box], placed: list[Point]) -> bool:
    r = BADGE_R + 2
    if any(Box(at.x - r, at.y - r, 2 * r, 2 * r).overlaps(box) for box in boxes):
        return False
    return all((at.x - p.x) ** 2 + (at.y - p.y) ** 2 >= (2 * r) ** 2 for p in placed)


def badge_spots(
    layout: LayeredLayout, hot: set[str], offsets: dict[str, float]
) -> dict[str, Point]:
    """Where each hot edge's "!" goes: on the edge, clear of every box and every other badge
    (the first such stop from the middle out; the middle when none is clear)."""
    boxes = list(layout.nodes.values())
    placed: dict[str, Point] = {}
    for route in layout.routes:
        if route.rel_id not in hot or len(route.points) < 2:
            continue
        candidates = _badge_candidates(route, offsets.get(route.rel_id, 0.0))
        spot = next(
            (c for c in candidates if _clear(c, boxes, list(placed.values()))), candidates[0]
        )
        placed[route.rel_id] = spot
    return placed


def _hot_badge(at: Point) -> str:
    x, y = at.x, at.y
    return (
        f'<circle cx="{num(x)}" cy="{num(y)}" r="8" class="hot" fill="{colour("hot")}"/>'
        f'<text x="{num(x)}" y="{num(y + 4.5)}" font-size="12" font-weight="700" '
        f'text-anchor="middle" fill="#FFFFFF" style="fill:#FFFFFF">!</text>'
    )


def edge_offsets(view: IntegratorMapView, layout: LayeredLayout) -> dict[str, float]:
    """Parallel relationships between two teams are drawn side by side: each one's offset."""
    rels = {r.id: r for r in view.relationships}
    seen: dict[tuple[str, str], int] = defaultdict(int)
    offsets = {}
    for route in layout.routes:
        rel = rels[route.rel_id]
        pair = (min(rel.supplier.key, rel.customer.key), max(rel.supplier.key, rel.customer.key))
        offsets[rel.id] = seen[pair] * PARALLEL_OFFSET
        seen[pair] += 1
    return offsets


def _edges(view: IntegratorMapView, layout: LayeredLayout, hot: set[str], prefix: str) -> list[str]:
    rels = {r.id: r for r in view.relationships}
    offsets = edge_offsets(view, layout)
    badges = badge_spots(layout, hot, offsets)
    parts = ['<g class="edges">']
    for route in layout.routes:
        rel = rels[route.rel_id]
        title = relationship_title(rel)
        badge = badges.get(rel.id)
        cls = " edge-hot" if rel.id in hot else ""
        parts.append(
            f"{link_open(rel.issues_url)}<title>{esc(title)}</title>"
            f"{edge_path(_path(route, offsets[rel.id]), rel.health.band, prefix, cls)}"
            f"{_hot_badge(badge) if badge else ''}"
            f"{link_close(rel.issues_url)}"
        )
    parts.append("</g>")
    return parts


def _names(team: TeamView, box: Box, mark: str) -> str:
    """The name, wrapped on as many lines as the box holds (all boxes are tall enough for the
    longest name, up to four lines); the key on the last line."""
    lines = max(1, int((box.h - 26) // NAME_LINE_H))
    names = wrap(mark + team.name, int((box.w - 16) * NAME_CHARS_PER_PX), lines)
    parts = [
        text(box.x + 8, box.y + 18 + NAME_LINE_H * i, line, size=13, bold=True)
        for i, line in enumerate(names)
    ]
    parts.append(text(box.x + 8, box.bottom - 8, team.key, size=12, cls="muted"))
    return "".join(parts)


def _node(team: TeamView, box: Box, spots: list[HotSpot]) -> str:
    role = "team"
    if spots:
        role = "needs attention: " + "; ".join(s.message for s in spots)
    title = team_title(team, role)
    ring = ""
    if spots:
        ring = (
            f'<rect x="{num(box.x - 3)}" y="{num(box.y - 3)}" width="{num(box.w + 6)}" '
            f'height="{num(box.h + 6)}" rx="6" class="hot-ring" fill="none" '
            f'stroke="{colour("hot")}" stroke-width="2" stroke-dasharray="4 2"/>'
        )
    mark = "⚠ " if spots else ""
    return (
        f"{link_open(team.issues_url)}<title>{esc(title)}</title>{ring}"
        f"{node_rect(box.x, box.y, box.w, box.h, 'node')}{_names(team, box, mark)}"
        f"{link_close(team.issues_url)}"
    )


def _teams(view: IntegratorMapView) -> dict[str, TeamView]:
    teams = {t.key: t for t in view.teams}
    for rel in view.relationships:
        teams.setdefault(rel.supplier.key, rel.supplier)
        teams.setdefault(rel.customer.key, rel.customer)
    return teams


def integrator_desc(
    view: IntegratorMapView, spots: list[HotSpot], layout: LayeredLayout | None = None
) -> str:
    teams = _teams(view)
    where = "above" if layout is not None and layout.direction == "tb" else "to the left of"
    return (
        f"{len(teams)} teams and {len(view.relationships)} relationships, suppliers {where} "
        f"their customers. {len(spots)} things that need attention are marked with a warning sign "
        f"and listed above the map; the table that follows lists every relationship with its "
        f"health."
    )


def integrator_svg(
    view: IntegratorMapView,
    spots: list[HotSpot],
    *,
    id_prefix: str = "icm-integrator",
    layout: LayeredLayout | None = None,
) -> str:
    """The map in `layout` (by default left to right at full size)."""
    layout = layout or integrator_layout(view)
    hot_rels = {s.relationship_id for s in spots if s.relationship_id and s.team_key is None}
    by_team: dict[str, list[HotSpot]] = defaultdict(list)
    for spot in spots:
        if spot.team_key:
            by_team[spot.team_key].append(spot)
    teams = _teams(view)
    parts = [
        svg_open(
            id_prefix,
            layout.width,
            layout.height,
            "Integrator map",
            integrator_desc(view, spots, layout),
        ),
        markers(id_prefix),
        *_edges(view, layout, hot_rels, id_prefix),
        '<g class="nodes">',
        *(_node(teams[k], box, by_team.get(k, [])) for k, box in sorted(layout.nodes.items())),
        "</g></svg>",
    ]
    return "".join(parts)
